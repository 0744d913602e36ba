/** Why an export request did not succeed. */
export type FailureKind =
  /** The collector answered with an HTTP status outside 2xx. */
  | 'http'
  /** The collector answered an OTLP/gRPC call with a status other than OK (UNAVAILABLE is `network`, DEADLINE_EXCEEDED `timeout`). */
  | 'grpc'
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
  /** The gRPC status, such as `UNAUTHENTICATED`, for a failed OTLP/gRPC call. */
  readonly grpcStatus?: string;
  /** The collector refused the request as too large (HTTP 413, or gRPC RESOURCE_EXHAUSTED over its message size). */
  readonly tooLarge?: boolean;
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
    tooLarge: status === 413 ? true : undefined,
    retryable: RETRYABLE_STATUSES.has(status),
    retryAfterMs: parseRetryAfter(retryAfter, now),
    detail: `HTTP ${status}${statusText ? ` ${printable(statusText, 60)}` : ''}${text}`,
  };
}

/** gRPC status names by code, as `@grpc/grpc-js` defines them (the protocol's own numbering). */
const GRPC_STATUS = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL',
  'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];
/** The statuses the OTLP specification says to retry (RESOURCE_EXHAUSTED only with RetryInfo: below). */
const RETRYABLE_GRPC = new Set(['CANCELLED', 'DEADLINE_EXCEEDED', 'ABORTED', 'OUT_OF_RANGE', 'UNAVAILABLE', 'DATA_LOSS']);
/** How gRPC servers word a message over their receive limit (grpc-js, grpc-go, the Collector's receiver). */
const TOO_LARGE_TEXT = /larger than|too large|exceeds (the )?(maximum|max|limit)|message size/i;

/**
 * The failure of an OTLP/gRPC call that ended with status `code` and the server's `details`: UNAVAILABLE (no
 * connection, or the server going away) is a `network` failure with the system error code when the details name one,
 * DEADLINE_EXCEEDED a `timeout` within `timeoutMs`, RESOURCE_EXHAUSTED over the server's message size `tooLarge` (so
 * the request is split, as for HTTP 413); the others are `grpc` failures named by their status. `retryInfo`: the
 * server sent google.rpc.RetryInfo, which makes RESOURCE_EXHAUSTED retryable. `answerLimit`: the client's own limit on
 * the size of an answer; RESOURCE_EXHAUSTED naming it is the answer being too large, not the request.
 */
export function grpcFailure(code: number, details: string, timeoutMs: number, retryInfo = false, answerLimit = 0): ExportFailure {
  const name = GRPC_STATUS[code] ?? `status ${code}`;
  const said = printable(withoutEmptyNote(details.slice(0, 4096)), 300);
  if (name === 'RESOURCE_EXHAUSTED' && answerLimit > 0 && details.includes(` vs ${answerLimit})`)) {
    // Our own client's limit on the answer, not the server's on the request: the request may well have been taken.
    return {
      kind: 'grpc',
      grpcStatus: name,
      retryable: false,
      detail: `the collector's answer was larger than ${answerLimit} bytes, which no OTLP answer is (${said}); the request may have been delivered. Check that the endpoint is an OTLP collector`,
    };
  }
  if (name === 'UNAVAILABLE') {
    const errno = /\b(E[A-Z]{3,}[A-Z_]*)\b/.exec(details)?.[1];
    return { kind: 'network', code: errno ?? name, grpcStatus: name, retryable: true, detail: `gRPC UNAVAILABLE: ${said || 'no connection'}` };
  }
  if (name === 'DEADLINE_EXCEEDED') {
    const failure = timeoutFailure(timeoutMs, 'no answer');
    return { ...failure, grpcStatus: name, detail: `${failure.detail}: gRPC DEADLINE_EXCEEDED${said === '' ? '' : `, ${said}`}` };
  }
  const tooLarge = name === 'RESOURCE_EXHAUSTED' && TOO_LARGE_TEXT.test(details) ? true : undefined;
  return {
    kind: 'grpc',
    grpcStatus: name,
    tooLarge,
    retryable: RETRYABLE_GRPC.has(name) || (name === 'RESOURCE_EXHAUSTED' && retryInfo && tooLarge === undefined),
    detail: `gRPC ${name} (${code})${said === '' ? '' : `: ${said}`}`,
  };
}

/**
 * A server's details without what says nothing: grpc-js ends a connection failure with "Resolution note: " and often
 * nothing after it, and a final period is the sentence's, which the reporter ends itself. No regular expression: the
 * text comes from the server.
 */
function withoutEmptyNote(details: string): string {
  const NOTE = 'Resolution note:';
  let text = details.trimEnd();
  if (text.endsWith(NOTE)) text = text.slice(0, -NOTE.length).trimEnd();
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

/** Whether the collector refused a request as too large: it is split and the limit learned. */
export function isTooLarge(failure: ExportFailure): boolean {
  return failure.tooLarge === true || (failure.kind === 'http' && failure.status === 413);
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
