import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { PiiPattern } from './piiPatterns';

import type { EXEMPLAR_FILTERS, HISTOGRAM_AGGREGATIONS, LOG_LEVELS, PROPAGATORS, PROTOCOLS, ProfileName } from './fields';

/** Which measurements become exemplars: within a sampled span, all, or none. */
export type ExemplarFilterName = (typeof EXEMPLAR_FILTERS)[number];

/** How histograms aggregate: explicit buckets or base-2 exponential ones. */
export type HistogramAggregation = (typeof HISTOGRAM_AGGREGATIONS)[number];

export type { ProfileName } from './fields';

/** How OTLP exports are sent: protobuf (the default) or JSON over HTTP, or gRPC. */
export type OtlpProtocol = (typeof PROTOCOLS)[number];

/** A propagator OTEL_PROPAGATORS and `propagators` can name. */
export type PropagatorName = (typeof PROPAGATORS)[number];

/** OpenTelemetry's diagnostic levels, lower-cased (OTEL_LOG_LEVEL). */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Token-bucket limits on recording calls, per metric name. */
export interface RateLimitConfig {
  /**
   * Whether recording calls are rate limited, per metric name.
   * Accepts true or false. Default: `false` (development), `true` (staging), `true` (production).
   */
  enabled: boolean;
  /**
   * Sustained calls per second admitted for one metric name.
   * Accepts a whole number from 1 to 1000000000. Default: `100000`.
   */
  callsPerSecond: number;
  /**
   * Calls admitted at once after an idle period.
   * Accepts a whole number from 1 to 1000000000. Default: `200000`.
   */
  burst: number;
}

/** The export circuit breaker: stop calling a collector that keeps failing. */
export interface CircuitBreakerConfig {
  /**
   * Whether exports are guarded by a circuit breaker (each signal has its own).
   * Accepts true or false. Default: `false` (development), `true` (staging), `true` (production).
   */
  enabled: boolean;
  /**
   * Failed exports in a row that open a breaker.
   * Accepts a whole number from 1 to 1000. Default: `5` (development), `10` (staging), `10` (production).
   */
  maxFailures: number;
  /**
   * How long a breaker stays open before it lets a probe export through.
   * Accepts a whole number from 100 to 3600000. Default: `10000` (development), `15000` (staging), `30000` (production).
   */
  recoveryTimeMs: number;
  /**
   * Probe exports let through while half-open.
   * Accepts a whole number from 1 to 100. Default: `1`.
   */
  halfOpenMax: number;
}

/** Settings of the batch span processor. */
export interface SpanBatchConfig {
  /**
   * Spans held while waiting for export; past it, new spans are dropped and counted.
   * Accepts a whole number from 1 to 1000000. Default: `2048` (development), `4096` (staging), `4096` (production).
   * Environment: OTEL_BSP_MAX_QUEUE_SIZE (the config wins).
   */
  maxQueueSize: number;
  /**
   * Spans per export; at most `spanBatch.maxQueueSize`.
   * Accepts a whole number from 1 to 1000000. Default: `512`.
   * Environment: OTEL_BSP_MAX_EXPORT_BATCH_SIZE (the config wins).
   */
  maxExportBatchSize: number;
  /**
   * Delay between two span exports.
   * Accepts a whole number from 1 to 3600000. Default: `1000` (development), `5000` (staging), `5000` (production).
   * Environment: OTEL_BSP_SCHEDULE_DELAY (the config wins).
   */
  scheduledDelayMs: number;
  /**
   * Deadline of one span export, every request and retry of it.
   * Accepts a whole number from 1 to 600000. Default: `4000` (development), `10000` (staging), `10000` (production).
   * Environment: OTEL_BSP_EXPORT_TIMEOUT (the config wins).
   */
  exportTimeoutMs: number;
}

