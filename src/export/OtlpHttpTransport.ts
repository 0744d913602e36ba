import type { Agent as HttpAgent, request as httpRequest, ClientRequest, IncomingMessage } from 'node:http';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { displayUrl } from '../config/endpoint';
import { maskAuthTokens, percentDecoded } from '../config/printable';
import { VERSION } from '../version';
import {
  CLOSED_FAILURE,
  closedFailure,
  DEADLINE_PASSED_FAILURE,
  SUPERSEDED_FAILURE,
  httpFailure,
  networkFailure,
  timeoutFailure,
  type ExportFailure,
} from './ExportFailure';

/** How failed requests are tried again: exponential backoff with jitter, as the OTLP specification describes. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt. */
  initialBackoffMs: number;
  /** Longest wait between attempts. */
  maxBackoffMs: number;
  /** Growth of the wait per attempt. */
  multiplier: number;
  /** Random share added or taken from each wait, so that many pods do not retry in step. */
  jitter: number;
}

/** The retry policy unless one is given: 5 attempts, 1 s growing 1.5x up to 5 s, ±20%. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, initialBackoffMs: 1000, maxBackoffMs: 5000, multiplier: 1.5, jitter: 0.2 };

/** Where and how a transport posts. */
export interface TransportOptions {
  /** The full URL, http:// or https://. */
  url: string;
  /** Headers sent with every request. */
  headers: Readonly<Record<string, string>>;
  /** `gzip` compresses request bodies. */
  compression: 'gzip' | 'none';
  /** `application/x-protobuf` or `application/json`. */
  contentType: string;
  /** TLS material for https:// URLs. */
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
  /** How long one attempt may wait for its answer, within the deadline of the send; unbounded but by it when absent. */
  requestTimeoutMs?: number;
  /** Retries; DEFAULT_RETRY when absent. */
  retry?: RetryPolicy;
  /** The clock. */
  now?: () => number;
}

/** What one `send()` came to. */
export type SendResult =
  | { readonly ok: true; readonly body: Buffer; readonly attempts: number }
  | { readonly ok: false; readonly failure: ExportFailure; readonly attempts: number };

/** Most of a collector's answer read: enough for a partial-success message or an error text, never a flood. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Shortest wait before a retry, even when the collector says `Retry-After: 0`. */
const MIN_RETRY_WAIT_MS = 100;
/** Node's longest timer; longer delays would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Posts OTLP/HTTP requests under our own deadline. Unlike the OTLP exporters' transport, it keeps the real cause of
 * every failure (a 503 stays a 503 after its retries), bounds each request by the deadline of the whole export
 * (an answer that drips in byte by byte is cut off and its socket destroyed), and owns everything it starts:
 * `shutdown()` aborts requests in flight, cancels pending retries and destroys the agent's sockets, so nothing of
 * it keeps the process alive. Retry timers are unreferenced for the same reason.
 */
export class OtlpHttpTransport {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;
  private readonly retry: RetryPolicy;
  private readonly now: () => number;
  private readonly inFlight = new Set<ClientRequest>();
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly aborted = new WeakSet<ClientRequest>();
  /** What we send that a collector's answer may echo (header values, URL credentials and query values). */
  private readonly secrets: readonly string[];
  private closed = false;
  /** Advanced by `abortInFlight()`: sends begun before it give up. */
  private generation = 0;

  constructor(private readonly options: TransportOptions) {
    this.url = new URL(options.url);
    const secure = this.url.protocol === 'https:';
    // No socket cap: a capped agent queues requests, and a queued request makes it open a new connection when a
    // socket closes, even after shutdown(). Each pipeline sends one request at a time, which bounds the sockets.
    // node:http and node:https load with the first transport, and https only for an https endpoint.
    if (secure) {
      const https = require('node:https') as typeof import('node:https');
      this.agent = new https.Agent({ keepAlive: true, ca: options.tls?.ca, cert: options.tls?.cert, key: options.tls?.key });
      this.request = unwrapped(https.request as typeof httpRequest);
    } else {
      const http = require('node:http') as typeof import('node:http');
      this.agent = new http.Agent({ keepAlive: true });
      this.request = unwrapped(http.request);
    }
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.now = options.now ?? Date.now;
    this.secrets = knownSecrets(this.url, options.headers);
  }

  /** The URL posted to, as messages show it (credentials in it masked). */
  get target(): string {
    return displayUrl(this.options.url);
  }

