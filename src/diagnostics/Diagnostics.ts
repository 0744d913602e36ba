import type { DiagnosticLogger } from '../config/TelemetryConfig';

const PREFIX = 'otel-facade: ';
/** Distinct problems remembered for "say it once"; past this only the per-kind rate limit applies. */
const MAX_REMEMBERED = 1024;

/**
 * The library's voice. Each distinct problem (`key`) is said once, and each kind of problem at most once per
 * `intervalMs`, so a bad call in a hot loop produces one line, not a flood. Lines held back are counted and
 * the count is added to the next line of that kind.
 */
export class Diagnostics {
  private readonly said = new Set<string>();
  private readonly lastLineAt = new Map<string, number>();
  private readonly held = new Map<string, number>();

  constructor(
    private logger: DiagnosticLogger,
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sends later lines to another logger (the one from the configuration). */
  useLogger(logger: DiagnosticLogger): void {
    this.logger = logger;
  }

  /**
   * Reports a problem the user should fix; `kind` groups problems for the rate limit, `key` identifies it.
   * Returns true once the problem has been said (now or before), false while it is held back by the rate limit.
   */
  warnOnce(kind: string, key: string, message: string): boolean {
    if (this.said.has(key)) return true;
    const now = this.now();
    const last = this.lastLineAt.get(kind);
    if (last !== undefined && now - last < this.intervalMs) {
      this.held.set(kind, (this.held.get(kind) ?? 0) + 1);
      return false;
    }
    if (this.said.size >= MAX_REMEMBERED) this.said.clear();
    this.said.add(key);
    this.lastLineAt.set(kind, now);
    const held = this.held.get(kind) ?? 0;
    this.held.delete(kind);
    const suffix = held > 0 ? ` (${held} similar report${held === 1 ? '' : 's'} held back)` : '';
    this.emit('warn', PREFIX + message + suffix);
    return true;
  }

  /** A warning that is always said, for rare events such as a state change. */
  warn(message: string): void {
    this.emit('warn', PREFIX + message);
  }

  /** An informational line, for rare events such as the breaker closing. */
  info(message: string): void {
    this.emit('info', PREFIX + message);
  }

  /** Forgets which problems were said, so that a new lifecycle reports them again. */
  reset(): void {
    this.said.clear();
    this.lastLineAt.clear();
    this.held.clear();
  }

  private emit(level: 'warn' | 'info', line: string): void {
    try {
      this.logger[level](line);
    } catch {
      // A throwing logger must not turn a diagnostic into a crash of the caller.
    }
  }
}
