import type { CircuitBreakerConfig } from '../config/TelemetryConfig';
import type { Diagnostics } from '../diagnostics/Diagnostics';
import type { CircuitState, SignalHealth, SignalName } from '../health/Health';
import { ExportStatus } from '../health/ExportStatus';
import { CircuitBreaker } from '../protection/CircuitBreaker';
import type { ExportFailure } from './ExportFailure';
import type { ExportSink } from './ExportSink';
import { ExportReporter, type ExportEncoding } from './ExportReporter';

/**
 * One signal's protection and bookkeeping around its exports: its own circuit breaker (so a dead traces endpoint
 * never stops healthy metrics), its export status for `getHealth()`, and its reporter. Every export asks `admit()`
 * first and reports one outcome.
 */
export class ExportGuard {
  /** What this signal's exports did. */
  readonly status: ExportStatus;
  /** This signal's breaker. */
  readonly breaker: CircuitBreaker;
  /** This signal's voice. */
  readonly reporter: ExportReporter;
  /** The failure of the last export, until one succeeds. */
  lastFailure: ExportFailure | undefined;
  /** How the last attempts at shutdown went: none made, all delivered, or the failure of one. */
  finalOutcome: 'none' | 'delivered' | ExportFailure = 'none';

  constructor(
    readonly signal: SignalName,
    /** Where the signal is sent, for messages. */
    readonly target: string,
    breakerConfig: CircuitBreakerConfig,
    private readonly diagnostics: Diagnostics,
    onCircuitChange: (state: CircuitState, previous: CircuitState) => void,
    now: () => number = Date.now,
    /** How requests are sent, for the reporter's hints. */
    encoding: ExportEncoding = 'protobuf',
  ) {
    this.status = new ExportStatus(now);
    this.breaker = new CircuitBreaker(breakerConfig, now);
    this.reporter = new ExportReporter(signal, target, diagnostics, now, encoding);
    this.breaker.onStateChange((state, previous) => {
      this.reporter.circuitChanged(state, previous, breakerConfig.maxFailures, this.breaker.retryAt, this.lastFailure);
      onCircuitChange(state, previous);
    });
  }

  /**
   * Whether an export may touch the network. While the breaker is open the export is skipped and counted; `final`
   * (the last attempt at shutdown) always goes through, as a probe.
   */
  admit(final: boolean): boolean {
    if (final) {
      this.breaker.forceAcquire();
      return true;
    }
    if (this.breaker.tryAcquire()) return true;
    this.status.skipped++;
    return false;
  }

  /** An export succeeded; `final` for a last attempt at shutdown. */
  succeeded(final = false): void {
    if (final && this.finalOutcome === 'none') this.finalOutcome = 'delivered';
    this.lastFailure = undefined;
    this.status.succeeded();
    this.reporter.succeeded();
    this.breaker.success();
  }

  /**
   * An export failed. The last attempt at shutdown (`final`), and exports abandoned because telemetry is shutting down,
   * are not reported here: there is no next export to carry anything, and the runtime says what was lost once it has
   * stopped. They are counted all the same.
   */
  failed(failure: ExportFailure, final = false): void {
    if (final) this.finalOutcome = failure;
    this.lastFailure = failure;
    this.status.failed(`${this.target}: ${failure.detail}`);
    if (!final && failure.kind !== 'closed') this.reporter.failed(failure);
    this.breaker.failure();
  }

  /** Why every export of this signal fails, known at initialize() (the gRPC exporter is not installed). */
  unavailable: ExportFailure | undefined;

  /**
   * Takes what the signal's sink knew from its setup: its notes are said once each, and a sink that is unavailable
   * is recorded at once as a failure, so that getHealth() shows it from initialize() on. That one is said by the
   * runtime, once for both signals; the reporter takes it as the start of the failures it reports.
   */
  adopt(sink: ExportSink<never> | undefined): void {
    // Said once however many signals share the cause (a header given to both).
    for (const note of sink?.notes ?? []) this.diagnostics.warnOnce(`sink:${note}`, note);
    if (sink?.unavailable === undefined) return;
    this.unavailable = sink.unavailable;
    this.lastFailure = sink.unavailable;
    this.status.failed(`${this.target}: ${sink.unavailable.detail}`);
    this.reporter.toldFailing();
  }

  /** The signal's health; a signal that pushes nothing has no breaker to speak of (`disabled`). */
  health(exporter: SignalHealth['exporter'], maxItemsPerRequest: number, maxBytesPerRequest: number): SignalHealth {
    const status = this.status;
    return {
      exporter,
      endpoint: exporter === 'otlp' ? this.target : undefined,
      circuitState: exporter === 'none' ? 'disabled' : this.breaker.current,
      exports: status.successes,
      exportFailures: status.failures,
      exportsSkipped: status.skipped,
      consecutiveFailures: status.consecutiveFailures,
      lastExportAt: isoOrUndefined(status.lastSuccessAt),
      lastError: status.lastError,
      lastErrorAt: isoOrUndefined(status.lastErrorAt),
      maxItemsPerRequest,
      maxBytesPerRequest,
      requestsTooLarge: status.tooLarge,
    };
  }
}

/** An ISO 8601 time, or undefined. */
export function isoOrUndefined(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
