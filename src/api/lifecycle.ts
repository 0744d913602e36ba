import type { ProfileName, TelemetryConfig } from '../config/TelemetryConfig';
import { resolveConfig } from '../config/resolveConfig';
import { globalSlot } from '../global/GlobalSlot';
import { IncompatibleRuntime } from '../global/IncompatibleRuntime';
import type { CircuitStateListener, Health } from '../health/Health';
import { RELEASE_GRACE_MS, settleBy } from '../export/settleBy';
import { startRuntime, type RuntimeOptions } from '../runtime/Runtime';

const slot = globalSlot();

/** Options of `shutdown()`. */
export interface ShutdownOptions {
  /** Longest time shutdown() may take, the last exports included; defaults to the config's shutdownTimeoutMs (5 s). */
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

/** initialize() with exporter replacements and a clock, for tests and embedders. Not part of the documented API. */
export function initializeWith(config: TelemetryConfig | ProfileName | undefined, options: RuntimeOptions): void {
  const current = slot.runtime;
  if (current instanceof IncompatibleRuntime) {
    current.sayOnce();
    return;
  }
  if (current.state !== 'idle') {
    // A config that could never work is still a programming mistake, said as one, even when it changes nothing.
    resolveConfig(config);
    const why = current.state === 'stopping'
      ? 'shutdown() is still running; await it before calling initialize() again'
      : 'telemetry is already initialized; call shutdown() first to initialize it again';
    current.carried.diagnostics.warnOnce(`initialize:${current.state}`, `initialize() changed nothing: ${why}.`);
    return;
  }
  const { config: resolved, notes, adjusted } = resolveConfig(config);
  const next = startRuntime(resolved, { notes, adjusted }, current.carried, options);
  current.carried.notInitialized.rearm(false);
  slot.runtime = next;
  slot.recorder = next.recorder;
}

/** Exports every metric and span now; resolves when the export is done (or failed). Never rejects. */
export async function forceFlush(): Promise<void> {
  await slot.runtime.forceFlush();
}

/**
 * Makes one last export per signal (even while a breaker is open) and stops telemetry. Idempotent; resolves within
 * `timeoutMs` even when the collector hangs, and never rejects. Recording calls become no-ops at once; afterwards
 * `getHealth()` keeps the final counts and errors, and initialize() may be called again.
 */
export async function shutdown(options: ShutdownOptions = {}): Promise<void> {
  // The argument is read before anything changes, so an odd one can never leave the library half shut.
  const timeoutMs = validTimeout(options);
  const current = slot.runtime;
  if (current.state === 'idle' || current.state === 'incompatible') return;
  if (current.state !== 'stopping') {
    slot.recorder = current.carried.notInitialized;
    current.carried.notInitialized.rearm(true);
  }
  // The runtime that follows takes over when the shared shutdown ends, whichever caller is still waiting then.
  const done = current.shutdown(timeoutMs).then((next) => {
    if (slot.runtime !== current) return;
    slot.runtime = next;
    slot.recorder = next.recorder;
    next.carried.diagnostics.reset();
  });
  // Concurrent calls share one shutdown, but each resolves within its own deadline, plus the grace in which what was
  // given up at the deadline is counted, so that getHealth() afterwards holds the final counts.
  await settleBy(done, Date.now() + (timeoutMs ?? current.defaultShutdownTimeoutMs) + RELEASE_GRACE_MS);
}

/**
 * The deadline asked for, or undefined for the configured default: for no options, null, a non-object, a
 * `timeoutMs` that is not a positive finite number, or options whose getter throws.
 */
function validTimeout(options: unknown): number | undefined {
  try {
    const timeoutMs = (options as ShutdownOptions | null | undefined)?.timeoutMs;
    return typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs < 2 ** 31 ? timeoutMs : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls `listener` on every change of a signal's export circuit breaker (the signal is the third argument), across
 * re-initializations. Returns the function that removes it.
 *
 * @example const dispose = onCircuitStateChange((state, _previous, signal) => log.warn(`${signal} export ${state}`));
 */
export function onCircuitStateChange(listener: CircuitStateListener): () => void {
  if (typeof listener !== 'function') return () => undefined;
  return slot.runtime.onCircuitStateChange(listener);
}

/** The state of telemetry, for readiness probes and dashboards; after shutdown(), the final state. Never throws. */
export function getHealth(): Health {
  return slot.runtime.health();
}
