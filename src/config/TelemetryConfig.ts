import type { PiiPattern } from './piiPatterns';

import type { LOG_LEVELS, PROPAGATORS, PROTOCOLS, ProfileName } from './fields';

export type { ProfileName } from './fields';

/** How OTLP exports are encoded: protobuf (the default) or JSON, over HTTP. */
export type OtlpProtocol = (typeof PROTOCOLS)[number];

/** A propagator OTEL_PROPAGATORS and `propagators` can name. */
export type PropagatorName = (typeof PROPAGATORS)[number];

/** OpenTelemetry's diagnostic levels, lower-cased (OTEL_LOG_LEVEL). */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Token-bucket limits on recording calls, per metric name. */
export interface RateLimitConfig {
  /** Whether recording calls are rate limited at all. */
  enabled: boolean;
  /** Sustained calls per second admitted for one metric name. */
  callsPerSecond: number;
  /** Calls admitted at once after an idle period (the bucket size). */
  burst: number;
}

/** The export circuit breaker: stop calling a collector that keeps failing. */
export interface CircuitBreakerConfig {
  /** Whether exports are guarded by the breaker. */
  enabled: boolean;
  /** Consecutive failed exports that open the breaker. */
  maxFailures: number;
  /** How long the breaker stays open before it lets a probe export through. */
  recoveryTimeMs: number;
  /** Probe exports let through while half-open. */
  halfOpenMax: number;
}

/** Settings of the batch span processor. */
export interface SpanBatchConfig {
  /** Spans held while waiting for export; past it new spans are dropped and counted (`span_queue_full`). */
  maxQueueSize: number;
  /** Spans per export. */
  maxExportBatchSize: number;
  /** Delay between two exports. */
  scheduledDelayMs: number;
  /** Deadline of one span export. */
  exportTimeoutMs: number;
}

/** Limits on what one span carries. */
export interface SpanLimitsConfig {
  /** Most characters of a string attribute value (each string of an array too); longer ones are cut. */
  attributeValueLengthLimit: number;
  /** Most attributes on one span, event or link; further ones are left out. */
  attributeCountLimit: number;
  /** Most events on one span; past it the oldest are dropped. */
  eventCountLimit: number;
  /** Most links on one span. */
  linkCountLimit: number;
}

/** The trace sampler, from `samplingRate` or from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG. */
export interface SamplerConfig {
  /** One of OpenTelemetry's sampler names. */
  type: 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';
  /** The ratio for the `traceidratio` samplers. */
  ratio: number;
}

/** The Prometheus scrape endpoint. */
export interface PrometheusConfig {
  /** Port of the `/metrics` endpoint. */
  port: number;
  /** Address to listen on; 127.0.0.1 in the development profile, 0.0.0.0 otherwise (so the scraper can reach it). */
  host?: string;
  /** Path of the endpoint; default `/metrics`. */
  endpoint?: string;
}

/** A metrics exporter: `otlp` pushes OTLP/HTTP, `prometheus` serves a scrape endpoint, `console` prints, `none` sends nothing. */
export type MetricsExporterName = 'otlp' | 'prometheus' | 'console' | 'none';

/** A traces exporter: `otlp` pushes OTLP/HTTP, `console` prints, `none` sends nothing. */
export type TracesExporterName = 'otlp' | 'console' | 'none';

/** Settings of the metrics pipeline; each overrides the shared setting of the same name for metrics only. */
export interface MetricsSignalConfig {
  /** Where metrics go; a list combines a push exporter with `prometheus`, such as `['otlp', 'prometheus']`. */
  exporter?: MetricsExporterName | readonly MetricsExporterName[];
  /** The full URL metric exports are posted to, used as given (like OTEL_EXPORTER_OTLP_METRICS_ENDPOINT). */
  endpoint?: string;
  /** Headers sent with metric exports, merged over the shared `headers`. */
  headers?: Record<string, string>;
  /** How metrics exports are encoded; else the shared `protocol`. */
  protocol?: OtlpProtocol;
  /** Compression of metrics export bodies; else the shared `compression`. */
  compression?: 'gzip' | 'none';
  /** How long one metrics request may wait for its answer; else the shared `timeoutMs`. */
  timeoutMs?: number;
  /** A PEM file of certificate authorities to trust for metrics exports over https; else the shared `certificate`. */
  certificate?: string;
  /** A PEM file with the client's private key for metrics exports (mutual TLS); else the shared `clientKey`. */
  clientKey?: string;
  /** A PEM file with the client certificate for metrics exports (mutual TLS); else the shared `clientCertificate`. */
  clientCertificate?: string;
  /** The metrics breaker, merged over the shared `circuitBreaker`. */
  circuitBreaker?: Partial<CircuitBreakerConfig>;
  /** Most data points in one export request; a collection is sent in as many requests as it needs. Default 2000. */
  maxPointsPerRequest?: number;
  /** Most bytes (before compression) in one export request. Default 1 MiB. */
  maxBytesPerRequest?: number;
}

