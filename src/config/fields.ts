/**
 * Every configuration field, declared once: its path, what it accepts, its default in each profile, the environment
 * variables that set it and what it does. Validation, merging, the profiles (and `profiles/*.json`), the list of
 * known fields with its "did you mean" suggestions, the README's configuration tables and the defaults shown in the
 * type's hover docs all come from here (the last three are checked by `test/config/generated.test.ts`).
 */

/** The names of the bundled profiles. */
export type ProfileName = 'development' | 'staging' | 'production';

/** The bundled profile names, in the order they are listed in messages and tables. */
export const PROFILE_NAMES: readonly ProfileName[] = ['development', 'staging', 'production'];

/** What a field accepts. */
export type FieldKind =
  | { readonly type: 'integer'; readonly min: number; readonly max: number }
  | { readonly type: 'number'; readonly min: number; readonly max: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'text'; readonly maxLength: number }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  /** One of `values`, or a list of them (`metrics.exporter`, `propagators`). */
  | { readonly type: 'enumList'; readonly values: readonly string[]; readonly single: boolean }
  | { readonly type: 'url' }
  /** A URL path, starting with `/`. */
  | { readonly type: 'urlPath' }
  /** The path of a file to read at initialize() (a PEM certificate or key). */
  | { readonly type: 'file' }
  /** String keys to string values (headers, resource attributes). */
  | { readonly type: 'stringMap' }
  /** Label names to whole numbers (per-label cardinality limits). */
  | { readonly type: 'limitMap'; readonly min: number; readonly max: number }
  /** A list of non-empty strings (keys). */
  | { readonly type: 'keyList' }
  /** Regular expressions or their sources. */
  | { readonly type: 'patterns' }
  /** An object with `warn(message)` and `info(message)`. */
  | { readonly type: 'logger' }
  /** A list of OpenTelemetry instrumentations (objects with `enable()`, `disable()` and `setTracerProvider()`). */
  | { readonly type: 'instrumentations' };

/** One configuration field. */
export interface FieldSpec {
  /** Where it sits in `TelemetryConfig`, dotted for nested fields: `spanBatch.maxQueueSize`. */
  readonly path: string;
  /** What it accepts. */
  readonly kind: FieldKind;
  /** What it does, one sentence, for the README and the hover docs. */
  readonly doc: string;
  /** Its default in each profile; absent when it has none (then it is unset unless given). */
  readonly defaults?: Readonly<Record<ProfileName, unknown>>;
  /** The environment variables that set it, most specific first; an explicit value wins over them. */
  readonly env?: readonly string[];
  /**
   * A shared field whose resolved value this per-signal field falls back to before the profile (`metrics.compression`
   * inherits `compression`): the most specific setting wins, and between equally specific ones the config wins.
   */
  readonly inherits?: string;
  /** How the variable and the config combine, when it is not "the config wins" (OTEL_SDK_DISABLED). */
  readonly envRule?: string;
}

const all = (value: unknown): Record<ProfileName, unknown> => ({ development: value, staging: value, production: value });
const per = (development: unknown, staging: unknown, production: unknown): Record<ProfileName, unknown> => ({ development, staging, production });
const integer = (min: number, max: number): FieldKind => ({ type: 'integer', min, max });
const BOOLEAN: FieldKind = { type: 'boolean' };
const TEXT: FieldKind = { type: 'text', maxLength: 255 };

/** The push exporters a signal can have. */
export const PUSH_EXPORTERS = ['otlp', 'console', 'none'] as const;
/** The metrics exporters: the push ones and `prometheus`. */
export const METRICS_EXPORTERS = ['otlp', 'prometheus', 'console', 'none'] as const;
/** The OTLP transports: HTTP with protobuf or JSON, or gRPC (through the optional OpenTelemetry gRPC exporters). */
export const PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
/** The propagators OTEL_PROPAGATORS can name. */
export const PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none'] as const;
/** The temporality preferences of OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE. */
export const TEMPORALITIES = ['cumulative', 'delta', 'lowmemory'] as const;
/** The histogram aggregations (OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION). */
export const HISTOGRAM_AGGREGATIONS = ['explicit_bucket_histogram', 'base2_exponential_bucket_histogram'] as const;
/** The exemplar filters (OTEL_METRICS_EXEMPLAR_FILTER). */
export const EXEMPLAR_FILTERS = ['trace_based', 'always_on', 'always_off'] as const;
/** OpenTelemetry's diagnostic levels (OTEL_LOG_LEVEL), lower-cased. */
export const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;