  /**
   * Posts `body`, trying again on retryable failures while time is left before `deadlineAt` (ms since epoch).
   * Never rejects.
   */
  async send(body: Uint8Array, deadlineAt: number): Promise<SendResult> {
    const started = this.now();
    const generation = this.generation;
    let payload: Uint8Array;
    try {
      payload = this.options.compression === 'gzip' ? await gzipAsync(body) : body;
    } catch (error) {
      return { ok: false, failure: networkFailure(error), attempts: 0 };
    }
    let backoff = this.retry.initialBackoffMs;
    let retrying: ExportFailure | undefined;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) {
        return { ok: false, failure: attempt === 1 ? CLOSED_FAILURE : closedFailure(retrying, this.now() - started), attempts: attempt - 1 };
      }
      if (generation !== this.generation) return { ok: false, failure: SUPERSEDED_FAILURE, attempts: attempt - 1 };
      const remaining = deadlineAt - this.now();
      if (remaining <= 0) {
        const failure = attempt === 1 ? DEADLINE_PASSED_FAILURE : timeoutFailure(this.now() - started);
        return { ok: false, failure, attempts: attempt - 1 };
      }
      const perRequest = this.options.requestTimeoutMs ?? Infinity;
      const limit = Math.min(remaining, perRequest);
      const result = await this.post(payload, limit);
      if (result.ok) return { ok: true, body: result.body, attempts: attempt };
      if (result.failure === CLOSED_FAILURE) {
        return { ok: false, failure: closedFailure(retrying, this.now() - started), attempts: attempt };
      }
      // A try the export's deadline cut short that timed out after full-length tries timed out says less than they
      // did ("within 95 ms" when the request timeout is 200 ms): theirs is the cause reported.
      const cutShort = result.failure.kind === 'timeout' && retrying?.kind === 'timeout' && limit < perRequest;
      const failure = cutShort ? (retrying as ExportFailure) : result.failure;
      retrying = failure;
      if (!failure.retryable || attempt >= this.retry.maxAttempts || this.closed || generation !== this.generation) {
        return { ok: false, failure, attempts: attempt };
      }
      const jittered = backoff * (1 + (Math.random() * 2 - 1) * this.retry.jitter);
      // A collector's Retry-After is honoured, but `0` is not an invitation to hammer it.
      const wait = failure.retryAfterMs !== undefined ? Math.max(failure.retryAfterMs, MIN_RETRY_WAIT_MS) : Math.min(jittered, this.retry.maxBackoffMs);
      backoff = Math.min(backoff * this.retry.multiplier, this.retry.maxBackoffMs);
      // No time for another full try: report this failure, not a vaguer timeout.
      if (wait >= deadlineAt - this.now()) return { ok: false, failure, attempts: attempt };
      await this.delay(wait);
    }
  }

  /** Aborts requests in flight, cancels retry waits and destroys every socket. Later sends fail at once. */
  shutdown(): void {
    this.closed = true;
    this.abortInFlight();
    this.agent.destroy();
  }

  /**
   * Gives up the sends under way (their requests aborted, their retry waits ended), which resolve as superseded;
   * the transport stays open for the next send. Used when the last export at shutdown replaces a running one.
   */
  abortInFlight(): void {
    this.generation++;
    for (const request of this.inFlight) {
      this.aborted.add(request);
      request.destroy();
    }
    this.inFlight.clear();
    for (const wait of this.waits) {
      clearTimeout(wait.timer);
      wait.resolve();
    }
    this.waits.clear();
  }

  private post(payload: Uint8Array, timeoutMs: number): Promise<{ ok: true; body: Buffer } | { ok: false; failure: ExportFailure }> {
    return new Promise((resolve) => {
      let done = false;
      let request: ClientRequest | undefined;
      const finish = (result: { ok: true; body: Buffer } | { ok: false; failure: ExportFailure }): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (request !== undefined) this.inFlight.delete(request);
        resolve(result);
      };
      // Our deadline covers the whole exchange: connecting, sending and reading the answer to its last byte.
      const timer = setTimeout(() => {
        finish({ ok: false, failure: timeoutFailure(timeoutMs) });
        request?.destroy();
      }, Math.min(timeoutMs, MAX_TIMER_MS));
      timer.unref();
      const headers: Record<string, string> = {
        ...this.options.headers,
        'content-type': this.options.contentType,
        'content-length': String(payload.byteLength),
        'user-agent': `otel-facade/${VERSION}`,
      };
      if (this.options.compression === 'gzip') headers['content-encoding'] = 'gzip';
      try {
        // With tracing suppressed, in case an instrumentation patched `request` in a way `unwrapped` cannot see.
        request = context.with(suppressTracing(context.active()), () => this.request(this.url, { method: 'POST', agent: this.agent, headers }));
      } catch (error) {
        finish({ ok: false, failure: networkFailure(error) });
        return;
      }
      this.inFlight.add(request);
      request.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const answer = (): void => {
          const status = response.statusCode ?? 0;
          const body = Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES);
          if (status >= 200 && status < 300) {
            finish({ ok: true, body });
          } else {
            const retryAfter = response.headers['retry-after'];
            const text = withoutSecrets(textOf(body, response.headers['content-type']), this.secrets);
            finish({ ok: false, failure: httpFailure(status, response.statusMessage, text, retryAfter, this.now()) });
          }
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          // Enough read: the status decides, and the rest of a huge answer is not waited for.
          if (size >= MAX_RESPONSE_BYTES) {
            answer();
            request?.destroy();
          }
        });
        response.on('error', (error) => finish({ ok: false, failure: this.abandoned(request) ?? networkFailure(error) }));
        response.on('end', answer);
      });
      request.on('error', (error) => finish({ ok: false, failure: this.abandoned(request) ?? networkFailure(error) }));
      request.end(payload);
    });
  }

  /** Why a request was destroyed by us, if it was. */
  private abandoned(request: ClientRequest | undefined): ExportFailure | undefined {
    if (this.closed) return CLOSED_FAILURE;
    return request !== undefined && this.aborted.has(request) ? SUPERSEDED_FAILURE : undefined;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wait = {
        timer: setTimeout(() => {
          this.waits.delete(wait);
          resolve();
        }, ms),
        resolve,
      };
      wait.timer.unref();
      this.waits.add(wait);
    });
  }
}

