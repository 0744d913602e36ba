import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';

const throwing = (): never => { throw new Error('boom'); };
/** An array claiming 2^32 - 1 items, all holes: iterating it would take minutes or exhaust the heap. */
function sparse(length = 2 ** 32 - 1): unknown[] {
  const array: unknown[] = [];
  array.length = length;
  return array;
}

describe('hostile arguments to tracing and recording functions, from the attacker trial', () => {
  let bed: TestBed;
  beforeEach(async () => {
    bed = await startTestBed({ baggageLabels: ['tenant'], spanLimits: { attributeValueLengthLimit: 64, attributeCountLimit: 8 } });
  });
  afterEach(() => bed.stop());

  const health = () => telemetry.getHealth();

  it('a sparse array of 2^32 - 1 items as an attribute value reads at most 1,024 items', async () => {
    const span = telemetry.startSpan('sparse');
    span.setAttribute('holes', sparse() as never);
    span.setAttribute('ids', Object.assign(sparse(5000), { 0: 'a', 4999: 'z' }) as never);
    span.end();
    await telemetry.forceFlush();
    const [exported] = bed.receiver.spans().filter((s) => s.name === 'sparse');
    expect((exported.attributes.holes as unknown[]).length).toBe(1024);
    expect((exported.attributes.ids as unknown[])[0]).toBe('a');
    expect(health().sanitizedByReason.span_attribute_truncated).toBe(2);
    expect(health().errors).toBe(0);
  });

  it('a sparse array as labels or baggage entries reads at most what can be kept, through every function', () => {
    telemetry.emitWithOptions('sparse.total', 1, { labels: sparse() as never });
    telemetry.emitWithContext('sparse.total', 1, sparse() as never);
    telemetry.recordError('sparse.op', 'timeout', sparse() as never);
    telemetry.recordSuccess('sparse.op', sparse() as never);
    telemetry.recordLatency('sparse.duration_ms', 5, sparse() as never);
    telemetry.setBaggage(undefined as never, sparse() as never);
    telemetry.withBaggage(sparse() as never, () => undefined);
    expect(health().errors).toBe(0);
    expect(health().metricsEmitted).toBeGreaterThanOrEqual(5);
    expect(health().droppedByReason).toEqual({});
  });

  it('a revoked proxy as labels is dropped as invalid_label by every recording function, never an internal error', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    telemetry.emitWithOptions('revoked.total', 1, { labels: proxy as never });
    telemetry.emitWithContext('revoked.total', 1, proxy as never);
    telemetry.recordSuccess('revoked.op', proxy as never);
    telemetry.recordLatency('revoked.duration_ms', 5, proxy as never);
    telemetry.recordBytes('revoked.bytes', 5, proxy as never);
    expect(health()).toMatchObject({ errors: 0, metricsEmitted: 0 });
    expect(Object.values(health().droppedByReason).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
  });

  it('startSpan() and setBaggage() take parents that look like contexts but throw or hold no span', () => {
    const throwingGet = { getValue: throwing, setValue: throwing, deleteValue: throwing };
    const notASpan = { getValue: () => ({}), setValue: () => notASpan, deleteValue: () => notASpan };
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(() => {
      telemetry.setBaggage(revoked as never, 'k', 'v');
      telemetry.setBaggage(new Proxy({}, { get: throwing }) as never, 'k', 'v');
      telemetry.startSpan('child', { parent: revoked as never }).end();
      telemetry.startSpan('child', { parent: throwingGet as never }).end();
      telemetry.startSpan('child', { parent: notASpan as never }).end();
      telemetry.setBaggage(throwingGet as never, 'k', 'v');
      telemetry.setBaggage(notASpan as never, 'k', 'v');
    }).not.toThrow();
    expect(health().errors).toBe(0);
  });

  it('declareMetrics() given proxies, revoked or throwing, anywhere: each declaration ignored and reported, never an internal error', () => {
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const throwingProxy = new Proxy({}, { get: throwing });
    expect(() => {
      telemetry.declareMetrics('m', revoked as never);
      telemetry.declareMetrics('m', { metrics: revoked as never });
      telemetry.declareMetrics('m', { metrics: [revoked, throwingProxy] as never });
      telemetry.declareMetrics('m', { metrics: [{ name: 'a.total', type: 'counter', labels: revoked as never }] });
      telemetry.declareMetrics('m', { metrics: [{ name: 'b.duration_ms', type: 'histogram', buckets: revoked as never }] });
      telemetry.declareMetrics('m', throwingProxy as never);
      telemetry.declareMetrics('m', { metrics: [{ name: 'c.total', type: 'counter', labels: sparse() as never }] });
    }).not.toThrow();
    expect(health().errors).toBe(0);
    expect(bed.logger.matching('wrongly and it was ignored').length).toBeGreaterThanOrEqual(2);
    expect(bed.logger.matching('declareMetrics() was given something that cannot be read')).toHaveLength(1);
  });

  it('mixed-type arrays and arrays whose iterator or items throw are left out and counted', async () => {
    const iterates = Object.assign([1, 2], { [Symbol.iterator]: throwing });
    const items = new Proxy(['a', 'b'], { get: (target, key) => (key === '1' ? throwing() : Reflect.get(target, key)) });
    const span = telemetry.startSpan('arrays');
    span.setAttribute('mixed', [1, 'a'] as never);
    span.setAttribute('iterates', iterates);
    span.setAttribute('items', items as never);
    span.end();
    await telemetry.forceFlush();
    const [exported] = bed.receiver.spans().filter((s) => s.name === 'arrays');
    expect(Object.keys(exported.attributes)).toEqual(['iterates']); // read by index: its iterator is never used
    expect(exported.attributes.iterates).toHaveLength(2);
    expect(health().sanitizedByReason.span_attribute_dropped).toBe(2);
  });

  it('startSpan() takes options that are proxies or carry throwing getters, and links that are null or invalid', async () => {
    const getters = Object.defineProperties({}, Object.fromEntries(['kind', 'attributes', 'links', 'startTime', 'root']
      .map((key) => [key, { enumerable: true, get: throwing }])));
    const proxy = new Proxy({}, { get: throwing, ownKeys: throwing, has: throwing });
    const linked = telemetry.startSpan('target');
    const valid = { traceId: linked.traceId as string, spanId: linked.spanId as string, traceFlags: 1 };
    linked.end();
    expect(() => {
      telemetry.startSpan('getters', getters as never).end();
      telemetry.startSpan('proxy', proxy as never).end();
      telemetry.startSpan('links', {
        links: [null, { context: null }, { context: { traceId: 'zz', spanId: 'yy' } }, { get context() { return throwing(); } },
          { context: { ...valid, traceState: { serialize: throwing } } }, { context: valid, attributes: { via: 'queue' } }] as never,
      }).end();
      telemetry.startSpan('many links', { links: sparse(10_000_000) as never }).end();
    }).not.toThrow();
    await telemetry.forceFlush();
    const names = bed.receiver.spans().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['getters', 'proxy', 'links', 'many links']));
    const links = (bed.receiver.traceRequests as { resourceSpans: { scopeSpans: { spans: { name: string; links: unknown[] }[] }[] }[] }[])
      .flatMap((r) => r.resourceSpans).flatMap((r) => r.scopeSpans).flatMap((s) => s.spans).find((s) => s.name === 'links')?.links;
    expect(links).toHaveLength(2); // the valid context (its throwing trace state left out) and the valid link
    // The 4 unusable links; the holes of the sparse array are no links, and are not counted as dropped ones.
    expect(health().sanitizedByReason.span_link_dropped).toBe(4);
    expect(health().errors).toBe(0);
  });

  it('emitWithOptions() with a context that is not a context records the call without baggage', () => {
    telemetry.emitWithOptions('ctx.total', 1, { context: {} as never });
    telemetry.emitWithOptions('ctx.total', 1, { context: null as never });
    telemetry.emitWithOptions('ctx.total', 1, { context: new Proxy({}, { get: throwing }) as never });
    expect(health()).toMatchObject({ metricsEmitted: 3, errors: 0, droppedByReason: {} });
  });

  it('emitWithContext() with labels a proxy that throws, baggage in scope: dropped as invalid_label, not an internal error', () => {
    telemetry.withBaggage({ tenant: 'acme' }, () => telemetry.emitWithContext('ctx.total', 1, new Proxy({}, { get: throwing, ownKeys: throwing }) as never));
    expect(health()).toMatchObject({ metricsEmitted: 0, errors: 0, droppedByReason: { invalid_label: 1 } });
  });

  it('span.setAttribute() cuts keys to 1,024 characters, as setAttributes() does', async () => {
    const span = telemetry.startSpan('keys');
    span.setAttribute('k'.repeat(500_000), 1);
    span.setAttributes({ ['j'.repeat(500_000)]: 2, ok: 3 });
    span.end();
    await telemetry.forceFlush();
    const [exported] = bed.receiver.spans().filter((s) => s.name === 'keys');
    expect(Object.keys(exported.attributes).map((k) => k.length).sort((a, b) => a - b)).toEqual([2, 1024, 1024]);
  });
});