/** Settings of the traces pipeline; each overrides the shared setting of the same name for traces only. */
export interface TracesSignalConfig {
  /** Where spans go. */
  exporter?: TracesExporterName;
  /** The full URL span exports are posted to, used as given (like OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). */
  endpoint?: string;
  /** Headers sent with span exports, merged over the shared `headers`. */
  headers?: Record<string, string>;
  /** How traces exports are encoded; else the shared `protocol`. */
  protocol?: OtlpProtocol;
  /** Compression of traces export bodies; else the shared `compression`. */
  compression?: 'gzip' | 'none';
  /** How long one traces request may wait for its answer; else the shared `timeoutMs`. */
  timeoutMs?: number;
  /** A PEM file of certificate authorities to trust for traces exports over https; else the shared `certificate`. */
  certificate?: string;
  /** A PEM file with the client's private key for traces exports (mutual TLS); else the shared `clientKey`. */
  clientKey?: string;
  /** A PEM file with the client certificate for traces exports (mutual TLS); else the shared `clientCertificate`. */
  clientCertificate?: string;
  /** The traces breaker, merged over the shared `circuitBreaker`. */
  circuitBreaker?: Partial<CircuitBreakerConfig>;
  /** Most bytes (before compression) in one export request; larger batches are split. Default 1 MiB. */
  maxBytesPerRequest?: number;
}

/** The metrics pipeline, resolved. */
export interface ResolvedMetricsSignal {
  /** The push exporter. */
  exporter: 'otlp' | 'console' | 'none';
  /** The Prometheus scrape endpoint, if metrics are served for scraping. */
  prometheus: Required<PrometheusConfig> | undefined;
  /** Full URL metric exports are posted to. */
  url: string;
  /** Where the URL came from (a field or a variable), for messages. */
  urlSource: string;
  /** Export headers. */
  headers: Record<string, string>;
  /** How often metrics are exported. */
  intervalMs: number;
  /** Deadline of one export (every request of one collection), retries included. */
  timeoutMs: number;
  /** This pipeline's breaker. */
  circuitBreaker: CircuitBreakerConfig;
  /** Most data points per request. */
  maxPointsPerRequest: number;
  /** Most bytes per request, before compression. */
  maxBytesPerRequest: number;
  /** Payload compression. */
  compression: 'gzip' | 'none';
  /** Payload encoding. */
  protocol: OtlpProtocol;
  /** How long one request may wait for its answer. */
  requestTimeoutMs: number;
  /** TLS material read at initialize(), for https endpoints. */
  tls: TlsFiles;
}

/** TLS material for an https endpoint, read from the files named in the configuration. */
export interface TlsFiles {
  /** Certificate authorities to trust (PEM). */
  ca?: Buffer;
  /** The client certificate (PEM), for mutual TLS. */
  cert?: Buffer;
  /** The client's private key (PEM), for mutual TLS. */
  key?: Buffer;
}

/** The traces pipeline, resolved. */
export interface ResolvedTracesSignal {
  /** The push exporter. */
  exporter: 'otlp' | 'console' | 'none';
  /** Full URL span exports are posted to. */
  url: string;
  /** Where the URL came from (a field or a variable), for messages. */
  urlSource: string;
  /** Export headers. */
  headers: Record<string, string>;
  /** Deadline of one span export, retries included (`spanBatch.exportTimeoutMs`). */
  timeoutMs: number;
  /** This pipeline's breaker. */
  circuitBreaker: CircuitBreakerConfig;
  /** Most bytes per request, before compression. */
  maxBytesPerRequest: number;
  /** Payload compression. */
  compression: 'gzip' | 'none';
  /** Payload encoding. */
  protocol: OtlpProtocol;
  /** How long one request may wait for its answer. */
  requestTimeoutMs: number;
  /** TLS material read at initialize(), for https endpoints. */
  tls: TlsFiles;
}

