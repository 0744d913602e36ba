import { context, trace, SpanKind, SpanStatusCode, ROOT_CONTEXT, TraceFlags, INVALID_TRACEID, isSpanContextValid, type SpanContext } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { InMemorySpanExporter, SamplingDecision, TraceIdRatioBasedSampler, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as telemetry from '../../src/index';
import { buildSampler } from '../../src/tracing/sampler';
import { startTestBed, type TestBed } from '../support/telemetry';

describe('spans', () => {
  let bed: TestBed;
  let spans: InMemorySpanExporter;
  const finished = async (): Promise<ReadableSpan[]> => {
    await telemetry.forceFlush();
    return spans.getFinishedSpans();
  };
  const byName = (list: ReadableSpan[], name: string) => list.find((s) => s.name === name) as ReadableSpan;

  beforeEach(async () => {
    spans = new InMemorySpanExporter();
    bed = await startTestBed({ piiRedaction: true }, { spanExporter: spans });
  });
  afterEach(() => bed.stop());

  it('startSpan() returns a span with attributes, events, status and error recording', async () => {
    const span = telemetry.startSpan('cache.refresh', { kind: SpanKind.INTERNAL, attributes: { 'cache.name': 'users' } });
    span.setAttribute('entries', 42).setAttributes({ warm: true }).addEvent('loaded', { count: 42 });
    span.recordError(new TypeError('boom'));
    span.end();
    span.end();
    const [recorded] = await finished();
    expect(recorded.name).toBe('cache.refresh');
    expect(recorded.attributes).toMatchObject({ 'cache.name': 'users', entries: 42, warm: true });
    expect(recorded.events.map((e) => e.name)).toEqual(['loaded', 'exception']);
    expect(recorded.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('withSpan() makes the span active: nested and async children get the right parent', async () => {
    await telemetry.withSpan('parent', async (parent) => {
      expect(telemetry.currentTraceId()).toBe(parent.traceId);
      telemetry.withSpan('sync-child', () => undefined);
      await new Promise<void>((resolve) => setTimeout(() => {
        telemetry.startSpan('timer-child').end();
        resolve();
      }, 0)); // across a timer: the context must follow
      await Promise.all([1, 2].map((i) => telemetry.withSpan(`async-child-${i}`, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        telemetry.startSpan(`grandchild-${i}`).end();
      })));
    });
    expect(telemetry.currentTraceId()).toBeUndefined();
    const list = await finished();
    const parent = byName(list, 'parent');
    for (const name of ['sync-child', 'timer-child', 'async-child-1', 'async-child-2']) {
      expect(byName(list, name).parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    }
    expect(byName(list, 'grandchild-1').parentSpanContext?.spanId).toBe(byName(list, 'async-child-1').spanContext().spanId);
    expect(new Set(list.map((s) => s.spanContext().traceId)).size).toBe(1);
  });

  it('withSpan() records a thrown error or a rejection, rethrows it, and always ends the span', async () => {
    expect(() => telemetry.withSpan('sync-fail', () => {
      throw new RangeError('bad range');
    })).toThrow('bad range');
    await expect(telemetry.withSpan('async-fail', async () => {
      throw new Error('async boom');
    })).rejects.toThrow('async boom');
    expect(telemetry.withSpan('value', () => 7)).toBe(7);
    const list = await finished();
    for (const name of ['sync-fail', 'async-fail']) {
      const span = byName(list, name);
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.events[0].name).toBe('exception');
    }
    expect(byName(list, 'sync-fail').events[0].attributes?.['exception.type']).toBe('RangeError');
    expect(byName(list, 'value').status.code).toBe(SpanStatusCode.UNSET);
  });

  it('traceOperation() records the span, a duration histogram and an error counter under one stem', async () => {
    await telemetry.traceOperation('weather.fetch', async () => 'sunny', 'provider', 'meteo');
    await expect(telemetry.traceOperation('weather.fetch', async () => {
      throw new TypeError('offline');
    }, 'provider', 'meteo')).rejects.toThrow('offline');
    const list = await finished();
    expect(list.filter((s) => s.name === 'weather.fetch')).toHaveLength(2);
    const durations = bed.receiver.latest('weather.fetch.duration_ms');
    expect(durations.map((p) => [p.attributes.status, p.count]).sort()).toEqual([['error', 1], ['ok', 1]]);
    expect(durations[0]).toMatchObject({ kind: 'histogram', unit: 'ms' });
    expect(bed.receiver.latest('weather.fetch.errors')[0]).toMatchObject({ value: 1, attributes: { provider: 'meteo', error_type: 'TypeError' } });
  });

  it('redacts personal data in span attributes and events when piiRedaction is on', async () => {
    const span = telemetry.startSpan('login', { attributes: { 'user.email': 'ann@example.com' } });
    span.setAttribute('client.ip', '203.0.113.9').addEvent('token', { value: 'Bearer abcdefghijk123456' }).end();
    const [recorded] = await finished();
    expect(recorded.attributes).toEqual({ 'user.email': '[REDACTED]', 'client.ip': '[REDACTED]' });
    expect(recorded.events[0].attributes).toEqual({ value: '[REDACTED]' });
  });

  it('counts spans dropped because the batch queue is full', async () => {
    await bed.stop();
    spans = new InMemorySpanExporter();
    bed = await startTestBed({ spanBatch: { maxQueueSize: 3, maxExportBatchSize: 3, scheduledDelayMs: 60_000 } }, { spanExporter: spans });
    for (let i = 0; i < 10; i++) telemetry.startSpan(`s${i}`).end();
    // A full batch is exported at once (asynchronously), so some spans find room again; every span is either
    // exported or counted as dropped.
    const dropped = telemetry.getHealth().lostByReason.span_queue_full;
    const exported = (await finished()).length;
    expect(dropped).toBeGreaterThan(0);
    expect(dropped + exported).toBe(10);
  });
});

describe('without initialize()', () => {
  it('hands out the shared no-op span and still runs the work', async () => {
    const span = telemetry.startSpan('x');
    expect(span).toBe(telemetry.NOOP_SPAN);
    expect(span.isRecording()).toBe(false);
    expect(telemetry.withSpan('x', () => 5)).toBe(5);
    await expect(telemetry.traceOperation('x', async () => 6)).resolves.toBe(6);
    expect(telemetry.currentTraceId()).toBeUndefined();
  });
});

describe('sampling', () => {
  it('is deterministic by trace ID: the same ID always gets the same decision', () => {
    const sampler = buildSampler({ type: 'parentbased_traceidratio', ratio: 0.25 });
    let kept = 0;
    for (let i = 0; i < 4000; i++) {
      const traceId = (i * 2654435761).toString(16).padStart(8, '0').repeat(4).slice(0, 32);
      const first = sampler.shouldSample(ROOT_CONTEXT, traceId, 'op', SpanKind.INTERNAL, {}, []).decision;
      const again = sampler.shouldSample(ROOT_CONTEXT, traceId, 'op', SpanKind.INTERNAL, {}, []).decision;
      expect(again).toBe(first);
      if (first === SamplingDecision.RECORD_AND_SAMPLED) kept++;
    }
    expect(kept / 4000).toBeGreaterThan(0.2);
    expect(kept / 4000).toBeLessThan(0.3);
  });

  it('follows a sampled parent even at a low ratio', () => {
    const sampler = buildSampler({ type: 'parentbased_traceidratio', ratio: 0 });
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(sampler.shouldSample(parent, 'a'.repeat(32), 'op', SpanKind.SERVER, {}, []).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('samples nothing with OTEL_TRACES_SAMPLER=always_off', async () => {
    process.env.OTEL_TRACES_SAMPLER = 'always_off';
    const spans = new InMemorySpanExporter();
    const bed = await startTestBed({}, { spanExporter: spans });
    try {
      telemetry.startSpan('never').end();
      await telemetry.forceFlush();
      expect(spans.getFinishedSpans()).toHaveLength(0);
    } finally {
      delete process.env.OTEL_TRACES_SAMPLER;
      await bed.stop();
    }
  });
});

describe('console exporter', () => {
  it("prints spans to stdout with exporter: 'console'", async () => {
    const dir = jest.spyOn(console, 'dir').mockImplementation(() => undefined);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      telemetry.initialize({ serviceName: 'console-test', exporter: 'console', logger: { warn: () => undefined, info: () => undefined } });
      telemetry.startSpan('printed').end();
      await telemetry.shutdown();
      const printed = [...dir.mock.calls, ...log.mock.calls].map((call) => JSON.stringify(call[0]));
      expect(printed.some((line) => line.includes('printed'))).toBe(true);
    } finally {
      dir.mockRestore();
      log.mockRestore();
    }
  });
});

describe('Tracer interface and pipeline', () => {
  it('noopTracer costs nothing and runs the work', () => {
    expect(telemetry.noopTracer.withSpan('x', (span) => span === telemetry.NOOP_SPAN)).toBe(true);
    expect(telemetry.noopTracer.startSpan('x')).toBe(telemetry.NOOP_SPAN);
  });

  it('runs steps in order with one child span per step', async () => {
    const spans = new InMemorySpanExporter();
    const bed = await startTestBed({}, { spanExporter: spans });
    try {
      const result = await telemetry.pipeline<number>('agent-create')
        .step('validate', (n) => n + 1)
        .step('enrich', async (n) => `${n * 10}`)
        .step('persist', (s, span) => {
          span.setAttribute('stored', s);
          return { id: s };
        })
        .run(4);
      expect(result).toEqual({ id: '50' });
      await expect(telemetry.pipeline<number>('failing').step('boom', () => {
        throw new Error('step failed');
      }).run(1)).rejects.toThrow('step failed');
      await telemetry.forceFlush();
      const list = spans.getFinishedSpans();
      const root = list.find((s) => s.name === 'agent-create') as ReadableSpan;
      const steps = list.filter((s) => s.name.startsWith('agent-create.'));
      expect(steps.map((s) => s.name)).toEqual(['agent-create.validate', 'agent-create.enrich', 'agent-create.persist']);
      for (const step of steps) expect(step.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(steps[2].attributes.stored).toBe('50');
      expect(list.find((s) => s.name === 'failing.boom')?.status.code).toBe(SpanStatusCode.ERROR);
      expect(list.find((s) => s.name === 'failing')?.status.code).toBe(SpanStatusCode.ERROR);
    } finally {
      await bed.stop();
    }
  });

  it('a pipeline with noopTracer records nothing', async () => {
    await expect(telemetry.pipeline<number>('quiet', { tracer: telemetry.noopTracer }).step('double', (n) => n * 2).run(2)).resolves.toBe(4);
  });
});

describe('attributes of spans that are not sampled', () => {
  it('are never read, cut or redacted: an unsampled request pays nothing for them', async () => {
    const bed = await startTestBed({ samplingRate: 0 });
    try {
      let reads = 0;
      const attributes = Object.defineProperty({}, 'url.path', {
        enumerable: true,
        get: () => {
          reads++;
          return '/users/jane.doe@example.com';
        },
      });
      const span = telemetry.startSpan('unsampled', { attributes });
      span.end();
      expect(reads).toBe(0);
      await bed.stop();
      const sampled = await startTestBed({ samplingRate: 1 });
      try {
        telemetry.startSpan('sampled', { attributes }).end();
        expect(reads).toBe(1);
      } finally {
        await sampled.stop();
      }
    } finally {
      await telemetry.shutdown({ timeoutMs: 1000 });
    }
  });
});

describe('root spans decided early (no parent span, a ratio or always-off sampler)', () => {
  let bed: TestBed;
  let spans: InMemorySpanExporter;
  afterEach(() => bed.stop());

  it('decide exactly as the SDK would for the same trace id, and a sampled one keeps the id it was decided on', async () => {
    spans = new InMemorySpanExporter();
    bed = await startTestBed({ samplingRate: 0.5 }, { spanExporter: spans });
    const reference = new TraceIdRatioBasedSampler(0.5);
    // The span withSpan() makes active is the OpenTelemetry span itself, with its context.
    const started = Array.from({ length: 2000 }, (_, i) =>
      telemetry.withSpan(`root-${i}`, () => trace.getActiveSpan()?.spanContext() as SpanContext));
    const recorded = new Set((await telemetry.forceFlush(), spans.getFinishedSpans()).map((s) => s.spanContext().traceId));
    for (const ctx of started) {
      const expected = reference.shouldSample(ROOT_CONTEXT, ctx.traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
      expect(recorded.has(ctx.traceId)).toBe(expected);
      expect(ctx.traceFlags).toBe(expected ? TraceFlags.SAMPLED : TraceFlags.NONE);
      expect(isSpanContextValid(ctx)).toBe(true);
    }
    expect(recorded.size).toBeGreaterThan(800);
    expect(recorded.size).toBeLessThan(1200);
    expect(new Set(started.map((ctx) => ctx.traceId)).size).toBe(2000); // no trace id handed out twice
  });

  it('leave children, remote parents and suppressed tracing to the SDK', async () => {
    spans = new InMemorySpanExporter();
    bed = await startTestBed({ samplingRate: 0 }, { spanExporter: spans });
    // A sampled remote parent is followed (parent-based), though the ratio is 0.
    const remote = trace.setSpanContext(ROOT_CONTEXT, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED, isRemote: true });
    // What the span withSpan() makes active is, while it runs: the OpenTelemetry span's context and whether it records.
    const active = () => {
      const span = trace.getActiveSpan();
      return { ctx: span?.spanContext() as SpanContext, recording: span?.isRecording() };
    };
    const child = telemetry.withSpan('child', active, { parent: remote });
    expect(child.ctx.traceId).toBe('a'.repeat(32));
    expect(child.recording).toBe(true);
    // Suppressed tracing gives the SDK's invalid span, not a fresh trace.
    const suppressed = telemetry.withSpan('quiet', active, { parent: suppressTracing(ROOT_CONTEXT) });
    expect(suppressed.ctx.traceId).toBe(INVALID_TRACEID);
    // An unsampled root still carries valid ids, to propagate the decision downstream.
    const root = telemetry.withSpan('root', active);
    expect(isSpanContextValid(root.ctx)).toBe(true);
    expect(root.recording).toBe(false);
    await telemetry.forceFlush();
    expect(spans.getFinishedSpans().map((s) => s.name)).toEqual(['child']);
  });
});
