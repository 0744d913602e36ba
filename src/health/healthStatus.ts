import type { Health } from './Health';

/** How a readiness handler maps health to an HTTP status. */
export interface HealthHandlerOptions {
  /**
   * GoMind's policy: 503 when telemetry is not initialized or a breaker is open, 206 when more than
   * `failureRatio` of recording calls were dropped. Off by default: a collector outage should not take healthy
   * pods out of service.
   */
  strict?: boolean;
  /** Share of dropped calls among all calls above which a strict handler answers 206; default 0.1. */
  failureRatio?: number;
}

/** The JSON body a readiness handler answers with. */
export interface HealthResponse extends Health {
  /** `ok`, or `degraded` when a signal's exports are failing or its breaker is not closed. */
  status: 'ok' | 'degraded';
  /** True when either signal's breaker is open or half-open, or its last export failed. */
  degraded: boolean;
}

/** The status code and body a readiness handler answers with, for a given health. */
export function healthStatus(health: Health, options: HealthHandlerOptions = {}): { code: number; body: HealthResponse } {
  const degraded = Object.values(health.signals).some((signal) =>
    signal.circuitState === 'open' || signal.circuitState === 'half-open' || signal.consecutiveFailures > 0);
  const body: HealthResponse = { status: degraded ? 'degraded' : 'ok', degraded, ...health };
  if (!options.strict) return { code: 200, body };
  if (!health.initialized || health.circuitState === 'open') return { code: 503, body };
  const total = health.metricsEmitted + health.metricsDropped;
  const ratio = options.failureRatio ?? 0.1;
  if (total > 0 && health.metricsDropped / total > ratio) return { code: 206, body };
  return { code: 200, body };
}
