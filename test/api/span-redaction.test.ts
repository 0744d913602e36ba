import { context, SpanKind, trace } from '@opentelemetry/api';
import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';

describe('span redaction, with piiRedaction on', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTestBed({ piiRedaction: true, spanLimits: { attributeValueLengthLimit: 64, attributeCountLimit: 5 } });
  });
  afterAll(() => bed.stop());

  it('covers span names, attributes (arrays too), events, links, exception and status messages', async () => {
    const linked = telemetry.startSpan('linked');
    linked.end();
    const span = telemetry.startSpan('login for jane@example.com', {
      kind: SpanKind.SERVER,
      attributes: { 'user.emails': ['jane@example.com', 'ok'], 'server.address': '10.0.0.7', 'client.address': '203.0.113.9' },
      links: [{ context: trace.getSpan(trace.setSpan(context.active(), (linked as unknown as { otelSpan: never }).otelSpan))!.spanContext(), attributes: { via: 'bob@example.com' } }],
    });
    span.addEvent('token issued', { token: 'Bearer abcdefghijklmnopqrstuvwxyz' });
    span.recordError(new Error('login failed for jane@example.com'));
    span.setStatus('error', 'card 4111 1111 1111 1111 declined');
    span.end();
    await telemetry.forceFlush();
    const [exported] = bed.receiver.spans().filter((s) => s.name === '[REDACTED]');
    expect(exported).toBeDefined();
    expect(exported.attributes['user.emails']).toEqual(['[REDACTED]', 'ok']);
    expect(exported.attributes['server.address']).toBe('10.0.0.7'); // infrastructure: exempt from IP redaction
    expect(exported.attributes['client.address']).toBe('[REDACTED]');
    expect(exported.status.message).toBe('[REDACTED]');
    const wire = JSON.stringify(bed.receiver.traceRequests);
    for (const secret of ['jane@example.com', 'bob@example.com', 'abcdefghijklmnopqrstuvwxyz', '4111 1111 1111 1111', '203.0.113.9']) {
      expect(wire).not.toContain(secret);
    }
    const exception = exported.events.find((e) => e.name === 'exception');
    const attributes = Object.fromEntries((exception?.attributes ?? []).map((a) => [a.key, a.value.stringValue]));
    expect(attributes['exception.message']).toBe('[REDACTED]');
    expect(attributes['exception.stacktrace']).toMatch(/^Error: \[REDACTED\]\n\s+at /);
  });

  it('cuts attribute values to the limit before redacting, and keeps at most the attribute count limit', async () => {
    const span = telemetry.startSpan('limits');
    span.setAttributes({ a: 'x'.repeat(10_000), b: 1, c: 2, d: 3, e: 4, f: 5, g: 6 });
    span.setAttribute('h', 'y'.repeat(1_000_000));
    span.end();
    await telemetry.forceFlush();
    const [exported] = bed.receiver.spans().filter((s) => s.name === 'limits');
    expect(exported.attributes.a).toBe('x'.repeat(64));
    expect(Object.keys(exported.attributes).length).toBeLessThanOrEqual(5);
  });

  it('counts what it cut, redacted or left out, per reason', async () => {
    const before = { ...telemetry.getHealth().sanitizedByReason };
    const delta = (reason: string) => (telemetry.getHealth().sanitizedByReason[reason] ?? 0) - (before[reason] ?? 0);
    const span = telemetry.startSpan('counted', { attributes: { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 } }); // 2 past the limit of 5
    span.setAttribute('long', 'z'.repeat(100)); // cut to 64
    span.setAttribute('bad', { nested: true } as never); // not an attribute value
    span.setAttribute('mail', 'ann@example.com'); // redacted
    span.addEvent('ev', { k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6 }); // 1 past the limit
    span.end();
    expect(delta('span_attribute_dropped')).toBe(2 + 1 + 1);
    expect(delta('span_attribute_truncated')).toBe(1);
    expect(delta('pii_redacted')).toBe(1);
    await telemetry.forceFlush();
    expect(JSON.stringify(bed.receiver.traceRequests)).not.toContain('ann@example.com');
  });

  it('takes odd arguments without throwing', () => {
    expect(() => {
      telemetry.startSpan('op', null as never).end();
      telemetry.startSpan('op', { parent: {} as never, kind: 'weird' as never, startTime: 'yesterday' as never, links: 'x' as never }).end();
      telemetry.startSpan(undefined as never).end(Number.NaN);
      telemetry.withSpan('op', () => undefined, null as never);
      telemetry.withBaggage({ user_id: 123 } as never, () => undefined);
      telemetry.setBaggage(undefined as never, 'k', 'v');
      telemetry.pipeline('p', null);
      telemetry.tracingMiddleware(null);
      telemetry.healthStatus();
      telemetry.latencyBucket({ valueOf() { throw new Error('no'); } } as never);
      telemetry.onCircuitStateChange(null as never)();
      const span = telemetry.startSpan('bad-values');
      span.setAttribute('k', { nested: true } as never);
      span.setAttributes(new Proxy({}, { ownKeys: () => { throw new Error('no'); } }) as never);
      span.recordError(Object.create(null));
      span.recordError({ get message() { throw new Error('no'); } });
      span.setStatus('error', 42 as never);
      span.end();
    }).not.toThrow();
  });

  it('withSpan rethrows exactly what was thrown, a prototype-less object too, and ends the span', async () => {
    const thrown = Object.create(null) as object;
    let seen: unknown;
    try {
      telemetry.withSpan('throws', () => { throw thrown; });
    } catch (error) {
      seen = error;
    }
    expect(seen).toBe(thrown);
    await expect(telemetry.withSpan('rejects', async () => { throw thrown; })).rejects.toBe(thrown);
    await expect(telemetry.traceOperation('op.rejects', async () => { throw thrown; })).rejects.toBe(thrown);
    await telemetry.forceFlush();
    const names = bed.receiver.spans().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['throws', 'rejects', 'op.rejects']));
    expect(bed.logger.matching('internal error')).toEqual([]);
  });
});

describe('tracingMiddleware({ trustIncomingSampling: false })', () => {
  it('lets the local rate decide for a caller that says sampled, while the trace continues', async () => {
    const bed = await startTestBed({ samplingRate: 0 });
    try {
      const { createServer } = await import('node:http');
      const trusting = telemetry.tracingMiddleware();
      const edge = telemetry.tracingMiddleware({ trustIncomingSampling: false });
      const seen: { path: string; sampled: boolean; traceId: string }[] = [];
      const server = createServer((req, res) => {
        const mw = req.url === '/edge' ? edge : trusting;
        mw(req, res, () => {
          const ctx = trace.getSpan(context.active())?.spanContext();
          seen.push({ path: req.url ?? '', sampled: ((ctx?.traceFlags ?? 0) & 1) === 1, traceId: ctx?.traceId ?? '' });
          res.end('ok');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      for (const path of ['/inside', '/edge']) await (await fetch(`http://127.0.0.1:${port}${path}`, { headers: { traceparent } })).text();
      server.close();
      expect(seen).toEqual([
        { path: '/inside', sampled: true, traceId: '0af7651916cd43dd8448eb211c80319c' },
        { path: '/edge', sampled: false, traceId: '0af7651916cd43dd8448eb211c80319c' },
      ]);
    } finally {
      await bed.stop();
    }
  });
});
