// ESM entry (copied to dist/index.mjs by the build): re-exports the CommonJS bundle, so `import` and `require` load one copy of the library (and the
// registry lives on globalThis anyway). Keep in sync with src/index.ts; test/packaging checks it.
import cjs from './otel-facade.js';

export const {
  BAGGAGE_LIMITS, METRIC_AI_REQUEST_DURATION, METRIC_AI_REQUEST_TOTAL, METRIC_AI_TOKENS_USED, METRIC_HTTP_CLIENT_DURATION,
  METRIC_HTTP_SERVER_COUNT, METRIC_HTTP_SERVER_DURATION, METRIC_REQUEST_DURATION, METRIC_REQUEST_ERRORS,
  METRIC_REQUEST_TOTAL, METRIC_TOOL_CALL_DURATION, METRIC_TOOL_CALL_ERRORS, METRIC_TOOL_CALL_RETRIES,
  METRIC_TOOL_CALL_TOTAL, MODULE_AGENT, MODULE_AI, MODULE_CORE, MODULE_ORCHESTRATION, NAME_HEURISTICS, NOOP_SPAN,
  PROFILE_NAMES, Pipeline, REDACTED, TelemetryConfigError, UNIT_SUFFIXES, VERSION, counter, currentTraceId,
  declareMetrics, duration, emit, emitWithContext, emitWithOptions, forceFlush, gauge, getBaggage, getHealth,
  healthHandler, healthStatus, histogram, initialize, installShutdownHooks, isTelemetryConfigError, latencyBucket,
  logContext, noopTracer, onCircuitStateChange, otelSpanOf, pipeline, recordAIRequest, recordAITokens, recordBytes, recordError,
  recordLatency, recordRequest, recordRequestError, recordSuccess, recordToolCall, recordToolCallError,
  recordToolCallRetry, routeInstrument, setBaggage, shutdown, startSpan, timeOperation, traceOperation, tracedFetch,
  tracer, tracingMiddleware, upDownCounter, useProfile, withBaggage, withSpan,
} = cjs;
export default cjs;