/** Limits on what one span carries. */
export interface SpanLimitsConfig {
  /**
   * Most characters of a span attribute value (each string of an array too).
   * Accepts a whole number from 16 to 1000000. Default: `4096`.
   * Environment: OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, then OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT (the config wins).
   */
  attributeValueLengthLimit: number;
  /**
   * Most attributes on a span, an event or a link.
   * Accepts a whole number from 1 to 10000. Default: `128`.
   * Environment: OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, then OTEL_ATTRIBUTE_COUNT_LIMIT (the config wins).
   */
  attributeCountLimit: number;
  /**
   * Most events on a span; past it the oldest are dropped.
   * Accepts a whole number from 0 to 10000. Default: `128`.
   * Environment: OTEL_SPAN_EVENT_COUNT_LIMIT (the config wins).
   */
  eventCountLimit: number;
  /**
   * Most links on a span.
   * Accepts a whole number from 0 to 128. Default: `128`.
   * Environment: OTEL_SPAN_LINK_COUNT_LIMIT (the config wins).
   */
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
  /**
   * Port of the Prometheus scrape endpoint, served when `metrics.exporter` lists `prometheus` or any `prometheus` field is given.
   * Accepts a whole number from 0 to 65535. Default: `9464`.
   * Environment: OTEL_EXPORTER_PROMETHEUS_PORT (the config wins).
   */
  port?: number;
  /**
   * Address the scrape endpoint listens on (0.0.0.0 outside development, so a scraper outside the pod can reach it).
   * Accepts a non-empty string of at most 255 characters. Default: `127.0.0.1` (development), `0.0.0.0` (staging), `0.0.0.0` (production).
   * Environment: OTEL_EXPORTER_PROMETHEUS_HOST (the config wins).
   */
  host?: string;
  /**
   * Path of the scrape endpoint.
   * Accepts a path starting with /. Default: `/metrics`.
   */
  endpoint?: string;
}

/** A metrics exporter: `otlp` pushes OTLP/HTTP, `prometheus` serves a scrape endpoint, `console` prints, `none` sends nothing. */
export type MetricsExporterName = 'otlp' | 'prometheus' | 'console' | 'none';

/** A traces exporter: `otlp` pushes OTLP/HTTP, `console` prints, `none` sends nothing. */
export type TracesExporterName = 'otlp' | 'console' | 'none';

/** The transport settings each signal can set for itself; each overrides the shared setting of the same name. */
export interface SignalTransportConfig {
  /**
   * The full URL this signal's exports are posted to, used as given (else `endpoint` + `/v1/metrics` or `/v1/traces`; over gRPC, `endpoint` as it is).
   * Accepts an http:// or https:// URL such as http://otel-collector:4318. Default: unset.
   * Environment: OTEL_EXPORTER_OTLP_{METRICS,TRACES}_ENDPOINT (the config wins).
   */
  endpoint?: string;
  /**
   * Headers sent with this signal's exports, merged over the shared `headers`.
   * Accepts an object of string values. Default: the shared `headers`.
   * Environment: OTEL_EXPORTER_OTLP_{METRICS,TRACES}_HEADERS (the most specific setting wins).
   */
  headers?: Record<string, string>;
  /**
   * How this signal's exports are sent: OTLP/HTTP protobuf or JSON, or OTLP/gRPC.
   * Accepts one of 'http/protobuf', 'http/json', 'grpc'. Default: the shared `protocol`.
   * Environment: OTEL_EXPORTER_OTLP_{METRICS,TRACES}_PROTOCOL (the most specific setting wins).
   */
  protocol?: OtlpProtocol;
  /**
   * Compression of this signal's export bodies.
   * Accepts one of 'gzip', 'none'. Default: the shared `compression`.
   * Environment: OTEL_EXPORTER_OTLP_{METRICS,TRACES}_COMPRESSION (the most specific setting wins).
   */
  compression?: 'gzip' | 'none';
  /**
   * How long one request of this signal may wait for its answer (the whole export, retries included, is bounded by its own deadline).
   * Accepts a whole number from 1 to 600000. Default: the shared `timeoutMs`.
   * Environment: OTEL_EXPORTER_OTLP_{METRICS,TRACES}_TIMEOUT (the most specific setting wins).
   */
  timeoutMs?: number;
  /**
   * A PEM file of certificate authorities to trust for this signal's exports over https.
   * Accepts the path of a readable PEM file. Default: the shared `certificate`.
   * Environment: OTEL_EXPORTER_OTLP_{METRICS,TRACES}_CERTIFICATE (the most specific setting wins).
   */
  certificate?: string;
  /**
   * A PEM file with the private key of the client certificate for this signal's exports (mutual TLS).
   * Accepts the path of a readable PEM file. Default: the shared `clientKey`.
   * Environment: OTEL_EXPORTER_OTLP_{METRICS,TRACES}_CLIENT_KEY (the most specific setting wins).
   */
  clientKey?: string;
  /**
   * A PEM file with the client certificate for this signal's exports (mutual TLS).
   * Accepts the path of a readable PEM file. Default: the shared `clientCertificate`.
   * Environment: OTEL_EXPORTER_OTLP_{METRICS,TRACES}_CLIENT_CERTIFICATE (the most specific setting wins).
   */
  clientCertificate?: string;
  /** This signal's breaker, merged over the shared `circuitBreaker`. */
  circuitBreaker?: Partial<CircuitBreakerConfig>;
  /**
   * Most bytes (before compression) in one export request; larger ones are split, and a collector answering 413 lowers it.
   * Accepts a whole number from 1024 to 268435456. Default: `1048576`.
   */
  maxBytesPerRequest?: number;
}

