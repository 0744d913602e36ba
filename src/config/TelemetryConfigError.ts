const BRAND = Symbol.for('otel-facade.TelemetryConfigError');

/**
 * Thrown by `initialize()` and `useProfile()` for a configuration that cannot work.
 * The message names the field, the value given and what is allowed.
 */
export class TelemetryConfigError extends Error {
  /** The configuration field at fault, such as `circuitBreaker.maxFailures`. */
  readonly field: string;
  /** The value that was given. */
  readonly value: unknown;
  /** What the field accepts, in words. */
  readonly allowed: string;
  private readonly [BRAND] = true;

  constructor(field: string, value: unknown, allowed: string, message?: string) {
    super(message ?? `otel-facade: invalid configuration: ${cut(field)} = ${describe(value)}; allowed: ${allowed}`);
    this.name = 'TelemetryConfigError';
    this.field = field;
    this.value = value;
    this.allowed = allowed;
  }

  /** A field that does not exist: `unknown field exportInterval; did you mean exportIntervalMs?` */
  static unknownField(field: string, value: unknown, suggestion: string | undefined, known: readonly string[]): TelemetryConfigError {
    const hint = suggestion === undefined ? `known fields here: ${known.join(', ')}` : `did you mean ${suggestion}?`;
    return new TelemetryConfigError(field, value, `a known field (${known.join(', ')})`, `otel-facade: invalid configuration: unknown field ${cut(field)}; ${hint}`);
  }
}

/** True when `error` is a TelemetryConfigError, even one thrown by another copy of this package. */
export function isTelemetryConfigError(error: unknown): error is TelemetryConfigError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** Longest part of a value or field name quoted in a message: a 10 MB value must not make a 10 MB message. */
const MAX_SHOWN = 200;

function cut(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(cut(value));
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value == null) return `${String(value)}${typeof value === 'bigint' ? 'n' : ''}`;
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return cut(text);
  } catch {
    // circular, a throwing getter, a revoked proxy: named by its kind below
  }
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return 'an unreadable object';
  }
}
