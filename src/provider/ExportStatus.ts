/** What the exporters last did, for `getHealth()` and the circuit breaker. */
export class ExportStatus {
  /** Exports attempted and failed, since initialize(). */
  failures = 0;
  /** Exports that succeeded, since initialize(). */
  successes = 0;
  /** Exports not attempted because the circuit breaker was open. */
  skipped = 0;
  /** Failed exports since the last success. */
  consecutiveFailures = 0;
  /** Wall-clock time (ms since epoch) of the last successful export. */
  lastSuccessAt: number | undefined;
  /** The last export error, as a message. */
  lastError: string | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Records a successful export. */
  succeeded(): void {
    this.successes++;
    this.consecutiveFailures = 0;
    this.lastSuccessAt = this.now();
  }

  /** Records a failed export. */
  failed(error: unknown): void {
    this.failures++;
    this.consecutiveFailures++;
    this.lastError = describeExportError(error);
  }
}

/** A one-line description of an export error: the OTLP exporter's errors carry an HTTP status or a socket code. */
export function describeExportError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const status = (error as { status?: unknown }).status;
    const parts = [error.message || error.name];
    if (typeof code === 'string' && !error.message.includes(code)) parts.push(`(${code})`);
    if (typeof status === 'number' && !error.message.includes(String(status))) parts.push(`(HTTP ${status})`);
    return parts.join(' ');
  }
  return error === undefined ? 'export failed' : String(error);
}
