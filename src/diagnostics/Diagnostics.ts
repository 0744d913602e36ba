import { escapeControlCharacters } from '../config/printable';
import type { DiagnosticLogger } from '../config/TelemetryConfig';
import { ownString } from './ownString';

const PREFIX = 'otel-facade: ';
/** Distinct problems remembered for "say it once"; past this the oldest is forgotten first. */
const MAX_REMEMBERED = 4096;
/** Longest key kept: keys are built from user input and must not hold it whole. */
const MAX_KEY_LENGTH = 512;

/** The flood guard: at most `lines` distinct warnings per `windowMs`. */
export interface FloodLimit {
  /** Warnings said per window. */
  lines: number;
  /** The window, in milliseconds. */
  windowMs: number;
}

const DEFAULT_FLOOD_LIMIT: FloodLimit = { lines: 50, windowMs: 10_000 };


/**
 * The library's voice. Each distinct problem (its `key`) is said once. A flood guard caps how many distinct
 * problems are said per window, so that thousands of distinct bad names cannot flood the log; a problem held back
 * is not marked as said, so it is said the next time it occurs once the window has room, and the next line
 * counts what was held back. Every distinct warning therefore shows, however many kinds of problem share a cause.
 */
export class Diagnostics {
  private readonly said = new Set<string>();
  private windowStart = -Infinity;
  private linesInWindow = 0;
  private heldBack = 0;

  constructor(
    private logger: DiagnosticLogger,
    private readonly flood: FloodLimit = DEFAULT_FLOOD_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sends later lines to another logger (the one from the configuration). */
  useLogger(logger: DiagnosticLogger): void {
    this.logger = logger;
  }

  /**
   * Reports a problem the user should fix, once per `key`. Returns true once the problem has been said (now or
   * before), false while the flood guard holds it back.
   */
  warnOnce(key: string, message: string): boolean {
    const id = key.length > MAX_KEY_LENGTH ? key.slice(0, MAX_KEY_LENGTH) : key;
    if (this.said.has(id)) return true;
    const now = this.now();
    if (now - this.windowStart >= this.flood.windowMs) {
      this.windowStart = now;
      this.linesInWindow = 0;
    }
    if (this.linesInWindow >= this.flood.lines) {
      this.heldBack++;
      return false;
    }
    this.linesInWindow++;
    if (this.said.size >= MAX_REMEMBERED) this.said.delete(this.said.values().next().value as string);
    // A copy: keys are built from user input (a metric name, a label key), which must not stay pinned behind them.
    this.said.add(ownString(id));
    const held = this.heldBack;
    this.heldBack = 0;
    const suffix = held > 0 ? ` (${held} other warning${held === 1 ? ' was' : 's were'} held back by the flood guard)` : '';
    this.emit('warn', PREFIX + message + suffix);
    return true;
  }

  /** A warning that is always said, for rare events such as a state change or a failed export. */
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
    this.windowStart = -Infinity;
    this.linesInWindow = 0;
    this.heldBack = 0;
  }

  private emit(level: 'warn' | 'info', line: string): void {
    try {
      // Control characters from user input (a newline in a service name, an ANSI escape) must not forge log lines.
      const result: unknown = this.logger[level](escapeControlCharacters(line));
      // An async logger's rejection must not become an unhandled rejection that ends the process.
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') (result as Promise<unknown>).then(undefined, () => undefined);
    } catch {
      // A throwing logger must not turn a diagnostic into a crash of the caller.
    }
  }
}
