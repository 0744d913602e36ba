import type { ProfileName } from '../config/TelemetryConfig';
import type { ApiVersionReport } from '../provider/apiVersion';

/** State of the export circuit breaker as `getHealth()` reports it. */
export type CircuitState = 'closed' | 'open' | 'half-open' | 'disabled';

/** What `getHealth()` returns: enough to answer a readiness probe and to see what was dropped and why. */
export interface Health {
  /** Whether initialize() has run (and shutdown() has not). */
  initialized: boolean;
  /** Whether telemetry is recording (false before initialize(), with enabled: false or OTEL_SDK_DISABLED). */
  enabled: boolean;
  /** The profile in use, if initialized. */
  profile: ProfileName | undefined;
  /** `service.name`, if initialized. */
  serviceName: string | undefined;
  /** The export circuit breaker's state; `disabled` when no breaker guards exports. */
  circuitState: CircuitState;
  /** Recording calls recorded since initialize(). */
  metricsEmitted: number;
  /** Recording calls (or label pairs) dropped, all reasons together. */
  metricsDropped: number;
  /** Drops by reason; see README.md for each reason. */
  droppedByReason: Record<string, number>;
  /** Labels changed before recording (truncated, coerced), by reason. */
  sanitizedByReason: Record<string, number>;
  /** Errors outside recording calls, such as failed exports. */
  errors: number;
  /** The most recent such error. */
  lastError: string | undefined;
  /** Milliseconds since initialize(), 0 when not initialized. */
  uptimeMs: number;
  /** Failed metric exports since initialize(). */
  exportFailures: number;
  /** When the last metric export succeeded (ISO 8601), if one has. */
  lastExportAt: string | undefined;
  /** The error of the last failed metric export, if any. */
  lastExportError: string | undefined;
  /** Metric exports failed since the last success. */
  consecutiveExportFailures: number;
  /** Metric exports not attempted because the circuit breaker was open. */
  exportsSkipped: number;
  /** Failed span exports since initialize(). */
  spanExportFailures: number;
  /** Distinct metric names held. */
  metricNames: number;
  /** Series held over all metrics (overflow series included). */
  seriesCount: number;
  /** Series held by the fullest metric. */
  cardinalityUsed: number;
  /** The bound on series per metric: cardinalityLimit plus the overflow series. */
  cardinalityMax: number;
  /** Series evicted for being idle while their metric was over a cardinality limit. */
  seriesEvicted: number;
  /** The `@opentelemetry/api` copies: ours and the one owning the globals; `mismatch` means two copies. */
  otelApi: ApiVersionReport;
}
