'use strict';
/*
 * Tracing rows of `npm run bench`: startSpan()+end() and withSpan() against the raw SDK tracer, sampled and
 * unsampled. Both sides use the same processor (a batch span processor over an exporter that discards) and run
 * while the same global context manager is registered. Spans cost about a microsecond, so these rows use fewer
 * calls per repetition (`calls`).
 */
const {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} = require('@opentelemetry/sdk-trace-base');

const discardSpans = () => ({
  export: (spans, callback) => callback({ code: 0 }),
  shutdown: () => Promise.resolve(),
  forceFlush: () => Promise.resolve(),
});

function rawTracer(ratio) {
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: [new BatchSpanProcessor(discardSpans())],
  });
  return { provider, tracer: provider.getTracer('bench') };
}

/** Measures the rows and reports each through `row(key, ns)`. */
async function run({ measure, row, initFacade, telemetry, calls }) {
  for (const [mode, ratio] of [['sampled', 1], ['unsampled', 0]]) {
    initFacade({ samplingRate: ratio }, { spanExporter: discardSpans() });
    const raw = rawTracer(ratio);
    row(`tracing.facade.${mode}`, measure((n) => {
      for (let i = 0; i < n; i++) telemetry.startSpan('checkout').end();
    }, calls));
    row(`tracing.sdk.${mode}`, measure((n) => {
      for (let i = 0; i < n; i++) raw.tracer.startSpan('checkout').end();
    }, calls));
    const suffix = mode === 'sampled' ? '' : '.unsampled';
    row(`tracing.facade.withSpan${suffix}`, measure((n) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += telemetry.withSpan('checkout', () => i);
      return sum;
    }, calls));
    row(`tracing.sdk.withSpan${suffix}`, measure((n) => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += raw.tracer.startActiveSpan('checkout', (span) => {
          span.end();
          return i;
        });
      }
      return sum;
    }, calls));
    await raw.provider.shutdown();
    await telemetry.shutdown();
  }
}

module.exports = { run };
