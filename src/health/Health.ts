import type { ProfileName } from '../config/TelemetryConfig';
import type { ApiVersionReport } from './apiVersion';

/** State of an export circuit breaker as `getHealth()` reports it; `disabled` when no breaker guards the exports. */
export type CircuitState = 'closed' | 'open' | 'half-open' | 'disabled';

/** Called on every change of a signal's breaker with the new and the previous state, and the signal. */
export type CircuitStateListener = (state: CircuitState, previous: CircuitState, signal: SignalName) => void;

/** The two signals this library exports, each through a pipeline of its own. */
export type SignalName = 'metrics' | 'traces';

/** The Prometheus scrape endpoint, when metrics are served for scraping. */
export interface PrometheusHealth {
  /** The URL Prometheus scrapes, such as `http://0.0.0.0:9464/metrics`. */
  url: string;
  /** Whether the endpoint is listening (false while starting, and after a listen error). */
  listening: boolean;
  /** Scrapes answered in full since initialize(). */
  scrapes: number;
  /** When the last scrape was answered (ISO 8601), if one was. */
  lastScrapeAt: string | undefined;
  /** Why the endpoint could not listen or the last scrape failed, if so. */
  lastError: string | undefined;
}

/** One signal's export pipeline: where it sends, its breaker, and what its exports did. */
export interface SignalHealth {
  /** The push exporter: `otlp`, `console`, or `none` (metrics may still be scraped through `prometheus`). */
  exporter: 'otlp' | 'console' | 'none';
  /** The URL pushed to, for `otlp`. */
  endpoint: string | undefined;
  /** This signal's export circuit breaker. */
  circuitState: CircuitState;
  /** Exports that succeeded since initialize(). */
  exports: number;
  /** Exports attempted and failed since initialize(). */
  exportFailures: number;
  /** Exports not attempted because the breaker was open. */
  exportsSkipped: number;
  /** Exports failed since the last success. */
  consecutiveFailures: number;
  /** When the last export succeeded (ISO 8601), if one has. */
  lastExportAt: string | undefined;
  /** The last export error, naming the endpoint and what went wrong (status code, errno or timeout), if any. */
  lastError: string | undefined;
  /** When the last export failed (ISO 8601), if one has. */
  lastErrorAt: string | undefined;
  /** Most data points (metrics) or spans (traces) sent in one request now. */
  maxItemsPerRequest: number;
  /** Most bytes (before compression) in one request now; lowered when the collector answers 413, raised again as requests get through. */
  maxBytesPerRequest: number;
  /** Requests the collector refused as too large (HTTP 413) since initialize(). */
  requestsTooLarge: number;
  /** The Prometheus endpoint, for metrics served for scraping. */
  prometheus?: PrometheusHealth;
  /** Metrics: the temporality preference of the push exporter (the scrape endpoint is always cumulative). */
  temporality?: 'cumulative' | 'delta' | 'lowmemory';
}

/** What `getHealth()` returns: enough to answer a readiness probe and to see what was dropped and why. */
export interface Health {
  /** Whether initialize() has run (and shutdown() has not). */
  initialized: boolean;
  /** Whether telemetry is recording (false before initialize(), with enabled: false or OTEL_SDK_DISABLED). */
  enabled: boolean;
  /** The profile in use, if initialized (or, after shutdown(), the one that was). */
  profile: ProfileName | undefined;
  /** `service.name`, if initialized (or, after shutdown(), the one that was). */
  serviceName: string | undefined;
  /** The worst breaker state over both signals: `open` if either is open, then `half-open`, then `closed`. */
  circuitState: CircuitState;
  /** Each signal's pipeline. */
  signals: Record<SignalName, SignalHealth>;
  /**
   * Recording calls recorded since initialize(), folded ones included. Every recording call lands in exactly one of
   * `metricsEmitted`, `metricsDropped` and `sampledOut`.
   */
  metricsEmitted: number;
  /** Recording calls dropped, all reasons together. */
  metricsDropped: number;
  /** Recording calls dropped, by reason; see README.md for each reason. */
  droppedByReason: Record<string, number>;
  /** Recording calls left out by `emitWithOptions({ sampleRate })`. */
  sampledOut: number;
  /** Recorded calls that went into a folded series: `label_limit` (a value recorded as `other`), `series_limit` (the overflow series). */
  foldedByReason: Record<string, number>;
  /** Recorded calls whose labels were changed or left out (truncated, coerced, redacted, a pair dropped), by reason. */
  sanitizedByReason: Record<string, number>;
  /** What was lost outside recording calls, by reason: spans (queue full, failed export), data points refused as too large, baggage entries. */
  lostByReason: Record<string, number>;
  /** Errors outside recording calls, such as failed exports. */
  errors: number;
  /** The most recent such error. */
  lastError: string | undefined;
  /** Milliseconds since initialize(), 0 when never initialized; after shutdown(), how long it ran. */
  uptimeMs: number;
  /** Failed metric exports since initialize() (`signals.metrics.exportFailures`). */
  exportFailures: number;
  /** When the last metric export succeeded (ISO 8601), if one has. */
  lastExportAt: string | undefined;
  /** The error of the last failed metric export, if any. */
  lastExportError: string | undefined;
  /** Metric exports failed since the last success. */
  consecutiveExportFailures: number;
  /** Metric exports not attempted because the metrics breaker was open. */
  exportsSkipped: number;
  /** Failed span exports since initialize() (`signals.traces.exportFailures`). */
  spanExportFailures: number;
  /** Distinct metric names held. */
  metricNames: number;
  /** Series held over all metrics (overflow series included). */
  seriesCount: number;
  /** Series held by the fullest metric. */
  cardinalityUsed: number;
  /** The bound on series per metric: cardinalityLimit plus the overflow series. */
  cardinalityMax: number;
  /** Idle series evicted after every pipeline had delivered their last change. */
  seriesEvicted: number;
  /** The `@opentelemetry/api` copies: ours and the one owning the globals; `mismatch` means two copies. */
  otelApi: ApiVersionReport;
}

const SEVERITY: Readonly<Record<CircuitState, number>> = { disabled: 0, closed: 1, 'half-open': 2, open: 3 };

/** The worse of two breaker states, for the overall `circuitState`. */
export function worseCircuitState(a: CircuitState, b: CircuitState): CircuitState {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}