function gzipAsync(body: Uint8Array): Promise<Buffer> {
  const { gzip } = require('node:zlib') as typeof import('node:zlib'); // loaded with the first compressed export
  return new Promise((resolve, reject) => gzip(body, (error, result) => (error ? reject(error) : resolve(result))));
}

/** The answer as text for a message, unless it is protobuf (a Status message): then its printable runs. */
function textOf(body: Buffer, contentType: string | undefined): string {
  if (body.length === 0) return '';
  const text = body.toString('utf8');
  if (contentType?.includes('protobuf') === true) return text.replace(/[^\x20-\x7e]+/g, ' ');
  return text;
}

/** Values this transport sends that must never be quoted back: header values, URL credentials, query values. */
function knownSecrets(url: URL, headers: Readonly<Record<string, string>>): string[] {
  const found = new Set<string>();
  const add = (value: string): void => {
    if (value.length < 4) return; // too short to be a secret, and would mask common words
    found.add(value);
    found.add(percentDecoded(value));
  };
  for (const value of Object.values(headers)) {
    add(value);
    // `Bearer <token>`, `Basic <base64>`: the token alone may be echoed too
    const space = value.indexOf(' ');
    if (space > 0) add(value.slice(space + 1));
  }
  add(url.password);
  if (url.username !== '' || url.password !== '') {
    // Node sends URL credentials as `Authorization: Basic base64(user:password)`: an echo of that header shows them.
    add(Buffer.from(`${percentDecoded(url.username)}:${percentDecoded(url.password)}`).toString('base64'));
  }
  for (const value of url.searchParams.values()) add(value);
  return [...found].sort((a, b) => b.length - a.length); // longest first, so a token inside a header value goes whole
}

/** `text` with every known secret replaced by `***`, and any `Basic`/`Bearer` token too (one linear pattern). */
function withoutSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join('***');
  return maskAuthTokens(result);
}

/**
 * `http.request` as Node defines it, under any instrumentation's patch (shimmer, which OpenTelemetry's
 * instrumentations use, keeps the original as `__original`): our own exports must not be traced or measured by an
 * HTTP instrumentation the application registered, or every export would add a span and a data point to the next.
 */
function unwrapped(request: typeof httpRequest): typeof httpRequest {
  let current = request as typeof httpRequest & { __original?: unknown };
  for (let depth = 0; depth < 8 && typeof current.__original === 'function'; depth++) {
    current = current.__original as typeof current;
  }
  return current;
}
