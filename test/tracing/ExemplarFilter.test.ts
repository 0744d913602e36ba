import { ROOT_CONTEXT, trace, TraceFlags, type Context, type Span } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider, TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace-base';
import { ExemplarFilter, isHexId } from '../../src/tracing/ExemplarFilter';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

/** A context whose active span has this span context (any object, as an application's propagator could make). */
const withSpanContext = (spanContext: unknown): Context => trace.setSpan(ROOT_CONTEXT, { spanContext: () => spanContext } as unknown as Span);
const sampled = (traceId = TRACE, spanId = SPAN): Context => withSpanContext({ traceId, spanId, traceFlags: TraceFlags.SAMPLED });
const unsampled = (): Context => withSpanContext({ traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.NONE });

/** A filter reading the context the test makes active. */
function filterOn(name: 'trace_based' | 'always_on' | 'always_off') {
  let active: Context = ROOT_CONTEXT;
  const filter = new ExemplarFilter(name, () => active);
  return { filter, activate: (context: Context) => { active = context; } };
}

describe('ExemplarFilter: which measurements become exemplars', () => {
  it('trace_based: a measurement within a valid sampled span, with its ids; not one without a span or in an unsampled one', () => {
    const { filter, activate } = filterOn('trace_based');
    expect(filter.open).toBe(0); // until a sampled span of ours starts (below)
    expect(filter.sample()).toBe(false);
    activate(sampled());
    expect(filter.sample()).toBe(true);
    expect([filter.traceId, filter.spanId]).toEqual([TRACE, SPAN]);
    activate(unsampled());
    expect(filter.sample()).toBe(false);
    activate(withSpanContext({ traceId: TRACE, spanId: SPAN, traceFlags: '1' })); // flags that are not a number
    expect(filter.sample()).toBe(false);
    activate(ROOT_CONTEXT);
    expect(filter.sample()).toBe(false);
  });

  it('always_on: every measurement, with the active span\'s ids when there is one, sampled or not', () => {
    const { filter, activate } = filterOn('always_on');
    expect(filter.open).toBe(1);
    expect(filter.sample()).toBe(true);
    expect([filter.traceId, filter.spanId]).toEqual(['', '']);
    activate(unsampled());
    expect(filter.sample()).toBe(true);
    expect([filter.traceId, filter.spanId]).toEqual([TRACE, SPAN]);
    activate(sampled('0'.repeat(31) + '1', '0'.repeat(15) + '2'));
    expect(filter.sample()).toBe(true);
    expect(filter.spanId).toBe('0'.repeat(15) + '2');
  });

  it('always_off: never open, nothing sampled', () => {
    const { filter, activate } = filterOn('always_off');
    activate(sampled());
    expect(filter.open).toBe(0);
    expect(filter.sample()).toBe(false);
  });

  it.each([
    ['an all-zero trace id', { traceId: '0'.repeat(32), spanId: SPAN, traceFlags: 1 }],
    ['an all-zero span id', { traceId: TRACE, spanId: '0'.repeat(16), traceFlags: 1 }],
    ['a trace id too short', { traceId: TRACE.slice(1), spanId: SPAN, traceFlags: 1 }],
    ['a span id with a non-hex digit', { traceId: TRACE, spanId: 'b7ad6b716920333g', traceFlags: 1 }],
    ['ids that are not strings', { traceId: 42, spanId: ['b7ad6b7169203331'], traceFlags: 1 }],
    ['a trace id with a 1 MB tail', { traceId: TRACE + 'f'.repeat(1 << 20), spanId: SPAN, traceFlags: 1 }],
    ['getters that throw', { get traceId(): string { throw new Error('boom'); }, spanId: SPAN, traceFlags: 1 }],
    ['a revoked proxy', (() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; })()],
    ['null', null],
  ])('a span context with %s gives no exemplar under trace_based, and no ids under always_on', (_what, spanContext) => {
    const traceBased = filterOn('trace_based');
    traceBased.activate(withSpanContext(spanContext));
    expect(traceBased.filter.sample()).toBe(false);
    const alwaysOn = filterOn('always_on');
    alwaysOn.activate(withSpanContext(spanContext));
    expect(alwaysOn.filter.sample()).toBe(true);
    expect([alwaysOn.filter.traceId, alwaysOn.filter.spanId]).toEqual(['', '']);
  });

  it('a span whose spanContext() throws, a context whose getValue throws, or a context reader that throws: no exemplar, no throw', () => {
    const throwingSpan = trace.setSpan(ROOT_CONTEXT, { spanContext: () => { throw new Error('boom'); } } as unknown as Span);
    const throwingContext = { getValue: () => { throw new Error('boom'); }, setValue: () => ROOT_CONTEXT, deleteValue: () => ROOT_CONTEXT } as Context;
    for (const context of [throwingSpan, throwingContext]) {
      const { filter, activate } = filterOn('trace_based');
      activate(context);
      expect(filter.sample()).toBe(false);
    }
    const broken = new ExemplarFilter('always_on', () => { throw new Error('no context'); });
    expect(broken.sample()).toBe(true);
    expect(broken.traceId).toBe('');
  });

  it('upper-case hex ids (valid for the API) are lowercased', () => {
    const { filter, activate } = filterOn('trace_based');
    activate(sampled(TRACE.toUpperCase(), SPAN.toUpperCase()));
    expect(filter.sample()).toBe(true);
    expect([filter.traceId, filter.spanId]).toEqual([TRACE, SPAN]);
  });

  it('reads a span context once per context object: the recordings of one span check its ids once', () => {
    let reads = 0;
    const spanContext = { get traceId() { reads++; return TRACE; }, spanId: SPAN, traceFlags: 1 };
    const { filter, activate } = filterOn('trace_based');
    activate(withSpanContext(spanContext));
    for (let i = 0; i < 100; i++) expect(filter.sample()).toBe(true);
    expect(reads).toBe(1);
    activate(withSpanContext(spanContext)); // another context holding the same span context
    expect(filter.sample()).toBe(true);
    expect(reads).toBe(1);
  });

  it('isHexId takes exactly `length` hex digits, not all zero', () => {
    expect(isHexId(TRACE, 32)).toBe(true);
    expect(isHexId(TRACE.toUpperCase(), 32)).toBe(true);
    expect(isHexId(SPAN, 32)).toBe(false);
    expect(isHexId('0'.repeat(16), 16)).toBe(false);
    expect(isHexId('000000000000000x', 16)).toBe(false);
    expect(isHexId(undefined, 16)).toBe(false);
  });
});

