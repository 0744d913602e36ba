import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { displayUrl } from '../config/endpoint';
import { percentDecoded } from '../config/printable';
import { VERSION } from '../version';
import { knownSecrets, withoutSecrets } from './echoedSecrets';
import { grpcFailure, otherFailure, type ExportFailure } from './ExportFailure';
import type { GrpcCall, GrpcCallError, GrpcMachinery, GrpcMetadata, GrpcServiceClient } from './grpcMachinery';
import { DEFAULT_RETRY, RetryingTransport, type AttemptResult, type RetryPolicy } from './RetryingTransport';


/** The most bytes of an answer we read: grpc-js's default (4 MiB) plus one, so that our own limit is recognisable. */
const ANSWER_LIMIT_BYTES = 4 * 1024 * 1024 + 1;
/** Where and how a gRPC transport calls. */
export interface GrpcTransportOptions {
  /** The collector, `http://host:port` (plaintext) or `https://host:port` (TLS); a path is not used. */
  url: string;
  /** Sent as metadata with every call. */
  headers: Readonly<Record<string, string>>;
  /** `gzip` compresses each request message (grpc-js does it, and says so in `grpc-encoding`). */
  compression: 'gzip' | 'none';
  /** TLS material for https:// URLs. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** How long one attempt may wait for its answer, within the deadline of the send. */
  requestTimeoutMs?: number;
  /** Retries; DEFAULT_RETRY when absent. */
  retry?: RetryPolicy;
  /** The clock of the retry loop. */
  now?: () => number;
  /** The signal's OTLP service. */
  service: { name: string; path: string };
  /** The official gRPC exporters' pieces, loaded when gRPC was chosen. */
  machinery: GrpcMachinery;
}

/** grpc-js's compression algorithm numbers. */
const GRPC_GZIP = 2;
const GRPC_IDENTITY = 0;
/** The type of google.rpc.RetryInfo, which a server puts in a status' details when it says when to try again. */
const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * Calls a signal's OTLP/gRPC service with requests already encoded by the official serializer, through the client
 * constructor of the official gRPC exporters (`@opentelemetry/otlp-grpc-exporter-base`, which loads
 * `@grpc/grpc-js`). Unlike that package's own transport, it keeps each call, so `abortInFlight()` and
 * `shutdown()` cancel calls in flight: a call waiting on a hung collector holds grpc-js's HTTP/2 session, which keeps
 * the process alive until the call's deadline. Each call carries the deadline of its attempt (the server sees it as
 * `grpc-timeout`), retries follow the specification's retryable statuses within the deadline of the whole export, and
 * a status becomes an `ExportFailure` with the server's own text (`grpcFailure`).
 */
export class OtlpGrpcTransport extends RetryingTransport<GrpcCall> {
  private readonly url: URL;
  private readonly address: string;
  private readonly metadata: GrpcMetadata;
  private client: GrpcServiceClient | undefined;
  private readonly secrets: readonly string[];
  /** Headers that could not be sent as gRPC metadata, with why: for the pipeline to say once. */
  readonly notes: string[] = [];

  constructor(private readonly options: GrpcTransportOptions) {
    super(options.retry ?? DEFAULT_RETRY, options.now ?? Date.now, options.requestTimeoutMs);
    this.url = new URL(options.url);
    // gRPC dials host:port; a URL without a port means the scheme's own, which URL leaves out.
    this.address = `${this.url.hostname}:${this.url.port || (this.url.protocol === 'https:' ? '443' : '80')}`;
    this.metadata = this.buildMetadata();
    this.secrets = knownSecrets(this.url, options.headers);
  }

  /** The collector's address, as messages show it (credentials in it masked). */
  get target(): string {
    return displayUrl(this.options.url);
  }

  protected override attempt(payload: Uint8Array, timeoutMs: number): Promise<AttemptResult> {
    let client: GrpcServiceClient;
    try {
      client = this.connect();
    } catch (error) {
      // Credentials grpc-js refuses (a key that does not match its certificate): nothing could be sent.
      return Promise.resolve({ ok: false, failure: otherFailure(error) });
    }
    return new Promise((resolve) => {
      let call: GrpcCall | undefined;
      let done = false;
      const finish = (result: AttemptResult): void => {
        if (done) return;
        done = true;
        if (call !== undefined) this.untrack(call);
        resolve(result);
      };
      const request = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      // grpc-js compares deadlines with the wall clock, whatever clock the retry loop runs on.
      const deadline = Date.now() + Math.min(timeoutMs, 2 ** 31 - 1);
      try {
        // With tracing suppressed, so that a gRPC instrumentation does not trace our own exports.
        call = context.with(suppressTracing(context.active()), () => client.export(request, this.metadata, { deadline }, (error, response) => {
          if (error === null || error === undefined) {
            finish({ ok: true, body: Buffer.isBuffer(response) ? response : Buffer.alloc(0) });
          } else {
            finish({ ok: false, failure: this.abandonedBy(call) ?? this.failureOf(error, timeoutMs) });
          }
        }));
      } catch (error) {
        finish({ ok: false, failure: otherFailure(error) });
        return;
      }
      if (!done) this.track(call as GrpcCall);
    });
  }

