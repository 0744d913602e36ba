/** Why an export request did not succeed. */
export type FailureKind =
  /** The collector answered with an HTTP status outside 2xx. */
  | 'http'
  /** The connection failed: refused, reset, unreachable, name not found. */
  | 'network'
  /** No complete answer within the export's deadline. */
  | 'timeout'
  /** The request was abandoned because telemetry is shutting down. */
  | 'closed'
  /** Nothing was sent because the signal's circuit breaker is open. */
  | 'circuit_open'
  /** Anything else, such as an exporter that failed without saying why. */
  | 'other';

/** One failed export request, with what a person needs to fix it. */
export interface ExportFailure {
  /** What kind of failure. */
  readonly kind: FailureKind;
  /** The HTTP status, for `http`. */
  readonly status?: number;
  /** The system error code, such as `ECONNREFUSED`, for `network`. */
  readonly code?: string;
  /** Whether trying again may succeed (429, 502, 503, 504, network errors). */
  readonly retryable: boolean;
  /** How long the collector asked us to wait (`Retry-After`), if it did. */
  readonly retryAfterMs?: number;
  /** One line: `HTTP 503 Service Unavailable: <body>`, `connect ECONNREFUSED 127.0.0.1:4318`, `no answer within 2000 ms`. */
  readonly detail: string;
}

/** HTTP statuses the OTLP specification says to retry. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
/** Connection errors worth another try. */
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH',
  'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);
/** Longest piece of a collector's answer quoted in a message. */
const MAX_QUOTED = 200;

/** The failure of an HTTP answer outside 2xx; `body` is the start of what the collector said. */
export function httpFailure(status: number, statusText: string | undefined, body: string, retryAfter?: string, now = Date.now()): ExportFailure {
  const quoted = printable(body);
  const text = quoted === '' ? '' : `: ${quoted}`;
  return {
    kind: 'http',
    status,
    retryable: RETRYABLE_STATUSES.has(status),
    retryAfterMs: parseRetryAfter(retryAfter, now),
    detail: `HTTP ${status}${statusText ? ` ${printable(statusText, 60)}` : ''}${text}`,
  };
}

/** The failure of a connection error. */
export function networkFailure(error: unknown): ExportFailure {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  const message = messageOf(error);
  return {
    kind: 'network',
    code,
    retryable: code === undefined || RETRYABLE_CODES.has(code),
    // TLS errors quote OpenSSL's text, newlines included: made printable like anything else from outside.
    detail: printable(code !== undefined && !message.includes(code) ? `${message} (${code})` : message || 'connection failed', 300),
  };
}

/** The failure of a request that got no complete answer within `ms`. */
export function timeoutFailure(ms: number, what = 'no complete answer'): ExportFailure {
  return { kind: 'timeout', retryable: true, detail: `${what} within ${Math.round(ms)} ms (timeout)` };
}

/** The failure of a request whose deadline passed before it could be sent (earlier requests used the time up). */
export const DEADLINE_PASSED_FAILURE: ExportFailure = {
  kind: 'timeout',
  retryable: false,
  detail: 'the export deadline passed before the request could be sent (timeout)',
};

/** The failure of an exporter that reported an error object (console or test exporters). */
export function otherFailure(error: unknown): ExportFailure {
  return { kind: 'other', retryable: false, detail: error === undefined ? 'export failed' : messageOf(error) };
}

/**
 * The message of an error, whatever realm it comes from (`instanceof Error` fails for errors of another VM context),
 * or of an AggregateError (Node's connection attempts to several addresses), the first inner message.
 */
function messageOf(error: unknown): string {
  const candidate = error as { message?: unknown; name?: unknown; errors?: unknown };
  if (typeof candidate?.message === 'string' && candidate.message !== '') return candidate.message;
  if (Array.isArray(candidate?.errors) && candidate.errors.length > 0) return messageOf(candidate.errors[0]);
  if (typeof candidate?.name === 'string' && candidate.name !== '') return candidate.name;
  return String(error);
}

/** The failure of a request abandoned at shutdown. */
export const CLOSED_FAILURE: ExportFailure = { kind: 'closed', retryable: false, detail: 'abandoned: telemetry is shutting down' };

/**
 * The failure of a send abandoned at shutdown, saying what it was waiting for: the failure it was about to retry
 * (so the real cause is not lost), or an answer that had not come after `waitedMs`.
 */
export function closedFailure(retrying: ExportFailure | undefined, waitedMs: number): ExportFailure {
  const waited = Math.round(waitedMs);
  return {
    kind: 'closed',
    retryable: false,
    detail: retrying !== undefined
      ? `abandoned at shutdown while retrying after: ${retrying.detail}`
      : `abandoned at shutdown: no complete answer after ${waited} ms`,
  };
}

/** The failure of a request given up for the last export at shutdown, which carries the same data and more. */
export const SUPERSEDED_FAILURE: ExportFailure = { kind: 'closed', retryable: false, detail: 'abandoned for the last export at shutdown' };

/** Control characters (terminal escapes, NUL, BEL) a collector might send, shown as `?` in messages. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from a collector made safe to print: whitespace collapsed, control characters replaced, length bounded. */
export function printable(text: string, max = MAX_QUOTED): string {
  const flat = text.replace(/\s+/g, ' ').replace(CONTROL, '?').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

/** Parses `Retry-After`: seconds, or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
