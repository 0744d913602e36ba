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
export { healthHandler, healthStatus } from './api/healthHandler';
export type { HealthRequestHandler } from './api/healthHandler';
export type { HealthHandlerOptions, HealthResponse } from './health/healthStatus';
export type { ShutdownOptions } from './api/lifecycle';
export { installShutdownHooks } from './api/shutdownHooks';
export type { ShutdownHookOptions } from './api/shutdownHooks';
export { counter, upDownCounter, histogram, gauge, emit } from './api/recording';
export type { LabelValue, Labels } from './api/labels';
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
export { startSpan, withSpan, traceOperation, currentTraceId, logContext, tracer, noopTracer, otelSpanOf } from './api/tracing';
export type { Tracer, LogContext } from './api/tracing';
export { NOOP_SPAN } from './tracing/Span';
export type { Span, SpanOptions, SpanStatus } from './tracing/Span';
export { withBaggage, getBaggage, setBaggage, BAGGAGE_LIMITS } from './api/baggage';
export { tracingMiddleware } from './api/middleware';
export type { TracingMiddleware, TracingMiddlewareOptions } from './api/middleware';
export { tracedFetch } from './api/tracedFetch';
export { pipeline, Pipeline } from './api/pipeline';
export type { PipelineStep, PipelineOptions, FromFirstStep } from './api/pipeline';
export { METRIC_HTTP_SERVER_DURATION, METRIC_HTTP_SERVER_COUNT, METRIC_HTTP_CLIENT_DURATION } from './metrics/unifiedVocabulary';
export { useProfile, PROFILE_NAMES } from './config/profiles';
export { TelemetryConfigError, isTelemetryConfigError } from './config/TelemetryConfigError';
export type {
  TelemetryConfig,
  ProfileName,
  RateLimitConfig,
  CircuitBreakerConfig,
  DiagnosticLogger,
  InstrumentationLike,
  SpanBatchConfig,
  SamplerConfig,
  PrometheusConfig,
  MetricsSignalConfig,
  TracesSignalConfig,
  MetricsExporterName,
  TracesExporterName,
  ExemplarFilterName,
} from './config/TelemetryConfig';
export type { Health, CircuitState, CircuitStateListener, SignalHealth, SignalName, PrometheusHealth } from './health/Health';
export type { ApiVersionReport } from './health/apiVersion';
export type { InstrumentKind } from './metrics/InstrumentRouter';
export { NAME_HEURISTICS, UNIT_SUFFIXES, routeInstrument } from './metrics/InstrumentRouter';
export type { InstrumentPlan } from './metrics/InstrumentRouter';
export { VERSION } from './version';
