import type { Diagnostics } from '../diagnostics/Diagnostics';
import type { Recorder } from '../metrics/Recorder';

/**
 * The recorder before `initialize()` and after `shutdown()`: drops every call at almost no cost, counts it, and
 * says once what to do, so that a forgotten `initialize()` (GoMind's first pitfall) is obvious.
 */
export class NotInitializedRecorder implements Recorder {
  /** Calls dropped since the process started. */
  dropped = 0;
  private reported = false;
  /** Whether telemetry was shut down, which changes the advice. */
  private afterShutdown = false;

  constructor(private readonly diagnostics: Diagnostics) {}

  add(_kind: string, name: string): void {
    this.drop(name);
  }

  gauge(name: string): void {
    this.drop(name);
  }

  histogram(name: string): void {
    this.drop(name);
  }

  emit(name: string): void {
    this.drop(name);
  }

  ensureMetric(): void {}

  dropCall(_reason: string, name: unknown): void {
    this.drop(name);
  }

  recordList(_kind: unknown, name: string): void {
    this.drop(name);
  }

  /** Lets the next dropped call be reported again (a new lifecycle). */
  rearm(afterShutdown: boolean): void {
    this.reported = false;
    this.afterShutdown = afterShutdown;
  }

  private drop(name: unknown): void {
    this.dropped++;
    if (!this.reported) this.report(name);
  }

  private report(name: unknown): void {
    this.reported = true;
    const shown = typeof name === 'string' ? name.slice(0, 100) : `(a ${typeof name} given as the name)`;
    this.diagnostics.warn(this.afterShutdown
      ? `metric '${shown}' was recorded after shutdown() began and dropped, like every such call (counted as ` +
        "'not_initialized' in getHealth()). While a service drains this is expected; otherwise shut telemetry down last."
      : `metric '${shown}' was recorded before initialize() and dropped, like every such call (counted as ` +
        "'not_initialized' in getHealth()). Call initialize() at startup, before anything records.");
  }
}