describe('ExemplarFilter: the gate counts live sampled spans of our TracerProvider', () => {
  const providerWith = (filter: ExemplarFilter, sampler: Sampler = new AlwaysOnSampler()) =>
    new BasicTracerProvider({ sampler, spanProcessors: [filter.processor] }).getTracer('test');

  it('opens while a sampled span is alive, closes when the last one ends; an end repeated counts once', () => {
    const filter = new ExemplarFilter('trace_based');
    const tracer = providerWith(filter);
    const a = tracer.startSpan('a');
    const b = tracer.startSpan('b');
    expect(filter.open).toBe(2);
    a.end();
    a.end(); // the SDK ignores a second end()
    expect(filter.open).toBe(1);
    b.end();
    expect(filter.open).toBe(0);
  });

  it('spans the sampler drops never open it', () => {
    const off = new ExemplarFilter('trace_based');
    providerWith(off, new AlwaysOffSampler()).startSpan('dropped').end();
    const ratio = new ExemplarFilter('trace_based');
    const tracer = providerWith(ratio, new TraceIdRatioBasedSampler(0));
    const span = tracer.startSpan('unsampled');
    expect([off.open, ratio.open]).toEqual([0, 0]);
    span.end();
    expect(ratio.open).toBe(0);
  });

  it('always_on and always_off keep no count', () => {
    const on = new ExemplarFilter('always_on');
    const off = new ExemplarFilter('always_off');
    providerWith(on).startSpan('a');
    providerWith(off).startSpan('a');
    expect([on.open, off.open]).toEqual([1, 0]);
  });
});

describe('ExemplarFilter: keeps nothing of a context once it is done with it', () => {
  /** Whether the filter still references `context` (its cache of the context read last). */
  const holds = (filter: ExemplarFilter, context: Context): boolean => Object.values(filter).includes(context);

  it('trace_based: the last sampled span ending lets go of the context read last (the gate closes, nothing reads again)', () => {
    const { filter, activate } = filterOn('trace_based');
    const provider = new BasicTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [filter.processor] });
    const span = provider.getTracer('t').startSpan('request');
    const request = trace.setSpan(ROOT_CONTEXT, span).setValue(Symbol('body'), Buffer.alloc(1024));
    activate(request);
    expect(filter.sample()).toBe(true);
    expect(holds(filter, request)).toBe(true);
    span.end();
    expect(filter.open).toBe(0);
    expect(holds(filter, request)).toBe(false);
    expect([filter.traceId, filter.spanId]).toEqual(['', '']);
  });

  it('forget() (each snapshot) lets go of it under always_on too, and the next measurement reads the context again', () => {
    const { filter, activate } = filterOn('always_on');
    const request = sampled();
    activate(request);
    expect(filter.sample()).toBe(true);
    filter.forget();
    expect(holds(filter, request)).toBe(false);
    expect(filter.sample()).toBe(true);
    expect([filter.traceId, filter.spanId]).toEqual([TRACE, SPAN]);
  });
});
