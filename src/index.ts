/**
 * otel-facade: one global, zero-plumbing telemetry API on the OpenTelemetry SDK.
 *
 * @example
 * import * as telemetry from 'otel-facade';
 * telemetry.initialize(telemetry.useProfile('production', { serviceName: 'weather' }));
 * telemetry.counter('weather.requests.total', 'endpoint', '/current');
 * await telemetry.shutdown();
 */
export { initialize, shutdown, forceFlush, getHealth, onCircuitStateChange } from './api/lifecycle';
export { healthHandler, healthStatus } from './health/healthHandler';
export type { HealthHandlerOptions, HealthResponse, HealthRequestHandler } from './health/healthHandler';
export type { ShutdownOptions } from './api/lifecycle';
export { installShutdownHooks } from './api/shutdownHooks';
export type { ShutdownHookOptions } from './api/shutdownHooks';
export { counter, upDownCounter, histogram, gauge, emit } from './api/recording';
export type { Labels } from './api/labels';
export { duration, timeOperation, recordError, recordSuccess, recordLatency, recordBytes, latencyBucket } from './api/helpers';
export { emitWithOptions } from './api/emitWithOptions';
export type { EmitOptions } from './api/emitWithOptions';
export { declareMetrics } from './api/declareMetrics';
export type { MetricDeclaration, MetricDeclarations } from './metrics/declarations';
export {
  recordRequest,
  recordRequestError,
  recordToolCall,
  recordToolCallError,
  recordToolCallRetry,
  recordAIRequest,
  recordAITokens,
} from './api/unified';
export {
  MODULE_AGENT,
  MODULE_ORCHESTRATION,
  MODULE_CORE,
  MODULE_AI,
  METRIC_REQUEST_DURATION,
  METRIC_REQUEST_TOTAL,
  METRIC_REQUEST_ERRORS,
  METRIC_TOOL_CALL_DURATION,
  METRIC_TOOL_CALL_TOTAL,
  METRIC_TOOL_CALL_ERRORS,
  METRIC_TOOL_CALL_RETRIES,
  METRIC_AI_REQUEST_DURATION,
  METRIC_AI_REQUEST_TOTAL,
  METRIC_AI_TOKENS_USED,
} from './metrics/unifiedVocabulary';
export { REDACTED } from './protection/PiiRedactor';
export { emitWithContext } from './api/emitWithOptions';
export { startSpan, withSpan, traceOperation, currentTraceId, tracer, noopTracer, otelSpanOf } from './tracing/tracing';
export type { Tracer } from './tracing/tracing';
export { NOOP_SPAN } from './tracing/Span';
export type { Span, SpanOptions, SpanStatus } from './tracing/Span';
export { withBaggage, getBaggage, setBaggage, BAGGAGE_LIMITS } from './tracing/baggage';
export { tracingMiddleware } from './tracing/middleware';
export type { TracingMiddleware, TracingMiddlewareOptions } from './tracing/middleware';
export { tracedFetch } from './tracing/tracedFetch';
export { pipeline, Pipeline } from './tracing/pipeline';
export type { PipelineStep, PipelineOptions } from './tracing/pipeline';
export { METRIC_HTTP_SERVER_DURATION, METRIC_HTTP_SERVER_COUNT, METRIC_HTTP_CLIENT_DURATION } from './metrics/unifiedVocabulary';
export { useProfile, PROFILE_NAMES } from './config/profiles';
export { TelemetryConfigError, isTelemetryConfigError } from './config/TelemetryConfigError';
export type {
  TelemetryConfig,
  ProfileName,
  RateLimitConfig,
  CircuitBreakerConfig,
  DiagnosticLogger,
  SpanBatchConfig,
  SamplerConfig,
  PrometheusConfig,
} from './config/TelemetryConfig';
export type { Health, CircuitState } from './health/Health';
export type { ApiVersionReport } from './provider/apiVersion';
export type { CircuitStateListener } from './protection/CircuitBreaker';
export type { InstrumentKind } from './metrics/InstrumentRouter';
export { NAME_HEURISTICS, UNIT_SUFFIXES, routeInstrument } from './metrics/InstrumentRouter';
export type { InstrumentPlan } from './metrics/InstrumentRouter';
export { VERSION } from './version';
