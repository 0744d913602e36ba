import type { Agent as HttpAgent, request as httpRequest, ClientRequest, IncomingMessage } from 'node:http';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { displayUrl } from '../config/endpoint';
import { VERSION } from '../version';
import { knownSecrets, withoutSecrets } from './echoedSecrets';
import { httpFailure, networkFailure, timeoutFailure } from './ExportFailure';
import { DEFAULT_RETRY, RetryingTransport, type AttemptResult, type RetryPolicy } from './RetryingTransport';

export { DEFAULT_RETRY, type RetryPolicy, type SendResult } from './RetryingTransport';

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

/** Most of a collector's answer read: enough for a partial-success message or an error text, never a flood. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Node's longest timer; longer delays would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Posts OTLP/HTTP requests under our own deadline. Unlike the OTLP exporters' transport, it keeps the real cause of
 * every failure (a 503 stays a 503 after its retries), bounds each request by the deadline of the whole export
 * (an answer that drips in byte by byte is cut off and its socket destroyed), and owns everything it starts:
 * `shutdown()` aborts requests in flight, cancels pending retries and destroys the agent's sockets, so nothing of
 * it keeps the process alive. Retry timers are unreferenced for the same reason.
 */
export class OtlpHttpTransport extends RetryingTransport<ClientRequest> {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;
  /** What we send that a collector's answer may echo (header values, URL credentials and query values). */
  private readonly secrets: readonly string[];

  constructor(private readonly options: TransportOptions) {
    super(options.retry ?? DEFAULT_RETRY, options.now ?? Date.now, options.requestTimeoutMs);
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
    this.secrets = knownSecrets(this.url, options.headers);
  }

  /** The URL posted to, as messages show it (credentials in it masked). */
  get target(): string {
    return displayUrl(this.options.url);
  }

  protected override prepare(body: Uint8Array): Promise<Uint8Array> {
    return this.options.compression === 'gzip' ? gzipAsync(body) : Promise.resolve(body);
  }

  protected override cancel(request: ClientRequest): void {
    request.destroy();
  }

  protected override release(): void {
    this.agent.destroy();
  }

  protected override attempt(payload: Uint8Array, timeoutMs: number): Promise<AttemptResult> {
    return new Promise((resolve) => {
      let done = false;
      let request: ClientRequest | undefined;
      const finish = (result: AttemptResult): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (request !== undefined) this.untrack(request);
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
      this.track(request);
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
        response.on('error', (error) => finish({ ok: false, failure: this.abandonedBy(request) ?? networkFailure(error) }));
        response.on('end', answer);
      });
      request.on('error', (error) => finish({ ok: false, failure: this.abandonedBy(request) ?? networkFailure(error) }));
      request.end(payload);
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
