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
export { counter, upDownCounter, histogram, gauge, emit } from './api/recording';
export { useProfile, PROFILE_NAMES } from './config/profiles';
export { TelemetryConfigError, isTelemetryConfigError } from './config/TelemetryConfigError';
export type {
  TelemetryConfig,
  ProfileName,
  RateLimitConfig,
  CircuitBreakerConfig,
  DiagnosticLogger,
} from './config/TelemetryConfig';
export type { Health, CircuitState } from './health/Health';
export type { CircuitStateListener } from './protection/CircuitBreaker';
export type { InstrumentKind } from './metrics/InstrumentRouter';
export { NAME_HEURISTICS, UNIT_SUFFIXES, routeInstrument } from './metrics/InstrumentRouter';
export type { InstrumentPlan } from './metrics/InstrumentRouter';
export { VERSION } from './version';
