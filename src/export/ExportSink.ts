import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ISerializer } from '@opentelemetry/otlp-transformer';
import { displayUrl } from '../config/endpoint';
import type { OtlpProtocol, TlsFiles } from '../config/TelemetryConfig';
import type { SignalName } from '../health/Health';
import { otherFailure, printable, timeoutFailure, type ExportFailure } from './ExportFailure';
import type { ExportEncoding } from './ExportReporter';
import { GRPC_EXPORTER_PACKAGES, GRPC_EXPORTER_VERSION, GRPC_SERVICES, loadGrpcMachinery } from './grpcMachinery';
import { OtlpGrpcTransport } from './OtlpGrpcTransport';
import { OtlpHttpTransport } from './OtlpHttpTransport';
import type { SendResult } from './RetryingTransport';

/** What sending one request came to. */
export type SinkResult =
  | { readonly ok: true; readonly rejected?: { readonly count: number; readonly message: string } }
  | { readonly ok: false; readonly failure: ExportFailure };

/**
 * Where a pipeline's requests go: OTLP over HTTP, the console, or an exporter given by a test. A sink that encodes
 * its requests says how large each one is, so the pipeline can split requests over its byte limit before sending.
 */
export interface ExportSink<T> {
  /** What the sink sends to, for messages: a URL, or `console`. */
  readonly target: string;
  /** The encoded request, for sinks that encode (undefined when there is nothing to send). */
  encode?(items: T): Uint8Array | undefined;
  /** Sends one request, before `deadlineAt` (ms since epoch). Never rejects. */
  send(items: T, encoded: Uint8Array | undefined, deadlineAt: number): Promise<SinkResult>;
  /** Gives up the sends under way (they resolve as failed); later sends go ahead. */
  abort?(): void;
  /** Releases sockets and timers; later sends fail. */
  shutdown(): Promise<void>;
  /** Why every send will fail, known before any (the gRPC exporter is not installed). */
  readonly unavailable?: ExportFailure;
  /** What to say once about how the sink was set up (a header gRPC cannot carry). */
  readonly notes?: readonly string[];
}

/** What an OTLP sink sends through: OTLP/HTTP or OTLP/gRPC. */
export interface OtlpTransport {
  /** Where requests go, for messages. */
  readonly target: string;
  /** Sends one encoded request, retrying within `deadlineAt`. Never rejects. */
  send(body: Uint8Array, deadlineAt: number): Promise<SendResult>;
  /** Gives up the sends under way. */
  abortInFlight(): void;
  /** Releases sockets or channels; later sends fail. */
  shutdown(): void;
}

/** The partial-success part of an OTLP export response. */
interface PartialSuccessResponse {
  partialSuccess?: { rejectedDataPoints?: number | string; rejectedSpans?: number | string; errorMessage?: string };
}

/**
 * Sends requests encoded by the official OTLP serializer through our transport (HTTP or gRPC), and reads the
 * partial success of the answer with the same serializer.
 */
export class OtlpSink<T> implements ExportSink<T> {
  constructor(
    private readonly serializer: ISerializer<T, PartialSuccessResponse>,
    private readonly transport: OtlpTransport,
    readonly notes: readonly string[] = [],
  ) {}

  get target(): string {
    return this.transport.target;
  }

  encode(items: T): Uint8Array | undefined {
    return this.serializer.serializeRequest(items);
  }

  async send(items: T, encoded: Uint8Array | undefined, deadlineAt: number): Promise<SinkResult> {
    let body: Uint8Array | undefined;
    try {
      body = encoded ?? this.encode(items);
    } catch (error) {
      return { ok: false, failure: otherFailure(error) };
    }
    if (body === undefined) return { ok: true };
    const result = await this.transport.send(body, deadlineAt);
    if (!result.ok) return { ok: false, failure: result.failure };
    return { ok: true, rejected: this.partialSuccess(result.body) };
  }

  abort(): void {
    this.transport.abortInFlight();
  }

  async shutdown(): Promise<void> {
    this.transport.shutdown();
  }

  private partialSuccess(body: Buffer): { count: number; message: string } | undefined {
    if (body.length === 0) return undefined;
    try {
      const partial = this.serializer.deserializeResponse(body).partialSuccess;
      const count = Number(partial?.rejectedDataPoints ?? partial?.rejectedSpans ?? 0);
      const message = printable(partial?.errorMessage ?? '', 500);
      return count > 0 || message !== '' ? { count, message } : undefined;
    } catch {
      // An answer we cannot read does not undo a 2xx.
      return undefined;
    }
  }
}

