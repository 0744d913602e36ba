import { context, isSpanContextValid, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { RandomIdGenerator, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { RootDecider, UnsampledRootSpan } from '../../src/tracing/rootDecision';
import * as telemetry from '../../src/index';
import { startTestBed } from '../support/telemetry';

describe('RootDecider', () => {
  it.each([0, 0.001, 0.25, 0.5, 0.999, 1])('draws trace ids the SDK\'s ratio sampler (%p) judges as decided', (ratio) => {
    const decider = RootDecider.for({ type: 'parentbased_traceidratio', ratio }) as RootDecider;
    const sdk = new TraceIdRatioBasedSampler(ratio);
    for (const sampled of [true, false]) {
      if ((sampled && ratio === 0) || (!sampled && ratio === 1)) continue; // no such id exists
      for (let i = 0; i < 2000; i++) {
        const id = decider.traceId(sampled);
        expect(id).toMatch(/^[0-9a-f]{32}$/);
        expect(id).not.toBe('0'.repeat(32));
        const decision = sdk.shouldSample(ROOT_CONTEXT, id).decision;
        expect(decision).toBe(sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD);
      }
    }
  });

  it('samples roots with the configured probability, and never with always_off', () => {
    const quarter = RootDecider.for({ type: 'traceidratio', ratio: 0.25 }) as RootDecider;
    let kept = 0;
    for (let i = 0; i < 40_000; i++) if (quarter.sampled()) kept++;
    expect(kept / 40_000).toBeGreaterThan(0.23);
    expect(kept / 40_000).toBeLessThan(0.27);
    const off = RootDecider.for({ type: 'always_off', ratio: 1 }) as RootDecider;
    for (let i = 0; i < 1000; i++) expect(off.sampled()).toBe(false);
    expect(RootDecider.for({ type: 'parentbased_always_on', ratio: 1 })).toBeNull();
  });

  it('draws ids spread over every word (no fixed digits)', () => {
    const decider = RootDecider.for({ type: 'traceidratio', ratio: 0.001 }) as RootDecider;
    const ids = Array.from({ length: 2000 }, () => decider.traceId(false));
    expect(new Set(ids).size).toBe(2000);
    for (let at = 0; at < 32; at += 8) expect(new Set(ids.map((id) => id[at])).size).toBe(16);
  });
});

describe('UnsampledRootSpan', () => {
  const decider = RootDecider.for({ type: 'parentbased_traceidratio', ratio: 0.001 }) as RootDecider;

  it('draws its ids once, when first asked, and records nothing', () => {
    const span = new UnsampledRootSpan(decider, new RandomIdGenerator());
    const first = span.spanContext();
    expect(span.spanContext()).toBe(first);
    expect(isSpanContextValid(first)).toBe(true);
    expect(first.traceFlags).toBe(TraceFlags.NONE);
    expect(span.isRecording()).toBe(false);
    expect(span.setAttribute()).toBe(span);
  });

  it('propagates a not-sampled traceparent with its ids', () => {
    const span = new UnsampledRootSpan(decider, new RandomIdGenerator());
    const carrier: Record<string, string> = {};
    new W3CTraceContextPropagator().inject(trace.setSpan(ROOT_CONTEXT, span), carrier, { set: (c, k, v) => { c[k] = v; } });
    const { traceId, spanId } = span.spanContext();
    expect(carrier.traceparent).toBe(`00-${traceId}-${spanId}-00`);
  });

  it('an application span started under it through @opentelemetry/api joins its trace, unsampled', async () => {
    const bed = await startTestBed({ samplingRate: 0.001 });
    try {
      const { traceId, childTraceId, childRecording, header } = telemetry.withSpan('request', () => {
        const child = trace.getTracer('app').startSpan('child');
        const carrier: Record<string, string> = {};
        propagation.inject(context.active(), carrier);
        const result = {
          traceId: trace.getActiveSpan()?.spanContext().traceId,
          childTraceId: child.spanContext().traceId,
          childRecording: child.isRecording(),
          header: carrier.traceparent,
        };
        child.end();
        return result;
      });
      // Most likely unsampled at 0.1%; a sampled one (1 in 1,000) joins the same trace too.
      expect(childTraceId).toBe(traceId);
      expect(header?.split('-')[1]).toBe(traceId);
      if (header?.endsWith('-00')) expect(childRecording).toBe(false);
    } finally {
      await bed.stop();
    }
  });
});