describe('redaction of stack traces and of tracedFetch errors, with piiRedaction on', () => {
  let bed: TestBed;
  beforeEach(async () => {
    bed = await startTestBed({ piiRedaction: true });
  });
  afterEach(() => bed.stop());

  it('redacts every line of a stack trace that looks personal: a multi-line message, a name holding an e-mail', async () => {
    const multiLine = new Error('invalid input:\n  email: jane.doe@example.com\n  card: 4111 1111 1111 1111');
    const named = Object.assign(new Error('not found'), { name: 'NotFound(ann@example.com)' });
    named.stack = `NotFound(ann@example.com): not found\n    at handler (/srv/app.js:10:5)`;
    expect(() => telemetry.withSpan('multi', () => { throw multiLine; })).toThrow(multiLine);
    telemetry.startSpan('named').recordError(named).end();
    await telemetry.forceFlush();
    const wire = JSON.stringify(bed.receiver.traceRequests);
    for (const secret of ['jane.doe@example.com', '4111 1111 1111 1111', 'ann@example.com']) expect(wire).not.toContain(secret);
    const stack = (name: string) => bed.receiver.spans().find((s) => s.name === name)?.events
      .find((e) => e.name === 'exception')?.attributes.find((a) => a.key === 'exception.stacktrace')?.value.stringValue as string;
    // The message, redacted as a whole, is replaced where the stack repeats it: none of its lines is left behind.
    expect(stack('multi').split('\n').slice(0, 2)).toEqual(['Error: [REDACTED]', expect.stringMatching(/^\s+at /)]);
    expect(stack('named')).toBe('[REDACTED]\n    at handler (/srv/app.js:10:5)');
  });

  it('tracedFetch() records a failed fetch through the same redaction: a URL with credentials never reaches the wire', async () => {
    const server: Server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(telemetry.tracedFetch(`http://admin:S3cretPassw0rd@127.0.0.1:${port}/`)).rejects.toThrow();
      await telemetry.forceFlush();
      const wire = JSON.stringify(bed.receiver.traceRequests);
      expect(wire).toContain('"exception"');
      expect(wire).not.toContain('S3cretPassw0rd');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('leaves out an attribute whose key looks personal (a key cannot become [REDACTED] without colliding), and counts it', async () => {
    const before = telemetry.getHealth().sanitizedByReason.pii_redacted ?? 0;
    const span = telemetry.startSpan('keys');
    span.setAttribute('user jane.doe@example.com', 'x');
    span.setAttributes({ 'bob@example.com': 1, ok: 2 });
    span.end();
    await telemetry.forceFlush();
    const [exported] = bed.receiver.spans().filter((s) => s.name === 'keys');
    expect(Object.keys(exported.attributes)).toEqual(['ok']);
    expect(JSON.stringify(bed.receiver.traceRequests)).not.toContain('example.com');
    expect((telemetry.getHealth().sanitizedByReason.pii_redacted ?? 0) - before).toBe(2);
  });

  it('judges a value cut at its limit with what followed the cut: a cut e-mail or card number is still redacted', async () => {
    await bed.stop();
    bed = await startTestBed({ piiRedaction: true, maxLabelValueLength: 64, spanLimits: { attributeValueLengthLimit: 64 } });
    const email = `${'x'.repeat(48)} jane.doe@company.com`; // cut at 64 leaves "... jane.doe@compa"
    const card = `${'y'.repeat(50)} 4111111111111111`; // cut at 64 leaves 13 of its 16 digits
    telemetry.counter('cut.total', 'a', email, 'b', card);
    telemetry.startSpan('cut').setAttributes({ a: email, b: card }).end();
    await telemetry.forceFlush();
    expect(bed.receiver.latest('cut.total')[0].attributes).toEqual({ a: '[REDACTED]', b: '[REDACTED]' });
    expect(bed.receiver.spans().find((s) => s.name === 'cut')?.attributes).toEqual({ a: '[REDACTED]', b: '[REDACTED]' });
    const wire = JSON.stringify(bed.receiver.traceRequests) + JSON.stringify(bed.receiver.metricRequests);
    expect(wire).not.toContain('jane.doe@compa');
    expect(wire).not.toContain('4111111111111');
  });

  it('checks at most 64 K characters of attribute strings per operation: a flood of large arrays is cut, not scanned for seconds', async () => {
    const strings = Array.from({ length: 1024 }, (_, i) => `${i}`.padEnd(4096, 'x')); // each exactly at the limit
    const attributes = Object.fromEntries(Array.from({ length: 32 }, (_, k) => [`k${k}`, strings]));
    const span = telemetry.startSpan('flood');
    span.setAttributes(attributes);
    span.end();
    await telemetry.forceFlush();
    const exported = bed.receiver.spans().find((s) => s.name === 'flood')?.attributes as Record<string, string[]>;
    const kept = Object.values(exported).reduce((total, values) => total + values.length, 0);
    // The default value limit here is 4096 characters: 16 strings fit in 64 K, the rest of the first array is cut off
    // and the 31 other arrays are left out whole.
    expect(kept).toBe(16);
    expect(telemetry.getHealth().sanitizedByReason).toMatchObject({ span_attribute_truncated: 1, span_attribute_dropped: 31 });
  });

  it('the links and the attributes given at start share one 64 K budget: one span operation', async () => {
    const strings = Array.from({ length: 16 }, (_, i) => `${i}`.padEnd(4096, 'x')); // 64 K: the whole budget
    const parent = telemetry.startSpan('linked-to');
    const span = telemetry.startSpan('shared-budget', {
      links: [{ context: (telemetry.otelSpanOf(parent) as NonNullable<ReturnType<typeof telemetry.otelSpanOf>>).spanContext(), attributes: { big: strings } }],
      attributes: { after: 'x'.repeat(100) },
    });
    span.end();
    parent.end();
    await telemetry.forceFlush();
    const exported = bed.receiver.spans().find((s) => s.name === 'shared-budget');
    // The links used the budget up: the attribute after them is left out, not checked against a second budget.
    expect(exported?.attributes).toEqual({});
    expect(telemetry.getHealth().sanitizedByReason).toMatchObject({ span_attribute_dropped: 1 });
  });

  it('judges the last line of a stack trace cut at 16 KB with what followed the cut', async () => {
    const error = new Error('boom');
    error.stack = `Error: boom\n${'    at frame (/srv/app.js:1:1)\n'.repeat(527)}    at handler for jane.doe@example.com`;
    telemetry.startSpan('cut-stack').recordError(error).end();
    await telemetry.forceFlush();
    const wire = JSON.stringify(bed.receiver.traceRequests);
    expect(wire).toContain('at frame');
    expect(wire).not.toMatch(/jane\.doe@exa/);
  });
});

describe('root spans decided early, against hostile options and contexts', () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  const revoked = (): object => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };

  it('a start time that cannot even be inspected is left out, never thrown, sampled or not', async () => {
    bed = await startTestBed({ samplingRate: 0.5 });
    const trapped = new Proxy({}, { getPrototypeOf: throwing });
    for (let i = 0; i < 200; i++) {
      expect(() => telemetry.startSpan('r', { startTime: revoked() as never }).end()).not.toThrow();
      expect(() => telemetry.startSpan('r', { startTime: trapped as never }).end()).not.toThrow();
    }
  });

  it('option getters run before the decision: the application\'s own roots keep their rate, and so do ours', async () => {
    bed = await startTestBed({ samplingRate: 0.5 });
    const { trace, ROOT_CONTEXT } = await import('@opentelemetry/api');
    const app = trace.getTracer('app');
    let inner = 0;
    let outer = 0;
    const N = 2000;
    for (let i = 0; i < N; i++) {
      const options = {
        get attributes() {
          const span = app.startSpan('inner', {}, ROOT_CONTEXT); // the application's root, inside our getter
          if (span.isRecording()) inner++;
          span.end();
          return { a: 1 };
        },
      };
      const span = telemetry.startSpan('outer', options);
      if (span.isRecording()) outer++;
      span.end();
    }
    // Were a primed id taken by the inner span: inner about 75%, outer about 25%.
    expect(inner / N).toBeGreaterThan(0.44);
    expect(inner / N).toBeLessThan(0.56);
    expect(outer / N).toBeGreaterThan(0.44);
    expect(outer / N).toBeLessThan(0.56);
  });

  it('a throw on the way never leaves a sampled trace id for the next root', async () => {
    bed = await startTestBed({ samplingRate: 0.5 });
    const { trace, ROOT_CONTEXT } = await import('@opentelemetry/api');
    let sampled = 0;
    for (let i = 0; i < 1000; i++) {
      try {
        telemetry.startSpan('x', { startTime: revoked() as never }).end();
      } catch {
        // the old failure; the count below is what matters
      }
      const span = trace.getTracer('app').startSpan('job', {}, ROOT_CONTEXT);
      if (span.isRecording()) sampled++;
      span.end();
    }
    // Half, as the ratio says; a primed id left behind whenever ours was sampled would make it three quarters.
    expect(sampled / 1000).toBeGreaterThan(0.42);
    expect(sampled / 1000).toBeLessThan(0.58);
  });

  it('an active span whose context throws: currentTraceId(), logContext() and startSpan() still answer', async () => {
    bed = await startTestBed({ samplingRate: 1 });
    const { context, trace, ROOT_CONTEXT } = await import('@opentelemetry/api');
    const broken = { spanContext: throwing } as unknown as import('@opentelemetry/api').Span;
    context.with(trace.setSpan(ROOT_CONTEXT, broken), () => {
      expect(telemetry.currentTraceId()).toBeUndefined();
      expect(telemetry.logContext()).toEqual({});
      expect(() => telemetry.startSpan('under a broken span').end()).not.toThrow();
    });
  });
});