/** A sink whose every send fails for a reason known from the start: the gRPC exporter could not be loaded. */
export class UnavailableSink<T> implements ExportSink<T> {
  constructor(
    readonly target: string,
    readonly unavailable: ExportFailure,
  ) {}

  send(): Promise<SinkResult> {
    return Promise.resolve({ ok: false, failure: this.unavailable });
  }

  async shutdown(): Promise<void> {
    // Nothing was opened.
  }
}

/** An SDK-style exporter: the console exporters, or one a test hands to `initialize`. */
export interface CallbackExporter<T> {
  export(items: T, resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

/** Runs requests through an SDK-style exporter; no encoding, so no byte limit. */
export class ExporterSink<T> implements ExportSink<T> {
  constructor(
    private readonly exporter: CallbackExporter<T>,
    readonly target: string,
  ) {}

  send(items: T, _encoded: Uint8Array | undefined, deadlineAt: number): Promise<SinkResult> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: SinkResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const waitMs = Math.max(0, deadlineAt - Date.now());
      const timer = setTimeout(() => settle({ ok: false, failure: timeoutFailure(waitMs, 'the exporter did not answer') }), waitMs);
      timer.unref();
      try {
        this.exporter.export(items, (result) => {
          settle(result.code === ExportResultCode.SUCCESS ? { ok: true } : { ok: false, failure: otherFailure(result.error) });
        });
      } catch (error) {
        settle({ ok: false, failure: otherFailure(error) });
      }
    });
  }

  async shutdown(): Promise<void> {
    try {
      await this.exporter.shutdown();
    } catch {
      // Shutting down must not fail because an exporter did.
    }
  }
}

/** The transport settings of one signal, as resolved. */
export interface SignalTransportConfig {
  /** Where the signal's exports go: the full URL over HTTP, the collector's `http(s)://host:port` over gRPC. */
  readonly url: string;
  /** Export headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Payload compression. */
  readonly compression: 'gzip' | 'none';
  /** Payload encoding and transport. */
  readonly protocol: OtlpProtocol;
  /** How long one request may wait for its answer. */
  readonly requestTimeoutMs: number;
  /** TLS material for https endpoints. */
  readonly tls: TlsFiles;
}

/** How a signal's requests are sent, in the words of the reporter's hints. */
export function encodingOf(protocol: OtlpProtocol): ExportEncoding {
  return protocol === 'grpc' ? 'gRPC' : protocol === 'http/json' ? 'JSON' : 'protobuf';
}

/**
 * A signal's OTLP sink: the official serializer of its encoding over our transport, with the signal's URL, headers,
 * compression, request timeout and TLS material. `http/protobuf` and `http/json` post over HTTP; `grpc` encodes
 * with the protobuf serializer too (so requests are measured and split alike) and calls the signal's service
 * through the official gRPC exporters' machinery, loaded here and only here. When it cannot be loaded, the sink is
 * unavailable: every send fails with the reason, which names the command that installs it.
 */
export function otlpSink<T>(
  signal: SignalName,
  config: SignalTransportConfig,
  serializers: { readonly protobuf: ISerializer<T, PartialSuccessResponse>; readonly json: ISerializer<T, PartialSuccessResponse> },
  now: () => number,
): ExportSink<T> {
  if (config.protocol === 'grpc') {
    const load = loadGrpcMachinery(signal);
    if (!load.ok) return new UnavailableSink(displayUrl(config.url), load.failure);
    const transport = new OtlpGrpcTransport({
      url: config.url,
      headers: config.headers,
      compression: config.compression,
      tls: config.tls,
      requestTimeoutMs: config.requestTimeoutMs,
      now,
      service: GRPC_SERVICES[signal],
      machinery: load.machinery,
    });
    const notes = [...transport.notes];
    if (load.machinery.version !== GRPC_EXPORTER_VERSION) {
      notes.push(`${GRPC_EXPORTER_PACKAGES[signal]} ${load.machinery.version} is installed; this otel-facade uses ${GRPC_EXPORTER_VERSION} ` +
        '(the release of its other OpenTelemetry packages): install that version, or npm ls may show two copies of some @opentelemetry packages.');
    }
    return new OtlpSink(serializers.protobuf, transport, notes);
  }
  const json = config.protocol === 'http/json';
  const transport = new OtlpHttpTransport({
    url: config.url,
    headers: config.headers,
    compression: config.compression,
    contentType: json ? 'application/json' : 'application/x-protobuf',
    requestTimeoutMs: config.requestTimeoutMs,
    tls: config.tls,
    now,
  });
  return new OtlpSink(json ? serializers.json : serializers.protobuf, transport);
}