/** Settings of the metrics pipeline; each overrides the shared setting of the same name for metrics only. */
export interface MetricsSignalConfig extends SignalTransportConfig {
  /**
   * Where metrics go; a list combines a push exporter with `prometheus`, such as `['otlp', 'prometheus']` (OTEL_METRICS_EXPORTER also takes `logging`, read as `console`).
   * Accepts one of 'otlp', 'prometheus', 'console', 'none', or a list of them. Default: the shared `exporter`.
   * Environment: OTEL_METRICS_EXPORTER (the most specific setting wins).
   */
  exporter?: MetricsExporterName | readonly MetricsExporterName[];
  /**
   * Most data points in one export request; a collection is sent in as many requests as it needs.
   * Accepts a whole number from 1 to 1000000. Default: `2000`.
   */
  maxPointsPerRequest?: number;
  /**
   * Temporality of pushed metrics: `cumulative`; `delta` (counters and histograms as deltas, up-down counters cumulative); `lowmemory` (as `delta`, observable counters cumulative). Deltas are kept until delivered, so failed exports lose nothing. The scrape endpoint stays cumulative.
   * Accepts one of 'cumulative', 'delta', 'lowmemory'. Default: `cumulative`.
   * Environment: OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE (the config wins).
   */
  temporality?: MetricsTemporality;
  /**
   * Which measurements become exemplars (a value with the trace and span it was recorded in, on sums, gauges and histograms; OTLP only): those within a sampled span, all of them, or none.
   * Accepts one of 'trace_based', 'always_on', 'always_off'. Default: `trace_based`.
   * Environment: OTEL_METRICS_EXEMPLAR_FILTER (the config wins).
   */
  exemplarFilter?: ExemplarFilterName;
}

/** The temporality preferences: what `metrics.temporality` accepts. */
export type MetricsTemporality = 'cumulative' | 'delta' | 'lowmemory';

/** Settings of the traces pipeline; each overrides the shared setting of the same name for traces only. */
export interface TracesSignalConfig extends SignalTransportConfig {
  /**
   * Where spans go.
   * Accepts one of 'otlp', 'console', 'none'. Default: the shared `exporter`.
   * Environment: OTEL_TRACES_EXPORTER (the most specific setting wins).
   */
  exporter?: TracesExporterName;
}

/** What both pipelines resolve to: the push exporter and its transport. */
export interface ResolvedSignal {
  /** The push exporter. */
  exporter: 'otlp' | 'console' | 'none';
  /** Where exports go: the full URL over HTTP, the collector's `http(s)://host:port` over gRPC. */
  url: string;
  /** Where the URL came from (a field or a variable), for messages. */
  urlSource: string;
  /** Export headers. */
  headers: Record<string, string>;
  /** Deadline of one export (every request of it), retries included. */
  timeoutMs: number;
  /** This pipeline's breaker. */
  circuitBreaker: CircuitBreakerConfig;
  /** Most bytes per request, before compression. */
  maxBytesPerRequest: number;
  /** Payload compression. */
  compression: 'gzip' | 'none';
  /** Payload encoding and transport: OTLP/HTTP protobuf or JSON, or OTLP/gRPC. */
  protocol: OtlpProtocol;
  /** How long one request may wait for its answer. */
  requestTimeoutMs: number;
  /** TLS material read at initialize(), for https endpoints. */
  tls: TlsFiles;
}

/** The metrics pipeline, resolved. */
export interface ResolvedMetricsSignal extends ResolvedSignal {
  /** The Prometheus scrape endpoint, if metrics are served for scraping. */
  prometheus: Required<PrometheusConfig> | undefined;
  /** How often metrics are exported. */
  intervalMs: number;
  /** Most data points per request. */
  maxPointsPerRequest: number;
  /** Temporality of pushed metrics. */
  temporality: MetricsTemporality;
  /** Which measurements become exemplars (`always_off` when nothing pushes them). */
  exemplarFilter: ExemplarFilterName;
}

