/** What one signal's exports did, for `getHealth()` and for the messages that report failures. */
export class ExportStatus {
  /** Exports that succeeded, since initialize(). */
  successes = 0;
  /** Exports attempted and failed, since initialize(). */
  failures = 0;
  /** Exports not attempted because the circuit breaker was open. */
  skipped = 0;
  /** Failed exports since the last success. */
  consecutiveFailures = 0;
  /** Wall-clock time (ms since epoch) of the last successful export. */
  lastSuccessAt: number | undefined;
  /** The last export error: endpoint and cause in one line. */
  lastError: string | undefined;
  /** Wall-clock time (ms since epoch) of the last failed export. */
  lastErrorAt: number | undefined;
  /** Requests refused as too large (HTTP 413). */
  tooLarge = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Records a successful export. */
  succeeded(): void {
    this.successes++;
    this.consecutiveFailures = 0;
    this.lastSuccessAt = this.now();
  }

  /** Records a failed export with its one-line description. */
  failed(description: string): void {
    this.failures++;
    this.consecutiveFailures++;
    this.lastError = description;
    this.lastErrorAt = this.now();
  }
}
