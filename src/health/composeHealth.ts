import type { ProfileName } from '../config/TelemetryConfig';
import { apiVersionReport } from './apiVersion';
import type { DropCounters } from './DropCounters';
import { worseCircuitState, type Health, type SignalHealth, type SignalName } from './Health';

/** What a runtime knows, from which `getHealth()` is composed. */
export interface HealthParts {
  /** Whether a runtime is initialized (and not shut down). */
  initialized: boolean;
  /** Whether recording calls are recorded. */
  enabled: boolean;
  /** The profile. */
  profile: ProfileName | undefined;
  /** `service.name`. */
  serviceName: string | undefined;
  /** Each signal's pipeline. */
  signals: Record<SignalName, SignalHealth>;
  /** Drops and errors counted by the runtime, if one ran. */
  counters: DropCounters | undefined;
  /** The metric store's size. */
  store: { metricNames: number; seriesCount: number; fullest: number; evicted: number };
  /** The bound on series per metric. */
  cardinalityMax: number;
  /** How long the runtime has run (or ran). */
  uptimeMs: number;
  /** Calls dropped because no runtime was initialized. */
  notInitialized: number;
}

/** A signal with no pipeline: not initialized, disabled, or nothing configured. */
export function idleSignal(): SignalHealth {
  return {
    exporter: 'none',
    endpoint: undefined,
    circuitState: 'disabled',
    exports: 0,
    exportFailures: 0,
    exportsSkipped: 0,
    consecutiveFailures: 0,
    lastExportAt: undefined,
    lastError: undefined,
    lastErrorAt: undefined,
    maxItemsPerRequest: 0,
    maxBytesPerRequest: 0,
    requestsTooLarge: 0,
  };
}

/** The `Health` object, with the top-level fields that summarise the signals. */
export function composeHealth(parts: HealthParts): Health {
  const { counters, signals, notInitialized } = parts;
  const droppedByReason = counters?.droppedByReason() ?? {};
  let metricsDropped = counters?.totalDropped() ?? 0;
  if (notInitialized > 0) {
    droppedByReason.not_initialized = (droppedByReason.not_initialized ?? 0) + notInitialized;
    metricsDropped += notInitialized;
  }
  const metrics = signals.metrics;
  const traces = signals.traces;
  return {
    initialized: parts.initialized,
    enabled: parts.enabled,
    profile: parts.profile,
    serviceName: parts.serviceName,
    circuitState: worseCircuitState(metrics.circuitState, traces.circuitState),
    signals,
    metricsEmitted: counters?.emitted ?? 0,
    metricsDropped,
    droppedByReason,
    sampledOut: counters?.sampledOut ?? 0,
    foldedByReason: counters?.foldedByReason() ?? {},
    sanitizedByReason: counters?.sanitizedByReason() ?? {},
    lostByReason: counters?.lostByReason() ?? {},
    errors: (counters?.errors ?? 0) + metrics.exportFailures + traces.exportFailures,
    lastError: latestError(metrics, traces) ?? counters?.lastError,
    uptimeMs: parts.uptimeMs,
    exportFailures: metrics.exportFailures,
    lastExportAt: metrics.lastExportAt,
    lastExportError: metrics.lastError,
    consecutiveExportFailures: metrics.consecutiveFailures,
    exportsSkipped: metrics.exportsSkipped,
    spanExportFailures: traces.exportFailures,
    metricNames: parts.store.metricNames,
    seriesCount: parts.store.seriesCount,
    cardinalityUsed: parts.store.fullest,
    cardinalityMax: parts.cardinalityMax,
    seriesEvicted: parts.store.evicted,
    otelApi: apiVersionReport(),
  };
}

/** The more recent of the two signals' last errors. */
function latestError(a: SignalHealth, b: SignalHealth): string | undefined {
  if (a.lastErrorAt === undefined) return b.lastError;
  if (b.lastErrorAt === undefined) return a.lastError;
  return a.lastErrorAt >= b.lastErrorAt ? a.lastError : b.lastError;
}