  protected override cancel(call: GrpcCall): void {
    call.cancel();
  }

  protected override release(): void {
    this.client?.close();
    this.client = undefined;
  }

  /** The client, made at the first call (grpc-js connects lazily, and a shutdown before any export costs nothing). */
  private connect(): GrpcServiceClient {
    if (this.client !== undefined) return this.client;
    const { machinery, compression, service, tls } = this.options;
    let credentials: unknown;
    if (this.url.protocol === 'https:') {
      // grpc-js takes a client key only with its certificate: one alone is left out (said in `notes`).
      const pair = tls?.key !== undefined && tls.cert !== undefined;
      credentials = machinery.createSslCredentials(tls?.ca, pair ? tls.key : undefined, pair ? tls.cert : undefined);
    } else {
      credentials = machinery.createInsecureCredentials();
    }
    this.client = machinery.createServiceClient(this.address, credentials, {
      'grpc.default_compression_algorithm': compression === 'gzip' ? GRPC_GZIP : GRPC_IDENTITY,
      'grpc.primary_user_agent': `otel-facade/${VERSION}`,
      // An OTLP answer is a few bytes. grpc-js words a too-large answer exactly as servers word a too-large request
      // (RESOURCE_EXHAUSTED, "Received message larger than max"); a limit of our own, one byte past its default,
      // tells the two apart (see `grpcFailure`).
      'grpc.max_receive_message_length': ANSWER_LIMIT_BYTES,
    }, service);
    return this.client;
  }

  /**
   * The headers as metadata, once: names lower-cased (gRPC's rule), values as given (`-bin` names as bytes). URL
   * credentials are sent as Basic auth, as over HTTP, unless an `authorization` header is given. A header gRPC cannot
   * carry is left out, with a note.
   */
  private buildMetadata(): GrpcMetadata {
    const { machinery, headers, tls } = this.options;
    const metadata = machinery.createEmptyMetadata();
    const entries = Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value] as const);
    if ((this.url.username !== '' || this.url.password !== '') && !entries.some(([name]) => name === 'authorization')) {
      const basic = Buffer.from(`${percentDecoded(this.url.username)}:${percentDecoded(this.url.password)}`).toString('base64');
      entries.push(['authorization', `Basic ${basic}`]);
    }
    for (const [name, value] of entries) {
      try {
        metadata.set(name, name.endsWith('-bin') ? Buffer.from(value) : value);
      } catch {
        // grpc-js's error quotes the value, and headers are credentials: the rule is said instead.
        this.notes.push(`the header '${name.slice(0, 60)}' cannot be sent as gRPC metadata (names of 0-9, a-z, '_', '.' and '-'; ` +
          "values of printable ASCII, or any bytes for a name ending in '-bin'); it is left out of OTLP/gRPC exports.");
      }
    }
    if (this.url.protocol === 'https:' && (tls?.key === undefined) !== (tls?.cert === undefined)) {
      this.notes.push('a client key and a client certificate are used together, and only one was given: OTLP/gRPC to ' +
        `${displayUrl(this.options.url)} connects without a client ` +
        'certificate. Set both clientKey and clientCertificate (OTEL_EXPORTER_OTLP_CLIENT_KEY, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE) for mutual TLS.');
    }
    return metadata;
  }

  /** A failed call as an `ExportFailure`, with the server's text (what it echoes of our secrets masked). */
  private failureOf(error: GrpcCallError, timeoutMs: number): ExportFailure {
    const code = typeof error.code === 'number' ? error.code : 2; // UNKNOWN
    const details = typeof error.details === 'string' ? error.details : typeof error.message === 'string' ? error.message : '';
    let retryInfo = false;
    try {
      const statusDetails = error.metadata?.get('grpc-status-details-bin') ?? [];
      retryInfo = statusDetails.some((value) => Buffer.isBuffer(value) && value.includes(RETRY_INFO_TYPE));
    } catch {
      // Metadata we cannot read says nothing about retrying.
    }
    return grpcFailure(code, withoutSecrets(details, this.secrets), timeoutMs, retryInfo, ANSWER_LIMIT_BYTES);
  }
}