/** The keys whose values are not checked for IP addresses by default: they name infrastructure. */
const IP_EXEMPT_KEYS = ['server.address', 'network.peer.address', 'network.local.address', 'destination.address', 'net.peer.name', 'net.host.name', 'url.full'];

/** The metrics section's own settings, which no shared field feeds. */
const METRICS_ONLY: readonly FieldSpec[] = [
  { path: 'metrics.maxPointsPerRequest', kind: integer(1, 1_000_000), defaults: all(2000), doc: 'Most data points in one export request; a collection is sent in as many requests as it needs.' },
  { path: 'metrics.temporality', kind: { type: 'enum', values: TEMPORALITIES }, defaults: all('cumulative'), env: ['OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE'], doc: 'Temporality of pushed metrics: `cumulative`; `delta` (counters and histograms as deltas, up-down counters cumulative); `lowmemory` (as `delta`, observable counters cumulative). Deltas are kept until delivered, so failed exports lose nothing. The scrape endpoint stays cumulative.' },
  { path: 'metrics.exemplarFilter', kind: { type: 'enum', values: EXEMPLAR_FILTERS }, defaults: all('trace_based'), env: ['OTEL_METRICS_EXEMPLAR_FILTER'], doc: 'Which measurements become exemplars (a value with the trace and span it was recorded in, on sums, gauges and histograms; OTLP only): those within a sampled span, all of them, or none.' },
];

/** The settings a per-signal section repeats, each falling back to the shared one of the same name. */
function signalFields(signal: 'metrics' | 'traces'): FieldSpec[] {
  const upper = signal.toUpperCase();
  const own = (name: string, kind: FieldKind, doc: string, extra: Partial<FieldSpec> = {}): FieldSpec =>
    ({ path: `${signal}.${name}`, kind, doc, env: [`OTEL_EXPORTER_OTLP_${upper}_${envName(name)}`], inherits: name, ...extra });
  const breaker = (name: string, kind: FieldKind, doc: string): FieldSpec =>
    ({ path: `${signal}.circuitBreaker.${name}`, kind, doc, inherits: `circuitBreaker.${name}` });
  return [
    signal === 'metrics'
      ? { path: 'metrics.exporter', kind: { type: 'enumList', values: METRICS_EXPORTERS, single: false }, doc: 'Where metrics go; a list combines a push exporter with `prometheus`, such as `[\'otlp\', \'prometheus\']` (OTEL_METRICS_EXPORTER also takes `logging`, read as `console`).', env: ['OTEL_METRICS_EXPORTER'], inherits: 'exporter' }
      : { path: 'traces.exporter', kind: { type: 'enum', values: PUSH_EXPORTERS }, doc: 'Where spans go.', env: ['OTEL_TRACES_EXPORTER'], inherits: 'exporter' },
    own('endpoint', { type: 'url' }, 'The full URL this signal\'s exports are posted to, used as given (else `endpoint` + `/v1/metrics` or `/v1/traces`; over gRPC, `endpoint` as it is).', { inherits: undefined }),
    own('headers', { type: 'stringMap' }, 'Headers sent with this signal\'s exports, merged over the shared `headers`.'),
    own('protocol', { type: 'enum', values: PROTOCOLS }, 'How this signal\'s exports are sent: OTLP/HTTP protobuf or JSON, or OTLP/gRPC.'),
    own('compression', { type: 'enum', values: ['gzip', 'none'] }, 'Compression of this signal\'s export bodies.'),
    own('timeoutMs', integer(1, 600_000), 'How long one request of this signal may wait for its answer (the whole export, retries included, is bounded by its own deadline).'),
    own('certificate', { type: 'file' }, 'A PEM file of certificate authorities to trust for this signal\'s exports over https.'),
    own('clientKey', { type: 'file' }, 'A PEM file with the private key of the client certificate for this signal\'s exports (mutual TLS).'),
    own('clientCertificate', { type: 'file' }, 'A PEM file with the client certificate for this signal\'s exports (mutual TLS).'),
    breaker('enabled', BOOLEAN, `Whether ${signal} exports are guarded by a breaker.`),
    breaker('maxFailures', integer(1, 1000), `Failed ${signal} exports in a row that open the breaker.`),
    breaker('recoveryTimeMs', integer(100, 3_600_000), 'How long the breaker stays open before a probe export.'),
    breaker('halfOpenMax', integer(1, 100), 'Probe exports let through while half-open.'),
    ...(signal === 'metrics' ? METRICS_ONLY : []),
    { path: `${signal}.maxBytesPerRequest`, kind: integer(1024, 256 * 1024 * 1024), defaults: all(1024 * 1024), doc: 'Most bytes (before compression) in one export request; larger ones are split, and a collector answering 413 lowers it.' },
  ];
}

