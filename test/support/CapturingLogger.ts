import type { DiagnosticLogger } from '../../src/config/TelemetryConfig';

/** A DiagnosticLogger that keeps every line, for asserting on what the library says. */
export class CapturingLogger implements DiagnosticLogger {
  readonly lines: { level: 'warn' | 'info'; message: string }[] = [];

  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }

  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }

  /** Lines containing `text`. */
  matching(text: string | RegExp): string[] {
    return this.lines.map((l) => l.message).filter((m) => (typeof text === 'string' ? m.includes(text) : text.test(m)));
  }
}