/** Receives the library's own diagnostics; defaults to `console`. */
export interface DiagnosticLogger {
  /** Problems the user should fix or know about. */
  warn(message: string): void;
  /** State changes worth a line, such as the breaker closing again. */
  info(message: string): void;
}

/**
 * Everything `initialize()` accepts. Every field is optional: what is missing comes from the environment,
 * then from the profile (`profile`, default `development`), then from built-in defaults.
 */
export interface TelemetryConfig {
  /** Profile whose values fill the fields not given here. */
  profile?: ProfileName;
  /** `service.name` of the resource; `OTEL_SERVICE_NAME` is used when absent. */
  serviceName?: string;
  /** `service.version` of the resource. */
  serviceVersion?: string;
  /** `service.namespace` of the resource. */
  serviceNamespace?: string;
  /** Extra resource attributes; merged over `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: Record<string, string>;
  /** `false` turns every call into a no-op (so does `OTEL_SDK_DISABLED=true`). */
  enabled?: boolean;
  /** Base OTLP/HTTP URL of the collector; `/v1/metrics` and `/v1/traces` are appended. */
  endpoint?: string;
  /** The metrics pipeline: exporter, endpoint, headers, breaker and request size, for metrics only. */
  metrics?: MetricsSignalConfig;
  /** The traces pipeline: exporter, endpoint, headers, breaker and request size, for traces only. */
  traces?: TracesSignalConfig;
  /** Headers sent with every export (merged over `OTEL_EXPORTER_OTLP_HEADERS`). */
  headers?: Record<string, string>;
  /** How exports are encoded: OTLP/HTTP protobuf or JSON. */
  protocol?: OtlpProtocol;
  /** How long one export request may wait for its answer. */
  timeoutMs?: number;
  /** A PEM file of certificate authorities to trust for exports over https. */
  certificate?: string;
  /** A PEM file with the private key of the client certificate (mutual TLS). */
  clientKey?: string;
  /** A PEM file with the client certificate (mutual TLS). */
  clientCertificate?: string;
  /** How often metrics are exported. */
  exportIntervalMs?: number;
  /** How long one metric export may take, retries included; at most `exportIntervalMs`. */
  exportTimeoutMs?: number;
  /** Fraction of traces sampled, 0 to 1 (parent-based, by trace ID). */
  samplingRate?: number;
  /**
   * The push exporter of both signals, unless `metrics.exporter` or `traces.exporter` says otherwise: `otlp` pushes
   * over OTLP/HTTP protobuf; `console` prints spans and metrics to stdout, for development; `none` pushes nothing
   * (with `prometheus`, metrics are only scraped).
   */
  exporter?: 'otlp' | 'console' | 'none';
  /** Expose metrics on a Prometheus `/metrics` endpoint, alongside or instead of the push exporter. */
  prometheus?: PrometheusConfig;
  /** Batch span processor settings. */
  spanBatch?: Partial<SpanBatchConfig>;
  /** Most series one metric may hold; past it new series fold into one overflow series. */
  cardinalityLimit?: number;
  /** Most distinct values per label name within one metric; past it values are reported as `other`. */
  cardinalityLimits?: Record<string, number>;
  /** How long a label value may stay unused before it stops counting against its label's limit. */
  labelValueTtlMs?: number;
  /** Most distinct metric names; calls for further names are dropped. */
  maxMetricNames?: number;
  /** Most label pairs per call; extra pairs are dropped. */
  maxLabelPairs?: number;
  /** Most UTF-8 bytes of a label value kept; longer values are truncated. */
  maxLabelValueLength?: number;
  /** Most UTF-8 bytes of a label key kept; longer keys are truncated. */
  maxLabelKeyLength?: number;
  /** Per-metric token bucket on recording calls; the fields given are merged over the profile's. */
  rateLimit?: Partial<RateLimitConfig>;
  /** The export circuit breaker of each signal; the fields given are merged over the profile's. */
  circuitBreaker?: Partial<CircuitBreakerConfig>;
  /** Replace label values that look like personal data with `[REDACTED]`. */
  piiRedaction?: boolean;
  /**
   * Extra patterns whose matches are redacted too (with `piiRedaction` on). They are compiled with RE2, which matches
   * in linear time whatever the pattern; one RE2 cannot take (backreferences, lookaround) is refused at initialize().
   */
  piiPatterns?: readonly (string | RegExp)[];
  /** Label and attribute keys whose values are not checked for IP addresses (infrastructure, such as `server.address`). */
  piiIpExemptKeys?: readonly string[];
  /** Limits on span attributes (OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, OTEL_ATTRIBUTE_COUNT_LIMIT...). */
  spanLimits?: Partial<SpanLimitsConfig>;
  /** Baggage keys that `emitWithContext()` and `emitWithOptions({ context })` may turn into labels. */
  baggageLabels?: readonly string[];
  /** Compression of OTLP payloads. */
  compression?: 'gzip' | 'none';
  /** How trace context and baggage cross services (OTEL_PROPAGATORS); `none`: nothing is injected or extracted. */
  propagators?: readonly PropagatorName[];
  /** Which of OpenTelemetry's own diagnostics reach `logger` (OTEL_LOG_LEVEL); `none`: they stay silent. */
  logLevel?: LogLevel;
  /** Register our MeterProvider and TracerProvider as the OpenTelemetry API globals. */
  registerGlobal?: boolean;
  /** Default deadline of `shutdown()`. */
  shutdownTimeoutMs?: number;
  /** Where diagnostics go; defaults to `console`. */
  logger?: DiagnosticLogger;
}

