import type { ProfileName, TelemetryConfig } from '../config/TelemetryConfig';
import { resolveConfig } from '../config/resolveConfig';
import { globalSlot } from '../global/GlobalSlot';
import { DisabledRecorder } from '../global/NoopRecorder';
import type { Health } from '../health/Health';
import { Registry } from '../registry/Registry';
import type { OTelProviderOptions } from '../provider/OTelProvider';
import type { CircuitStateListener } from '../protection/CircuitBreaker';
import { apiVersionReport } from '../provider/apiVersion';

const slot = globalSlot();
const disabled = new DisabledRecorder();

/** Options of `shutdown()`. */
export interface ShutdownOptions {
  /** Longest time shutdown() may take, flush included; defaults to the config's shutdownTimeoutMs (5 s). */
  timeoutMs?: number;
}

/**
 * Starts telemetry for the whole process. Runs once: a second call while active changes nothing and says so.
 * Throws a TelemetryConfigError for a configuration that cannot work.
 *
 * @example initialize(useProfile('production', { serviceName: 'weather' }))
 */
export function initialize(config?: TelemetryConfig | ProfileName): void {
  initializeWith(config, {});
}

/** initialize() with exporter replacements, for tests and embedders. Not part of the documented API. */
export function initializeWith(config: TelemetryConfig | ProfileName | undefined, options: OTelProviderOptions): void {
  const current = slot.lifecycle;
  if (current.state !== 'idle') {
    const why = current.state === 'shutting-down'
      ? 'shutdown() is still running; await it before calling initialize() again'
      : 'telemetry is already initialized; call shutdown() first to initialize it again';
    slot.diagnostics.warnOnce('initialize', `initialize:${current.state}`, `initialize() changed nothing: ${why}.`);
    return;
  }
  const { config: resolved, notes } = resolveConfig(config);
  slot.diagnostics.useLogger(resolved.logger);
  if (!resolved.enabled) {
    slot.lifecycle = { state: 'disabled', config: resolved, since: Date.now() };
    slot.recorder = disabled;
    resolved.logger.info('otel-facade: telemetry is disabled (enabled: false or OTEL_SDK_DISABLED=true); every call is a no-op.');
    return;
  }
  const registry = new Registry(resolved, options, (state, previous) => {
    for (const listener of [...slot.circuitListeners]) {
      try {
        listener(state, previous);
      } catch {
        // A listener's bug must not break exporting.
      }
    }
  }, slot.declarations);
  for (const note of notes) registry.diagnostics.warnOnce('config', note, note);
  slot.lifecycle = { state: 'active', registry };
  slot.recorder = registry;
}

/** Exports every metric and span now; resolves when the export is done (or failed). Never rejects. */
export async function forceFlush(): Promise<void> {
  const lifecycle = slot.lifecycle;
  if (lifecycle.state !== 'active') return;
  try {
    await lifecycle.registry.provider.forceFlush();
  } catch (error) {
    lifecycle.registry.counters.error(`forceFlush failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Flushes and stops telemetry. Idempotent; resolves within `timeoutMs` even when the collector hangs, and never
 * rejects. Recording calls become no-ops at once; initialize() may be called again once this has resolved.
 */
export async function shutdown(options: ShutdownOptions = {}): Promise<void> {
  const lifecycle = slot.lifecycle;
  if (lifecycle.state === 'idle') return;
  if (lifecycle.state === 'shutting-down') return lifecycle.done;
  slot.recorder = slot.notInitialized;
  slot.notInitialized.rearm(true);
  if (lifecycle.state === 'disabled') {
    slot.lifecycle = { state: 'idle' };
    return;
  }
  const registry = lifecycle.registry;
  const timeoutMs = options.timeoutMs ?? registry.config.shutdownTimeoutMs;
  const done = stopWithin(registry, timeoutMs).finally(() => {
    slot.lifecycle = { state: 'idle' };
    slot.diagnostics.reset();
  });
  slot.lifecycle = { state: 'shutting-down', registry, done };
  return done;
}

async function stopWithin(registry: Registry, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref?.();
  });
  const work = registry.provider.shutdown().then(
    () => 'done' as const,
    (error: unknown) => {
      registry.counters.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
      return 'failed' as const;
    },
  );
  const outcome = await Promise.race([work, deadline]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    registry.diagnostics.warn(
      `shutdown() gave up after ${timeoutMs} ms; the last export may not have reached ${registry.config.metricsUrl}. ` +
        'Check that the collector is reachable, or allow a longer timeoutMs.',
    );
  } else if (outcome === 'failed') {
    registry.diagnostics.warn(`shutdown() could not flush everything: ${registry.counters.lastError ?? 'unknown error'}.`);
  }
}

/**
 * Calls `listener` on every change of the export circuit breaker's state, across re-initializations.
 * Returns the function that removes it.
 *
 * @example const dispose = onCircuitStateChange((state) => log.warn(`telemetry export ${state}`));
 */
export function onCircuitStateChange(listener: CircuitStateListener): () => void {
  slot.circuitListeners.add(listener);
  return () => {
    slot.circuitListeners.delete(listener);
  };
}

/** The state of telemetry, for readiness probes and dashboards. Never throws. */
export function getHealth(): Health {
  const lifecycle = slot.lifecycle;
  const notInitialized = slot.notInitialized.dropped;
  if (lifecycle.state === 'active' || lifecycle.state === 'shutting-down') {
    const health = lifecycle.registry.health();
    if (lifecycle.state === 'shutting-down') health.initialized = false;
    if (notInitialized > 0) {
      health.droppedByReason.not_initialized = notInitialized;
      health.metricsDropped += notInitialized;
    }
    return health;
  }
  const config = lifecycle.state === 'disabled' ? lifecycle.config : undefined;
  return {
    initialized: config !== undefined,
    enabled: false,
    profile: config?.profile,
    serviceName: config?.serviceName,
    circuitState: 'disabled',
    metricsEmitted: 0,
    metricsDropped: notInitialized,
    droppedByReason: notInitialized > 0 ? { not_initialized: notInitialized } : {},
    sanitizedByReason: {},
    errors: 0,
    lastError: undefined,
    uptimeMs: lifecycle.state === 'disabled' ? Date.now() - lifecycle.since : 0,
    exportFailures: 0,
    lastExportAt: undefined,
    lastExportError: undefined,
    consecutiveExportFailures: 0,
    exportsSkipped: 0,
    spanExportFailures: 0,
    metricNames: 0,
    seriesCount: 0,
    cardinalityUsed: 0,
    cardinalityMax: config === undefined ? 0 : config.cardinalityLimit + 1,
    seriesEvicted: 0,
    otelApi: apiVersionReport(),
  };
}