/** `timeoutMs` → `TIMEOUT`, `clientKey` → `CLIENT_KEY`. */
function envName(name: string): string {
  return name.replace(/Ms$/, '').replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

/** Every field of `TelemetryConfig`. */
export const FIELDS: readonly FieldSpec[] = [
  { path: 'profile', kind: { type: 'enum', values: PROFILE_NAMES }, doc: 'The profile whose values fill the fields not given; named here or in OTEL_FACADE_PROFILE, it is also the resource\'s `deployment.environment.name`.', defaults: all('development'), env: ['OTEL_FACADE_PROFILE'] },
  { path: 'serviceName', kind: TEXT, doc: '`service.name` of the resource (else `unknown_service:node`, with a warning).', env: ['OTEL_SERVICE_NAME'] },
  { path: 'serviceVersion', kind: TEXT, doc: '`service.version` of the resource.' },
  { path: 'serviceNamespace', kind: TEXT, doc: '`service.namespace` of the resource.' },
  { path: 'resourceAttributes', kind: { type: 'stringMap' }, doc: 'More resource attributes, merged over OTEL_RESOURCE_ATTRIBUTES.', env: ['OTEL_RESOURCE_ATTRIBUTES'] },
  { path: 'enabled', kind: BOOLEAN, doc: '`false` turns every call into a no-op (so does OTEL_SDK_DISABLED=true, whatever this says).', defaults: all(true), env: ['OTEL_SDK_DISABLED'], envRule: 'OTEL_SDK_DISABLED=true wins whatever the config says' },
  { path: 'endpoint', kind: { type: 'url' }, doc: 'Base URL of the collector; `/v1/metrics` and `/v1/traces` are appended over HTTP; over gRPC it is used as it is (unset, `http://localhost:4317`).', defaults: all('http://localhost:4318'), env: ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_FACADE_ENDPOINT'] },
  { path: 'exporter', kind: { type: 'enum', values: PUSH_EXPORTERS }, doc: 'The push exporter of both signals, unless `metrics.exporter` or `traces.exporter` says otherwise.', defaults: all('otlp') },
  { path: 'headers', kind: { type: 'stringMap' }, doc: 'Headers sent with every export, merged over OTEL_EXPORTER_OTLP_HEADERS.', env: ['OTEL_EXPORTER_OTLP_HEADERS'] },
  { path: 'protocol', kind: { type: 'enum', values: PROTOCOLS }, doc: 'How exports are sent: OTLP/HTTP protobuf or JSON, or OTLP/gRPC (`grpc` needs @opentelemetry/exporter-metrics-otlp-grpc and @opentelemetry/exporter-trace-otlp-grpc installed; see OTLP/gRPC).', defaults: all('http/protobuf'), env: ['OTEL_EXPORTER_OTLP_PROTOCOL'] },
  { path: 'compression', kind: { type: 'enum', values: ['gzip', 'none'] }, doc: 'Compression of export bodies.', defaults: all('gzip'), env: ['OTEL_EXPORTER_OTLP_COMPRESSION'] },
  { path: 'timeoutMs', kind: integer(1, 600_000), doc: 'How long one export request may wait for its answer.', defaults: all(10_000), env: ['OTEL_EXPORTER_OTLP_TIMEOUT'] },
  { path: 'certificate', kind: { type: 'file' }, doc: 'A PEM file of certificate authorities to trust for exports over https.', env: ['OTEL_EXPORTER_OTLP_CERTIFICATE'] },
  { path: 'clientKey', kind: { type: 'file' }, doc: 'A PEM file with the private key of the client certificate (mutual TLS).', env: ['OTEL_EXPORTER_OTLP_CLIENT_KEY'] },
  { path: 'clientCertificate', kind: { type: 'file' }, doc: 'A PEM file with the client certificate (mutual TLS).', env: ['OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE'] },
  ...signalFields('metrics'),
  ...signalFields('traces'),
  { path: 'exportIntervalMs', kind: integer(100, 3_600_000), doc: 'How often metrics are exported.', defaults: per(5000, 15_000, 30_000), env: ['OTEL_METRIC_EXPORT_INTERVAL'] },
  { path: 'exportTimeoutMs', kind: integer(50, 3_600_000), doc: 'Deadline of one metrics export, every request and retry of it; at most `exportIntervalMs`.', defaults: per(4000, 10_000, 10_000), env: ['OTEL_METRIC_EXPORT_TIMEOUT'] },
  { path: 'samplingRate', kind: { type: 'number', min: 0, max: 1 }, doc: 'Fraction of traces sampled, parent-based by trace ID (OTEL_TRACES_SAMPLER and _ARG choose another sampler).', defaults: per(1, 0.1, 0.001) },
  { path: 'prometheus.port', kind: integer(0, 65_535), doc: 'Port of the Prometheus scrape endpoint, served when `metrics.exporter` lists `prometheus` or any `prometheus` field is given.', defaults: all(9464), env: ['OTEL_EXPORTER_PROMETHEUS_PORT'] },
  { path: 'prometheus.host', kind: TEXT, doc: 'Address the scrape endpoint listens on (0.0.0.0 outside development, so a scraper outside the pod can reach it).', defaults: per('127.0.0.1', '0.0.0.0', '0.0.0.0'), env: ['OTEL_EXPORTER_PROMETHEUS_HOST'] },
  { path: 'prometheus.endpoint', kind: { type: 'urlPath' }, doc: 'Path of the scrape endpoint.', defaults: all('/metrics') },
  { path: 'spanBatch.maxQueueSize', kind: integer(1, 1_000_000), doc: 'Spans held while waiting for export; past it, new spans are dropped and counted.', defaults: per(2048, 4096, 4096), env: ['OTEL_BSP_MAX_QUEUE_SIZE'] },
  { path: 'spanBatch.maxExportBatchSize', kind: integer(1, 1_000_000), doc: 'Spans per export; at most `spanBatch.maxQueueSize`.', defaults: all(512), env: ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE'] },
  { path: 'spanBatch.scheduledDelayMs', kind: integer(1, 3_600_000), doc: 'Delay between two span exports.', defaults: per(1000, 5000, 5000), env: ['OTEL_BSP_SCHEDULE_DELAY'] },
  { path: 'spanBatch.exportTimeoutMs', kind: integer(1, 600_000), doc: 'Deadline of one span export, every request and retry of it.', defaults: per(4000, 10_000, 10_000), env: ['OTEL_BSP_EXPORT_TIMEOUT'] },
  { path: 'cardinalityLimit', kind: integer(1, 1_000_000), doc: 'Most series one metric holds; past it, new label combinations fold into one overflow series.', defaults: all(2000) },
  { path: 'cardinalityLimits', kind: { type: 'limitMap', min: 1, max: 1_000_000 }, doc: 'Most distinct values per label name within a metric, past which values are recorded as `other`; given, it replaces the profile\'s.', defaults: per({}, { agent_id: 100, capability: 50, error_type: 50, user_id: 100 }, { agent_id: 100, capability: 50, error_type: 50, user_id: 100 }) },
  { path: 'labelValueTtlMs', kind: integer(1000, 86_400_000), doc: 'How long a label value may stay unused before it stops counting against its label\'s limit.', defaults: all(600_000) },
  { path: 'maxMetricNames', kind: integer(1, 100_000), doc: 'Most distinct metric names; calls for more are dropped.', defaults: all(1000) },
  { path: 'maxLabelPairs', kind: integer(1, 128), doc: 'Most label pairs kept per call.', defaults: all(32) },
  { path: 'maxLabelValueLength', kind: integer(16, 65_536), doc: 'Most UTF-8 bytes kept of a label value.', defaults: all(256) },
  { path: 'maxLabelKeyLength', kind: integer(16, 1024), doc: 'Most UTF-8 bytes kept of a label key.', defaults: all(128) },
  { path: 'rateLimit.enabled', kind: BOOLEAN, doc: 'Whether recording calls are rate limited, per metric name.', defaults: per(false, true, true) },
  { path: 'rateLimit.callsPerSecond', kind: integer(1, 1_000_000_000), doc: 'Sustained calls per second admitted for one metric name.', defaults: all(100_000) },
  { path: 'rateLimit.burst', kind: integer(1, 1_000_000_000), doc: 'Calls admitted at once after an idle period.', defaults: all(200_000) },
  { path: 'circuitBreaker.enabled', kind: BOOLEAN, doc: 'Whether exports are guarded by a circuit breaker (each signal has its own).', defaults: per(false, true, true) },
  { path: 'circuitBreaker.maxFailures', kind: integer(1, 1000), doc: 'Failed exports in a row that open a breaker.', defaults: per(5, 10, 10) },
  { path: 'circuitBreaker.recoveryTimeMs', kind: integer(100, 3_600_000), doc: 'How long a breaker stays open before it lets a probe export through.', defaults: per(10_000, 15_000, 30_000) },
  { path: 'circuitBreaker.halfOpenMax', kind: integer(1, 100), doc: 'Probe exports let through while half-open.', defaults: all(1) },
  { path: 'piiRedaction', kind: BOOLEAN, doc: 'Replace values that look like personal data or secrets with `[REDACTED]`.', defaults: per(false, true, true) },
  { path: 'piiPatterns', kind: { type: 'patterns' }, doc: 'More patterns to redact, compiled with RE2 (linear time); no backreferences or lookaround.', defaults: all([]) },
  { path: 'piiIpExemptKeys', kind: { type: 'keyList' }, doc: 'Label and attribute keys whose values are not checked for IP addresses.', defaults: all(IP_EXEMPT_KEYS) },
  { path: 'spanLimits.attributeValueLengthLimit', kind: integer(16, 1_000_000), doc: 'Most characters of a span attribute value (each string of an array too).', defaults: all(4096), env: ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'] },
  { path: 'spanLimits.attributeCountLimit', kind: integer(1, 10_000), doc: 'Most attributes on a span, an event or a link.', defaults: all(128), env: ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'] },
  { path: 'spanLimits.eventCountLimit', kind: integer(0, 10_000), doc: 'Most events on a span; past it the oldest are dropped.', defaults: all(128), env: ['OTEL_SPAN_EVENT_COUNT_LIMIT'] },
  { path: 'spanLimits.linkCountLimit', kind: integer(0, 128), doc: 'Most links on a span.', defaults: all(128), env: ['OTEL_SPAN_LINK_COUNT_LIMIT'] },
  { path: 'baggageLabels', kind: { type: 'keyList' }, doc: 'Baggage keys that `emitWithContext()` and `emitWithOptions({ context })` may turn into labels.', defaults: all([]) },
  { path: 'propagators', kind: { type: 'enumList', values: PROPAGATORS, single: false }, doc: 'How trace context and baggage cross services (`none`: nothing is injected or extracted).', defaults: all(['tracecontext', 'baggage']), env: ['OTEL_PROPAGATORS'] },
  { path: 'logLevel', kind: { type: 'enum', values: LOG_LEVELS }, doc: 'Which of OpenTelemetry\'s own diagnostics reach `logger` (`none`: they stay silent).', defaults: all('none'), env: ['OTEL_LOG_LEVEL'] },
  { path: 'registerGlobal', kind: BOOLEAN, doc: 'Register our MeterProvider and TracerProvider as the OpenTelemetry API globals.', defaults: all(true) },
  { path: 'histogramAggregation', kind: { type: 'enum', values: HISTOGRAM_AGGREGATIONS }, doc: 'How histograms aggregate unless declared otherwise: explicit buckets, or base-2 exponential buckets (at most 160, the scale adapting to the data; OTLP only).', defaults: all('explicit_bucket_histogram'), env: ['OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION'] },
  { path: 'selfMetrics', kind: BOOLEAN, doc: 'Export the library\'s own health as metrics (`otel.facade.*`: calls dropped by reason, series, export failures, breaker state), read at collection only.', defaults: all(true), env: ['OTEL_FACADE_SELF_METRICS'] },
  { path: 'runtimeMetrics', kind: BOOLEAN, doc: 'Export the Node.js runtime metrics (event-loop delay and utilization, V8 heap and GC, process CPU and memory), read at collection only.', defaults: all(true), env: ['OTEL_FACADE_RUNTIME_METRICS'] },
  { path: 'instrumentations', kind: { type: 'instrumentations' }, doc: 'OpenTelemetry instrumentations (such as `new HttpInstrumentation()`) to give our TracerProvider and MeterProvider, enable, and disable at `shutdown()`.' },
  { path: 'shutdownTimeoutMs', kind: integer(1, 600_000), doc: 'Default deadline of `shutdown()`.', defaults: all(5000) },
  { path: 'logger', kind: { type: 'logger' }, doc: 'Where the library\'s own diagnostics go.' },
];

/** The fields by path. */
export const FIELD_BY_PATH: ReadonlyMap<string, FieldSpec> = new Map(FIELDS.map((field) => [field.path, field]));

/** The object-valued groups (`metrics`, `spanBatch`, `metrics.circuitBreaker`...), whose keys are checked too. */
export const GROUPS: ReadonlySet<string> = new Set(FIELDS.flatMap((field) => {
  const parts = field.path.split('.');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('.'));
}));

/** The names known directly under `group` ('' for the top level): fields and groups. */
export function namesUnder(group: string): string[] {
  const prefix = group === '' ? '' : `${group}.`;
  const names = new Set<string>();
  for (const field of FIELDS) {
    if (!field.path.startsWith(prefix)) continue;
    names.add(field.path.slice(prefix.length).split('.')[0]);
  }
  return [...names];
}

/** What a kind accepts, in words, for error messages and the README. */
export function describeKind(kind: FieldKind): string {
  switch (kind.type) {
    case 'integer': return `a whole number from ${kind.min} to ${kind.max}`;
    case 'number': return `a number from ${kind.min} to ${kind.max}`;
    case 'boolean': return 'true or false';
    case 'text': return `a non-empty string of at most ${kind.maxLength} characters`;
    case 'enum': return `one of ${kind.values.map((v) => `'${v}'`).join(', ')}`;
    case 'enumList': return `one of ${kind.values.map((v) => `'${v}'`).join(', ')}, or a list of them`;
    case 'url': return 'an http:// or https:// URL such as http://otel-collector:4318';
    case 'urlPath': return 'a path starting with /';
    case 'file': return 'the path of a readable PEM file';
    case 'stringMap': return 'an object of string values';
    case 'limitMap': return `an object of label name to a whole number from ${kind.min} to ${kind.max}`;
    case 'keyList': return 'an array of non-empty strings';
    case 'patterns': return 'an array of regular expressions or their sources';
    case 'logger': return 'an object with warn(message) and info(message) functions';
    case 'instrumentations': return 'an array of OpenTelemetry instrumentations (objects with enable(), disable() and setTracerProvider())';
  }
}
