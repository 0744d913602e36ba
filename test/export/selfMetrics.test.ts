import * as telemetry from '../../src/index';
import { deadPort } from '../support/net';
import { startTestBed, type TestBed } from '../support/telemetry';

describe("the library's own health as metrics (otel.facade.*)", () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it('exports calls emitted and dropped by reason, series, and per signal export failures and breaker state', async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    bed = await startTestBed({
      selfMetrics: undefined, // the default: on
      traces: { endpoint: dead, timeoutMs: 300 },
      circuitBreaker: { enabled: true, maxFailures: 1 },
      samplingRate: 1,
    });
    telemetry.counter('app.requests.total', 'route', '/a');
    telemetry.counter('app.requests.total', 'route', '/b');
    telemetry.upDownCounter('app.queue.depth', NaN);
    telemetry.histogram('app.latency_ms', -1);
    telemetry.counter('bad name!');
    telemetry.withSpan('work', () => undefined);
    await telemetry.forceFlush(); // the span export fails: the traces breaker opens
    await telemetry.forceFlush(); // metrics, read now, say so
    const value = (name: string, attributes: Record<string, unknown> = {}) =>
      bed.receiver.latest(name).find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))?.value;
    expect(value('otel.facade.recording.emitted')).toBe(2);
    expect(value('otel.facade.recording.dropped', { reason: 'invalid_value' })).toBe(2);
    expect(value('otel.facade.recording.dropped', { reason: 'invalid_name' })).toBe(1);
    expect(value('otel.facade.series')).toBeGreaterThanOrEqual(2);
    expect(value('otel.facade.export.failures', { signal: 'metrics' })).toBe(0);
    expect(value('otel.facade.export.failures', { signal: 'traces' })).toBeGreaterThanOrEqual(1);
    expect(value('otel.facade.circuit.state', { signal: 'metrics' })).toBe(0);
    expect(value('otel.facade.circuit.state', { signal: 'traces' })).toBe(2);
    const emitted = bed.receiver.latest('otel.facade.recording.emitted')[0];
    expect(emitted.kind).toBe('sum');
    expect(emitted.monotonic).toBe(true);
    // Read from the counters getHealth() keeps: the same numbers.
    const health = telemetry.getHealth();
    expect(health.metricsEmitted).toBe(2);
    expect(health.droppedByReason.invalid_value).toBe(2);
  });

  it('selfMetrics: false exports none of them', async () => {
    bed = await startTestBed({ selfMetrics: false });
    telemetry.counter('app.requests.total');
    await telemetry.forceFlush();
    expect(bed.receiver.allPoints().filter((p) => p.metric.startsWith('otel.facade.'))).toEqual([]);
  });
});
