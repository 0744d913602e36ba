import type { Diagnostics } from '../diagnostics/Diagnostics';
import type { CircuitState, SignalName } from '../health/Health';
import type { ExportFailure } from './ExportFailure';
import type { RequestLimit } from './RequestLimit';

/** How a signal's requests are sent: OTLP/HTTP protobuf or JSON, or OTLP/gRPC. */
export type ExportEncoding = 'protobuf' | 'JSON' | 'gRPC';

/** How often a signal that keeps failing is reported again. */
const REPEAT_EVERY_MS = 60_000;

const WHAT_HAPPENS: Readonly<Record<SignalName, string>> = {
  metrics: 'Metrics keep aggregating in memory; the next successful export carries their full totals.',
  traces: "Spans of failed exports are dropped and counted ('span_export_failed' in getHealth()).",
};

/**
 * The voice of one signal's exports, in every profile: the first failure is reported at once with the endpoint and
 * the real error; while failures go on, one line a minute says how many; recovery is reported once. Breaker
 * transitions and requests the collector refused as too large are reported too.
 */
export class ExportReporter {
  private failingSince: number | undefined;
  private toldTooLarge = false;
  private failuresInRow = 0;
  private lastReportAt = -Infinity;

  constructor(
    private readonly signal: SignalName,
    /** Where the signal is sent: a URL, or `console`. */
    private readonly target: string,
    private readonly diagnostics: Diagnostics,
    private readonly now: () => number = Date.now,
    /** How requests are sent, for the hints: OTLP/HTTP `protobuf` or `JSON`, or `gRPC`. */
    private readonly encoding: ExportEncoding = 'protobuf',
  ) {}

  /** An export failed. */
  failed(failure: ExportFailure): void {
    const detail = failure.detail;
    const now = this.now();
    this.failuresInRow++;
    if (this.failingSince === undefined) {
      this.failingSince = now;
      this.lastReportAt = now;
      this.diagnostics.warn(
        `${this.signal} export to ${this.target} failed: ${detail}. ${WHAT_HAPPENS[this.signal]}${this.hint(failure)}`,
      );
      return;
    }
    if (now - this.lastReportAt >= REPEAT_EVERY_MS) {
      this.lastReportAt = now;
      this.diagnostics.warn(
        `${this.signal} export to ${this.target} is still failing: ${this.failuresInRow} failed exports since ` +
          `${new Date(this.failingSince).toISOString()}; the last one: ${detail}.`,
      );
    }
  }

  /** Failures began and were said elsewhere: later ones are reported as going on, once a minute. */
  toldFailing(): void {
    if (this.failingSince !== undefined) return;
    this.failingSince = this.now();
    this.lastReportAt = this.failingSince;
    this.failuresInRow = 1;
  }

  /** What to check, for the kind of failure, when the target is a URL. */
  private hint(failure: ExportFailure): string {
    if (!this.target.startsWith('http')) return '';
    const status = failure.status;
    if (failure.kind === 'network') {
      if (failure.code === 'EPROTO' || /SSL|TLS|certificate|CERT_/i.test(`${failure.detail} ${failure.code ?? ''}`)) return tlsHint(failure);
      if (this.encoding === 'gRPC' && /Protocol error/i.test(failure.detail)) {
        return ' The server at that address does not speak gRPC (HTTP/2): is it an OTLP/HTTP port (usually 4318)? OTLP/gRPC is usually on 4317.';
      }
      return this.encoding === 'gRPC'
        ? ' Check that the collector runs, is reachable from here, and accepts OTLP/gRPC at that address (usually port 4317).'
        : ' Check that the collector runs, is reachable from here, and accepts OTLP/HTTP at that URL (usually port 4318).';
    }
    if (failure.kind === 'grpc') return grpcHint(failure);
    if (failure.kind === 'timeout') {
      return ' Check that the collector is reachable and not overloaded, or allow a longer export timeout.';
    }
    if (failure.tooLarge === true) {
      return " Raise the collector's request size limit (the OpenTelemetry Collector's otlp receiver: " +
        'protocols.http.max_request_body_size).';
    }
    if (status === 401 || status === 403) return ' Check the credentials sent in headers (the headers field, or OTEL_EXPORTER_OTLP_HEADERS).';
    if (status === 404 || status === 405) {
      return ' Check the URL: OTLP/HTTP takes POSTs on /v1/metrics and /v1/traces (a full URL in a per-signal endpoint is used as given).';
    }
    if (status === 415) return ` The collector does not take OTLP/HTTP ${this.encoding} at that URL${this.encoding === 'JSON' ? ' (try protocol http/protobuf)' : ''}.`;
    if (status === 400) return ` The collector could not read the request: check that the URL takes OTLP/HTTP ${this.encoding} (a proxy or another protocol behind it?).`;
    if (status === 500) return " The collector failed while taking the request: its own logs say why.";
    if (status === 429 || status === 502 || status === 503 || status === 504) {
      return ' The collector (or a proxy before it) is up but overloaded or not ready; exports are retried with backoff.';
    }
    return '';
  }

  /** An export succeeded. */
  succeeded(): void {
    if (this.failingSince === undefined) return;
    this.diagnostics.info(
      `${this.signal} export to ${this.target} succeeded again after ${this.failuresInRow} failed ` +
        `export${this.failuresInRow === 1 ? '' : 's'} since ${new Date(this.failingSince).toISOString()}.`,
    );
    this.failingSince = undefined;
    this.failuresInRow = 0;
  }