/** The traces pipeline, resolved (`timeoutMs` is `spanBatch.exportTimeoutMs`). */
export type ResolvedTracesSignal = ResolvedSignal;

/** TLS material for an https endpoint, read from the files named in the configuration. */
export interface TlsFiles {
  /** Certificate authorities to trust (PEM). */
  ca?: Buffer;
  /** The client certificate (PEM), for mutual TLS. */
  cert?: Buffer;
  /** The client's private key (PEM), for mutual TLS. */
  key?: Buffer;
}


/**
 * What `instrumentations` takes: an OpenTelemetry instrumentation, as `@opentelemetry/instrumentation` defines it
 * (every `new XInstrumentation()` is one), described by the methods this library calls.
 */
export interface InstrumentationLike {
  /** The instrumentation's name, such as `@opentelemetry/instrumentation-http`. */
  readonly instrumentationName?: string;
  /** Patches the library it instruments (again). */
  enable(): void;
  /** Removes its patches. */
  disable(): void;
  /** The TracerProvider its spans go to. */
  setTracerProvider(tracerProvider: TracerProvider): void;
  /** The MeterProvider its metrics go to (instrumentations that record metrics). */
  setMeterProvider?(meterProvider: MeterProvider): void;
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
  /**
   * The profile whose values fill the fields not given; named here or in OTEL_FACADE_PROFILE, it is also the resource's `deployment.environment.name`.
   * Accepts one of 'development', 'staging', 'production'. Default: `development`.
   * Environment: OTEL_FACADE_PROFILE (the config wins).
   */
  profile?: ProfileName;
  /**
   * `service.name` of the resource (else `unknown_service:node`, with a warning).
   * Accepts a non-empty string of at most 255 characters. Default: unset.
   * Environment: OTEL_SERVICE_NAME (the config wins).
   */
  serviceName?: string;
  /**
   * `service.version` of the resource.
   * Accepts a non-empty string of at most 255 characters. Default: unset.
   */
  serviceVersion?: string;
  /**
   * `service.namespace` of the resource.
   * Accepts a non-empty string of at most 255 characters. Default: unset.
   */
  serviceNamespace?: string;
  /**
   * More resource attributes, merged over OTEL_RESOURCE_ATTRIBUTES.
   * Accepts an object of string values. Default: unset.
   * Environment: OTEL_RESOURCE_ATTRIBUTES (the config wins).
   */
  resourceAttributes?: Record<string, string>;
  /**
   * `false` turns every call into a no-op (so does OTEL_SDK_DISABLED=true, whatever this says).
   * Accepts true or false. Default: `true`.
   * Environment: OTEL_SDK_DISABLED (OTEL_SDK_DISABLED=true wins whatever the config says).
   */
  enabled?: boolean;
  /**
   * Base URL of the collector; `/v1/metrics` and `/v1/traces` are appended over HTTP; over gRPC it is used as it is (unset, `http://localhost:4317`).
   * Accepts an http:// or https:// URL such as http://otel-collector:4318. Default: `http://localhost:4318`.
   * Environment: OTEL_EXPORTER_OTLP_ENDPOINT, then OTEL_FACADE_ENDPOINT (the config wins).
   */
  endpoint?: string;
  /** The metrics pipeline: exporter, endpoint, headers, breaker and request size, for metrics only. */
  metrics?: MetricsSignalConfig;
  /** The traces pipeline: exporter, endpoint, headers, breaker and request size, for traces only. */
  traces?: TracesSignalConfig;
  /**
   * Headers sent with every export, merged over OTEL_EXPORTER_OTLP_HEADERS.
   * Accepts an object of string values. Default: unset.
   * Environment: OTEL_EXPORTER_OTLP_HEADERS (the config wins).
   */
  headers?: Record<string, string>;
  /**
   * How exports are sent: OTLP/HTTP protobuf or JSON, or OTLP/gRPC (`grpc` needs @opentelemetry/exporter-metrics-otlp-grpc and @opentelemetry/exporter-trace-otlp-grpc installed; see OTLP/gRPC).
   * Accepts one of 'http/protobuf', 'http/json', 'grpc'. Default: `http/protobuf`.
   * Environment: OTEL_EXPORTER_OTLP_PROTOCOL (the config wins).
   */
  protocol?: OtlpProtocol;
  /**
   * How long one export request may wait for its answer.
   * Accepts a whole number from 1 to 600000. Default: `10000`.
   * Environment: OTEL_EXPORTER_OTLP_TIMEOUT (the config wins).
   */
  timeoutMs?: number;
  /**
   * A PEM file of certificate authorities to trust for exports over https.
   * Accepts the path of a readable PEM file. Default: unset.
   * Environment: OTEL_EXPORTER_OTLP_CERTIFICATE (the config wins).
   */
  certificate?: string;
  /**
   * A PEM file with the private key of the client certificate (mutual TLS).
   * Accepts the path of a readable PEM file. Default: unset.
   * Environment: OTEL_EXPORTER_OTLP_CLIENT_KEY (the config wins).
   */
  clientKey?: string;
  /**
   * A PEM file with the client certificate (mutual TLS).
   * Accepts the path of a readable PEM file. Default: unset.
   * Environment: OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE (the config wins).
   */
  clientCertificate?: string;
  /**
   * How often metrics are exported.
   * Accepts a whole number from 100 to 3600000. Default: `5000` (development), `15000` (staging), `30000` (production).
   * Environment: OTEL_METRIC_EXPORT_INTERVAL (the config wins).
   */
  exportIntervalMs?: number;
  /**
   * Deadline of one metrics export, every request and retry of it; at most `exportIntervalMs`.
   * Accepts a whole number from 50 to 3600000. Default: `4000` (development), `10000` (staging), `10000` (production).
   * Environment: OTEL_METRIC_EXPORT_TIMEOUT (the config wins).
   */
  exportTimeoutMs?: number;
  /**
   * Fraction of traces sampled, parent-based by trace ID (OTEL_TRACES_SAMPLER and _ARG choose another sampler).
   * Accepts a number from 0 to 1. Default: `1` (development), `0.1` (staging), `0.001` (production).
   */
  samplingRate?: number;
  /**
   * The push exporter of both signals, unless `metrics.exporter` or `traces.exporter` says otherwise.
   * Accepts one of 'otlp', 'console', 'none'. Default: `otlp`.
   */
  exporter?: 'otlp' | 'console' | 'none';
  /** Expose metrics on a Prometheus `/metrics` endpoint, alongside or instead of the push exporter. */
  prometheus?: PrometheusConfig;
  /** Batch span processor settings. */
  spanBatch?: Partial<SpanBatchConfig>;
  /**
   * Most series one metric holds; past it, new label combinations fold into one overflow series.
   * Accepts a whole number from 1 to 1000000. Default: `2000`.
   */
  cardinalityLimit?: number;
  /**
   * Most distinct values per label name within a metric, past which values are recorded as `other`; given, it replaces the profile's.
   * Accepts an object of label name to a whole number from 1 to 1000000. Default: `{}` (development), `agent_id: 100, capability: 50, error_type: 50, user_id: 100` (staging), `agent_id: 100, capability: 50, error_type: 50, user_id: 100` (production).
   */
  cardinalityLimits?: Record<string, number>;
  /**
   * How long a label value may stay unused before it stops counting against its label's limit.
   * Accepts a whole number from 1000 to 86400000. Default: `600000`.
   */
  labelValueTtlMs?: number;
  /**
   * Most distinct metric names; calls for more are dropped.
   * Accepts a whole number from 1 to 100000. Default: `1000`.
   */
  maxMetricNames?: number;
  /**
   * Most label pairs kept per call.
   * Accepts a whole number from 1 to 128. Default: `32`.
   */
  maxLabelPairs?: number;
  /**
   * Most UTF-8 bytes kept of a label value.
   * Accepts a whole number from 16 to 65536. Default: `256`.
   */
  maxLabelValueLength?: number;
  /**
   * Most UTF-8 bytes kept of a label key.
   * Accepts a whole number from 16 to 1024. Default: `128`.
   */
  maxLabelKeyLength?: number;
  /** Per-metric token bucket on recording calls; the fields given are merged over the profile's. */
  rateLimit?: Partial<RateLimitConfig>;
  /** The export circuit breaker of each signal; the fields given are merged over the profile's. */
  circuitBreaker?: Partial<CircuitBreakerConfig>;
  /**
   * Replace values that look like personal data or secrets with `[REDACTED]`.
   * Accepts true or false. Default: `false` (development), `true` (staging), `true` (production).
   */
  piiRedaction?: boolean;
  /**
   * More patterns to redact, compiled with RE2 (linear time); no backreferences or lookaround.
   * Accepts an array of regular expressions or their sources. Default: `[]`.
   */
  piiPatterns?: readonly (string | RegExp)[];
  /**
   * Label and attribute keys whose values are not checked for IP addresses.
   * Accepts an array of non-empty strings. Default: `server.address, network.peer.address, network.local.address, destination.address, net.peer.name, net.host.name, url.full`.
   */
  piiIpExemptKeys?: readonly string[];
  /** Limits on span attributes (OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, OTEL_ATTRIBUTE_COUNT_LIMIT...). */
  spanLimits?: Partial<SpanLimitsConfig>;
  /**
   * Baggage keys that `emitWithContext()` and `emitWithOptions({ context })` may turn into labels.
   * Accepts an array of non-empty strings. Default: `[]`.
   */
  baggageLabels?: readonly string[];
  /**
   * Compression of export bodies.
   * Accepts one of 'gzip', 'none'. Default: `gzip`.
   * Environment: OTEL_EXPORTER_OTLP_COMPRESSION (the config wins).
   */
  compression?: 'gzip' | 'none';
  /**
   * How trace context and baggage cross services (`none`: nothing is injected or extracted).
   * Accepts one of 'tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none', or a list of them. Default: `tracecontext, baggage`.
   * Environment: OTEL_PROPAGATORS (the config wins).
   */
  propagators?: PropagatorName | readonly PropagatorName[];
  /**
   * Which of OpenTelemetry's own diagnostics reach `logger` (`none`: they stay silent).
   * Accepts one of 'none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'. Default: `none`.
   * Environment: OTEL_LOG_LEVEL (the config wins).
   */
  logLevel?: LogLevel;
  /**
   * Register our MeterProvider and TracerProvider as the OpenTelemetry API globals.
   * Accepts true or false. Default: `true`.
   */
  registerGlobal?: boolean;
  /**
   * Default deadline of `shutdown()`.
   * Accepts a whole number from 1 to 600000. Default: `5000`.
   */
  shutdownTimeoutMs?: number;
  /**
   * How histograms aggregate unless declared otherwise: explicit buckets, or base-2 exponential buckets (at most 160, the scale adapting to the data; OTLP only).
   * Accepts one of 'explicit_bucket_histogram', 'base2_exponential_bucket_histogram'. Default: `explicit_bucket_histogram`.
   * Environment: OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION (the config wins).
   */
  histogramAggregation?: HistogramAggregation;
  /**
   * Export the library's own health as metrics (`otel.facade.*`: calls dropped by reason, series, export failures, breaker state), read at collection only.
   * Accepts true or false. Default: `true`.
   * Environment: OTEL_FACADE_SELF_METRICS (the config wins).
   */
  selfMetrics?: boolean;
  /**
   * Export the Node.js runtime metrics (event-loop delay and utilization, V8 heap and GC, process CPU and memory), read at collection only.
   * Accepts true or false. Default: `true`.
   * Environment: OTEL_FACADE_RUNTIME_METRICS (the config wins).
   */
  runtimeMetrics?: boolean;
  /**
   * OpenTelemetry instrumentations (such as `new HttpInstrumentation()`) to give our TracerProvider and MeterProvider, enable, and disable at `shutdown()`.
   * Accepts an array of OpenTelemetry instrumentations (objects with enable(), disable() and setTracerProvider()). Default: unset.
   */
  instrumentations?: readonly InstrumentationLike[];
  /**
   * Where the library's own diagnostics go.
   * Accepts an object with warn(message) and info(message) functions. Default: unset.
   */
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
  /** Export the library's own health as metrics. */
  selfMetrics: boolean;
  /** How histograms aggregate unless declared otherwise. */
  histogramAggregation: HistogramAggregation;
  /** Export the Node.js runtime metrics. */
  runtimeMetrics: boolean;
  /** Instrumentations to wire to our providers. */
  instrumentations: InstrumentationLike[];
  /** Default shutdown deadline. */
  shutdownTimeoutMs: number;
  /** Diagnostics sink. */
  logger: DiagnosticLogger;
}