/** A configuration with every field resolved and validated; what the runtime runs on. */
export interface ResolvedConfig {
  /** The profile the values came from. */
  profile: ProfileName;
  /** Whether the profile was named (in the config or OTEL_FACADE_PROFILE), not taken by default. */
  profileNamed: boolean;
  /** `service.name`. */
  serviceName: string;
  /** `service.version`, or undefined. */
  serviceVersion: string | undefined;
  /** `service.namespace`, or undefined. */
  serviceNamespace: string | undefined;
  /** Resource attributes from the environment and the config. */
  resourceAttributes: Record<string, string>;
  /** Whether telemetry runs. */
  enabled: boolean;
  /** Base URL of the collector, with a scheme. */
  endpoint: string;
  /** The metrics pipeline. */
  metrics: ResolvedMetricsSignal;
  /** The traces pipeline. */
  traces: ResolvedTracesSignal;
  /** Metric export interval. */
  exportIntervalMs: number;
  /** Metric export deadline, retries included. */
  exportTimeoutMs: number;
  /** Trace sampling fraction. */
  samplingRate: number;
  /** The sampler built from samplingRate or the environment. */
  sampler: SamplerConfig;
  /** Batch span processor settings. */
  spanBatch: SpanBatchConfig;
  /** Series per metric. */
  cardinalityLimit: number;
  /** Distinct values per label name. */
  cardinalityLimits: Record<string, number>;
  /** Idle time after which a label value is forgotten. */
  labelValueTtlMs: number;
  /** Distinct metric names. */
  maxMetricNames: number;
  /** Label pairs per call. */
  maxLabelPairs: number;
  /** Label value length, in UTF-8 bytes. */
  maxLabelValueLength: number;
  /** Label key length, in UTF-8 bytes. */
  maxLabelKeyLength: number;
  /** Rate limit. */
  rateLimit: RateLimitConfig;
  /** PII redaction. */
  piiRedaction: boolean;
  /** Custom PII patterns, compiled with RE2 (linear time). */
  piiPatterns: PiiPattern[];
  /** Keys exempt from IP redaction. */
  piiIpExemptKeys: string[];
  /** Span attribute limits. */
  spanLimits: SpanLimitsConfig;
  /** Baggage keys allowed as labels. */
  baggageLabels: string[];
  /** Propagators, in order. */
  propagators: PropagatorName[];
  /** OpenTelemetry diagnostics level. */
  logLevel: LogLevel;
  /** Register as OpenTelemetry globals. */
  registerGlobal: boolean;
  /** Default shutdown deadline. */
  shutdownTimeoutMs: number;
  /** Diagnostics sink. */
  logger: DiagnosticLogger;
}
