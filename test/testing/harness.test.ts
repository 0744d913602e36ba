import * as telemetry from '../../src/index';
import { startTestTelemetry, type TestTelemetry } from '../../src/testing';
import { deadPort } from '../support/net';

describe('otel-facade/testing: startTestTelemetry()', () => {
  let t: TestTelemetry | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('reads back counters, up-down counters and gauges for exactly the labels given, as an object or as pairs', () => {
    t = startTestTelemetry();
    telemetry.counter('orders.total', 'status', 'ok', 'region', 'eu');
    telemetry.counter('orders.total', { region: 'eu', status: 'ok' });
    telemetry.counter('orders.total', 'status', 'failed', 'region', 'eu');
    telemetry.upDownCounter('jobs.queued', 3, 'queue', 'email');
    telemetry.upDownCounter('jobs.queued', -1, 'queue', 'email');
    telemetry.gauge('pool.size', 7);
    telemetry.counter('http.responses', 'code', 200);
    expect(t.value('orders.total', { status: 'ok', region: 'eu' })).toBe(2);
    expect(t.value('orders.total', ['region', 'eu', 'status', 'ok'])).toBe(2); // pairs, in any order
    expect(t.value('orders.total', { status: 'failed', region: 'eu' })).toBe(1);
    expect(t.value('orders.total', { status: 'ok' })).toBeUndefined(); // exactly these labels: a subset is another series
    expect(t.value('orders.total')).toBeUndefined();
    expect(t.value('never.recorded')).toBeUndefined();
    expect(t.value('jobs.queued', { queue: 'email' })).toBe(2);
    expect(t.value('pool.size')).toBe(7);
    expect(t.value('http.responses', { code: 200 })).toBe(1);
    expect(t.value('http.responses', { code: '200' })).toBe(1); // one series per text, whatever the type
  });

  it('reads back histograms: count, sum, min, max and buckets', () => {
    t = startTestTelemetry();
    telemetry.histogram('checkout.duration_ms', 12, 'step', 'pay');
    telemetry.histogram('checkout.duration_ms', 480, 'step', 'pay');
    const h = t.histogram('checkout.duration_ms', { step: 'pay' });
    expect(h).toMatchObject({ count: 2, sum: 492, min: 12, max: 480 });
    expect(h?.buckets.counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(h?.buckets.counts).toHaveLength((h?.buckets.boundaries.length ?? 0) + 1);
    expect(t.value('checkout.duration_ms', { step: 'pay' })).toBeUndefined(); // a histogram has no single value
    expect(t.histogram('orders.total')).toBeUndefined();
  });

  it('keeps every finished span, with the library\'s sanitising applied', () => {
    t = startTestTelemetry({ piiRedaction: true });
    telemetry.withSpan('checkout', (span) => span.setAttribute('user', 'jane.doe@example.com'));
    telemetry.startSpan('unfinished');
    const spans = t.spans();
    expect(spans.map((s) => s.name)).toEqual(['checkout']);
    expect(spans[0].attributes.user).toBe('[REDACTED]');
    telemetry.counter('logins.total', 'user', 'jane.doe@example.com');
    expect(t.value('logins.total', { user: 'jane.doe@example.com' })).toBe(1); // looked up as recorded: redacted
  });

  it('reset() forgets metrics and spans; the runtime stays up', () => {
    t = startTestTelemetry();
    telemetry.counter('a.total');
    telemetry.withSpan('s', () => undefined);
    t.reset();
    expect(t.value('a.total')).toBeUndefined();
    expect(t.spans()).toEqual([]);
    telemetry.counter('a.total');
    expect(t.value('a.total')).toBe(1);
    expect(telemetry.getHealth().initialized).toBe(true);
  });

  it('sends nothing anywhere, whatever the config says, and refuses to start twice', async () => {
    t = startTestTelemetry({ endpoint: `http://127.0.0.1:${await deadPort()}`, metrics: { exporter: 'otlp' }, prometheus: { port: 0 } });
    telemetry.counter('x.total');
    await telemetry.forceFlush();
    const health = telemetry.getHealth();
    expect(health.signals.metrics).toMatchObject({ exports: 0, exportFailures: 0 });
    expect(health.signals.metrics.prometheus).toBeUndefined();
    expect(() => startTestTelemetry()).toThrow(/already initialized/);
    await t.stop();
    t = startTestTelemetry(); // after stop(), a fresh one
    expect(t.value('x.total')).toBeUndefined();
  });

  it('a stale harness never stops or reads the next one; odd labels read as never recorded, never a throw', async () => {
    const first = startTestTelemetry();
    await first.stop();
    t = startTestTelemetry();
    await first.stop(); // the old handle again: the new runtime stays up
    first.reset();
    telemetry.counter('y.total', 'k', 'v');
    expect(t.value('y.total', { k: 'v' })).toBe(1);
    expect(first.value('y.total', { k: 'v' })).toBeUndefined();
    expect(t.value('y.total', null as never)).toBeUndefined();
    expect(t.histogram('y.total', null as never)).toBeUndefined();
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
    expect(t.value('y.total', hostile as never)).toBeUndefined();
  });
});
