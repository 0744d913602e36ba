import { escapeControlCharacters } from './printable';

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
    super(escapeControlCharacters(message ?? `otel-facade: invalid configuration: ${cut(field)} = ${describe(value)}; allowed: ${allowed}`));
    this.name = 'TelemetryConfigError';
    this.field = field;
    this.value = value;
    this.allowed = allowed;
  }

  /** A field that does not exist: `unknown field exportInterval; did you mean exportIntervalMs?` */
  static unknownField(field: string, value: unknown, suggestion: string | undefined, known: readonly string[]): TelemetryConfigError {
    const listed = known.length > 12 ? `${known.slice(0, 12).join(', ')} and ${known.length - 12} more` : known.join(', ');
    const hint = suggestion === undefined ? `known fields here: ${listed}` : `did you mean ${suggestion}?`;
    return new TelemetryConfigError(field, value, `a known field (${known.join(', ')})`, `otel-facade: invalid configuration: unknown field ${cut(field)}; ${hint}`);
  }
}

/** True when `error` is a TelemetryConfigError, even one thrown by another copy of this package. */
export function isTelemetryConfigError(error: unknown): error is TelemetryConfigError {
  try {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
  } catch {
    return false; // a thrown proxy whose traps throw
  }
}

/** Longest part of a value or field name quoted in a message: a 10 MB value must not make a 10 MB message. */
const MAX_SHOWN = 200;

function cut(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

/**
 * A value for a message, walked within bounds: a few items of a list or an object, strings cut, nothing called
 * (no toJSON, which would show a URL object's credentials) and nothing that throws.
 */
function describe(value: unknown, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(cut(value));
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'bigint') return `${String(value)}n`;
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'function') return 'a function';
  try {
    if (Array.isArray(value)) {
      if (depth > 1) return `an array of ${value.length}`;
      const items = Array.from({ length: Math.min(value.length, 5) }, (_, i) => describe(value[i], depth + 1));
      return cut(`[${items.join(', ')}${value.length > 5 ? `, ... (${value.length} items)` : ''}]`);
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) {
      const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
      return typeof name === 'string' && name !== '' ? `a ${cut(name)} object` : 'an object';
    }
    if (depth > 1) return 'an object';
    const keys = Object.keys(value as object);
    const entries = keys.slice(0, 5).map((key) => `${JSON.stringify(cut(key))}: ${describe((value as Record<string, unknown>)[key], depth + 1)}`);
    return cut(`{${entries.join(', ')}${keys.length > 5 ? `, ... (${keys.length} keys)` : ''}}`);
  } catch {
    return 'an unreadable object';
  }
}
