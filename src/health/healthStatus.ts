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
  /**
   * `ok`; `degraded` when a signal's exports are failing, its breaker is not closed or its scrape endpoint cannot
   * listen; `unavailable` when a strict handler answers 503 (not initialized, or a breaker open).
   */
  status: 'ok' | 'degraded' | 'unavailable';
  /** True when something above makes telemetry degraded. */
  degraded: boolean;
  /** Why the status is not `ok`, or why a strict handler answered other than 200. */
  reason?: string;
}

/** The status code and body a readiness handler answers with, for a given health. */
export function healthStatus(health: Health, options: HealthHandlerOptions = {}): { code: number; body: HealthResponse } {
  const why = degradedBy(health);
  const body: HealthResponse = { status: why === undefined ? 'ok' : 'degraded', degraded: why !== undefined, ...health };
  if (why !== undefined) body.reason = why;
  if (!options.strict) return { code: 200, body };
  if (!health.initialized || health.circuitState === 'open') {
    body.status = 'unavailable';
    body.reason = health.initialized ? `${openSignals(health)} export circuit breaker is open` : 'telemetry is not initialized';
    return { code: 503, body };
  }
  const total = health.metricsEmitted + health.metricsDropped;
  const ratio = options.failureRatio ?? 0.1;
  if (total > 0 && health.metricsDropped / total > ratio) {
    body.reason = `${health.metricsDropped} of ${total} recording calls were dropped (more than ${ratio * 100}%)`;
    return { code: 206, body };
  }
  return { code: 200, body };
}

/** What makes telemetry degraded, in words, or undefined when nothing does. */
function degradedBy(health: Health): string | undefined {
  for (const [name, signal] of Object.entries(health.signals)) {
    if (signal.circuitState === 'open' || signal.circuitState === 'half-open') return `${name} export circuit breaker is ${signal.circuitState}`;
    if (signal.consecutiveFailures > 0) return `${name} exports are failing: ${signal.lastError ?? 'no error recorded'}`;
    if (signal.prometheus?.lastError !== undefined && !signal.prometheus.listening) {
      return `the Prometheus endpoint ${signal.prometheus.url} ${signal.prometheus.lastError}`;
    }
  }
  return undefined;
}

function openSignals(health: Health): string {
  return Object.entries(health.signals).filter(([, s]) => s.circuitState === 'open').map(([name]) => name).join(' and ');
}