  /** The signal's breaker changed state. */
  circuitChanged(state: CircuitState, previous: CircuitState, maxFailures: number, retryAt: number | undefined, lastFailure: ExportFailure | undefined): void {
    // Reopening after a failed probe is not said again: the once-a-minute "still failing" line covers it.
    if (state === 'open' && previous !== 'half-open') {
      const reason = `${maxFailures} exports failed in a row`;
      this.diagnostics.warn(
        `${this.signal} export circuit breaker opened: ${reason} to ${this.target}; last error: ` +
          `${lastFailure?.detail ?? 'none recorded'}. No ${this.signal} exports are attempted until ` +
          `${retryAt === undefined ? 'the recovery time has passed' : new Date(retryAt).toISOString()}. ` +
          `${WHAT_HAPPENS[this.signal]}${lastFailure === undefined ? '' : this.hint(lastFailure)}`,
      );
    } else if (state === 'closed' && previous !== 'disabled') {
      this.diagnostics.info(`${this.signal} export circuit breaker closed: exports to ${this.target} succeed again.`);
    }
  }

  /**
   * The collector refused a request as too large; requests are now within `limit`. Said the first time only: further
   * halvings show in health (`maxBytesPerRequest`, `maxItemsPerRequest`, `requestsTooLarge`).
   */
  tooLarge(bytes: number | undefined, items: number, limit: RequestLimit, unit: string): void {
    if (this.toldTooLarge) return;
    this.toldTooLarge = true;
    const size = bytes === undefined ? `a request of ${items} ${unit}` : `a ${formatBytes(bytes)} request (${items} ${unit})`;
    const now = bytes === undefined ? `at most ${limit.items} ${unit} each` : `at most ${formatBytes(limit.bytes)} each`;
    this.diagnostics.warn(
      `the collector at ${this.target} refused ${size} as too large (${this.tooLargeAnswer}); sending smaller requests (${now}, ` +
        `larger again as they get through). Raise the collector's request size limit to send fewer, larger requests.`,
    );
  }

  /** The collector refused even one item as too large: it was dropped. */
  droppedTooLarge(unit: string): void {
    this.diagnostics.warnOnce(`too_large_item:${this.signal}`,
      `the collector at ${this.target} refused a request of a single ${unit} as too large (${this.tooLargeAnswer}); it cannot be ` +
        `sent and was dropped (counted as 'export_too_large'). Look for very long attribute values.`);
  }

  /** How the collector says a request is too large. */
  private get tooLargeAnswer(): string {
    return this.encoding === 'gRPC' ? 'gRPC RESOURCE_EXHAUSTED' : 'HTTP 413';
  }

  /** The collector accepted a request but rejected some of it (an OTLP partial success). */
  rejected(count: number, message: string, unit: string): void {
    this.diagnostics.warnOnce(`rejected:${this.signal}:${message.slice(0, 200)}`,
      `the collector at ${this.target} accepted an export but rejected ${count} ${unit}` +
        `${message === '' ? '' : `: ${message.slice(0, 500)}`}.`);
  }
}

/** `1.2 MB`, `640 KB`, `512 B`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/** What to check for a gRPC status, by the OTLP specification's meaning of each. */
function grpcHint(failure: ExportFailure): string {
  switch (failure.grpcStatus) {
    case 'UNAUTHENTICATED':
    case 'PERMISSION_DENIED':
      return ' Check the credentials sent as metadata (the headers field, or OTEL_EXPORTER_OTLP_HEADERS).';
    case 'UNIMPLEMENTED':
      return ' The server at that address does not serve OTLP/gRPC for this signal: check the port (the Collector serves OTLP/gRPC on 4317) and that its otlp receiver enables the grpc protocol.';
    case 'RESOURCE_EXHAUSTED':
      return failure.tooLarge === true ? " Raise the collector's message size limit (the OpenTelemetry Collector's otlp receiver: " +
        'protocols.grpc.max_recv_msg_size_mib).' : ' The collector is out of capacity (a memory limiter?); exports are retried only when it says when to.';
    case 'INVALID_ARGUMENT':
      return ' The collector could not read the request: is a proxy or another protocol behind that address?';
    case 'INTERNAL':
    case 'UNKNOWN':
      return ' The collector failed while taking the request (or the address does not speak gRPC): its own logs say why.';
    default:
      return '';
  }
}

/** What to check when the TLS handshake failed, from the error's code. */
function tlsHint(failure: ExportFailure): string {
  const text = `${failure.code ?? ''} ${failure.detail}`;
  if (/CERTIFICATE_REQUIRED|alert certificate required|bad certificate|unknown ca/i.test(text)) {
    return ' The collector asks for a client certificate (mutual TLS), or refused ours: set clientKey and clientCertificate ' +
      '(OTEL_EXPORTER_OTLP_CLIENT_KEY, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE) to a key and certificate its CA signed.';
  }
  if (/UNABLE_TO_VERIFY|SELF_SIGNED|self[- ]signed|unable to get (local )?issuer|CERT_UNTRUSTED/i.test(text)) {
    return " The collector's certificate is not signed by a CA this process trusts: name its CA's PEM file in certificate " +
      '(OTEL_EXPORTER_OTLP_CERTIFICATE).';
  }
  if (/ALTNAME|Hostname\/IP does not match/i.test(text)) {
    return " The collector's certificate does not name the host in the URL: use the name its certificate was issued for.";
  }
  if (/CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/i.test(text)) return " The collector's certificate has expired or is not valid yet.";
  return ' The TLS handshake failed: if the collector speaks plain HTTP, use an http:// URL; otherwise check its certificate ' +
    '(certificate, or OTEL_EXPORTER_OTLP_CERTIFICATE, for a private CA).';
}
