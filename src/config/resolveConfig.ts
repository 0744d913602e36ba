import type {
  MetricsExporterName,
  MetricsSignalConfig,
  ResolvedMetricsSignal,
  SamplerConfig,
  SpanBatchConfig,
  SpanLimitsConfig,
  CircuitBreakerConfig,
  DiagnosticLogger,
  ProfileName,
  RateLimitConfig,
  ResolvedConfig,
  TelemetryConfig,
} from './TelemetryConfig';
import { TelemetryConfigError } from './TelemetryConfigError';
import { compilePiiPatterns } from './piiPatterns';
import { loadProfile, useProfile } from './profiles';
import { headerProblem, readEnvironment, type EnvironmentConfig } from './environment';
import { normalizeEndpoint, signalUrl } from './endpoint';

/** The specification's default port of the Prometheus exporter. */
const DEFAULT_PROMETHEUS_PORT = 9464;

/** The last fallback when neither the config, the environment nor the profile names an endpoint. */
export const DEFAULT_ENDPOINT = 'http://localhost:4318';
/** OpenTelemetry's name for a service that did not say its name. */
export const DEFAULT_SERVICE_NAME = 'unknown_service:node';

/** A resolved configuration plus the warnings found on the way, to be reported once. */
export interface ConfigResolution {
  /** The configuration the runtime runs on. */
  config: ResolvedConfig;
  /** One-time warnings (a missing scheme, the gRPC port, a missing service name). */
  notes: string[];
}

const KNOWN_FIELDS = new Set<string>([
  'profile', 'serviceName', 'serviceVersion', 'serviceNamespace', 'resourceAttributes', 'enabled', 'endpoint', 'metrics', 'traces',
  'headers', 'exportIntervalMs', 'exportTimeoutMs', 'samplingRate', 'exporter', 'prometheus', 'spanBatch', 'cardinalityLimit', 'cardinalityLimits',
  'labelValueTtlMs', 'maxMetricNames', 'maxLabelPairs', 'maxLabelValueLength', 'maxLabelKeyLength', 'rateLimit', 'circuitBreaker',
  'piiRedaction', 'piiPatterns', 'piiIpExemptKeys', 'spanLimits', 'baggageLabels', 'compression', 'registerGlobal', 'shutdownTimeoutMs', 'logger',
]);

/**
 * Layers the configuration, lowest first: built-in default, profile, OTEL_FACADE_ENDPOINT, the OTEL_* variables,
 * the explicit config. Throws a TelemetryConfigError naming the field for anything impossible.
 */
export function resolveConfig(
  input: TelemetryConfig | ProfileName | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ConfigResolution {
  const explicit: TelemetryConfig = typeof input === 'string' ? useProfile(input as ProfileName) : (input ?? {});
  if (typeof explicit !== 'object' || explicit === null || Array.isArray(explicit)) {
    throw new TelemetryConfigError('config', input, 'a TelemetryConfig object or a profile name');
  }
  for (const key of Object.keys(explicit)) {
    if (!KNOWN_FIELDS.has(key)) {
      throw new TelemetryConfigError(key, (explicit as Record<string, unknown>)[key], `no such field; known fields: ${[...KNOWN_FIELDS].join(', ')}`);
    }
  }
  const profileName: ProfileName = explicit.profile ?? 'development';
  const profile = loadProfile(profileName); // throws, listing the valid names, for any other name
  const environment = readEnvironment(env);
  const notes: string[] = [];

  const baseSource: [string, string] =
    explicit.endpoint !== undefined ? ['endpoint', explicit.endpoint]
    : environment.otlpEndpoint !== undefined ? ['OTEL_EXPORTER_OTLP_ENDPOINT', environment.otlpEndpoint]
    : environment.facadeEndpoint !== undefined ? ['OTEL_FACADE_ENDPOINT', environment.facadeEndpoint]
    : profile.endpoint !== undefined ? [`profiles/${profileName}.json endpoint`, profile.endpoint]
    : ['default endpoint', DEFAULT_ENDPOINT];
  if (typeof baseSource[1] !== 'string' || baseSource[1].trim() === '') {
    throw new TelemetryConfigError(baseSource[0], baseSource[1], 'a non-empty URL such as http://otel-collector:4318');
  }
  const base = normalizeEndpoint(baseSource[0], baseSource[1]);
  notes.push(...base.notes);
  notes.push(...environment.notes);
  /** The URL of one signal: its own field, the shared field, its own variable, then the shared base. */
  const signalEndpoint = (field: string, given: string | undefined, variable: string, fromEnv: string | undefined, path: string): [string, string] => {
    const [source, raw] = given !== undefined ? [field, given]
      : explicit.endpoint !== undefined || fromEnv === undefined ? [undefined, undefined]
      : [variable, fromEnv];
    if (source === undefined || raw === undefined) return [signalUrl(base.url, path), baseSource[0]];
    if (typeof raw !== 'string' || raw.trim() === '') throw new TelemetryConfigError(source, raw, 'a non-empty URL');
    const normalized = normalizeEndpoint(source, raw);
    notes.push(...normalized.notes);
    return [normalized.url, source];
  };
  const metricsGiven = objectOrEmpty('metrics', explicit.metrics);
  const tracesGiven = objectOrEmpty('traces', explicit.traces);
  const [metricsUrl, metricsUrlSource] = signalEndpoint('metrics.endpoint', metricsGiven.endpoint, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', environment.otlpMetricsEndpoint, 'v1/metrics');
  const [tracesUrl, tracesUrlSource] = signalEndpoint('traces.endpoint', tracesGiven.endpoint, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', environment.otlpTracesEndpoint, 'v1/traces');

  const resourceAttributes = { ...environment.resourceAttributes, ...(explicit.resourceAttributes ?? {}) };
  let serviceName = explicit.serviceName ?? environment.serviceName ?? resourceAttributes['service.name'];
  if (serviceName === undefined) {
    serviceName = DEFAULT_SERVICE_NAME;
    notes.push(`no service name was given; reporting as '${DEFAULT_SERVICE_NAME}'. Set serviceName or OTEL_SERVICE_NAME.`);
  }

  const pick = <K extends keyof TelemetryConfig>(key: K, fromEnv?: TelemetryConfig[K]): TelemetryConfig[K] =>
    explicit[key] !== undefined ? explicit[key] : fromEnv !== undefined ? fromEnv : profile[key];

  const sharedHeaders = { ...environment.headers, ...(explicit.headers ?? {}) };
  const sharedBreaker = { ...(profile.circuitBreaker as CircuitBreakerConfig), ...(explicit.circuitBreaker ?? {}) };
  validateBreaker('circuitBreaker', sharedBreaker);
  const compression = pick('compression') as 'gzip' | 'none';
  const spanBatch = { ...(profile.spanBatch as SpanBatchConfig), ...(explicit.spanBatch ?? {}) };
  const exportIntervalMs = pick('exportIntervalMs', environment.exportIntervalMs) as number;
  const exportTimeoutMs = pick('exportTimeoutMs', environment.exportTimeoutMs) as number;
  const metricExporters = resolveMetricExporters(metricsGiven.exporter, explicit.exporter, environment.metricsExporters, profile.exporter, notes);
  const profileMetrics = profile.metrics ?? {};
  const profileTraces = profile.traces ?? {};

  const config: ResolvedConfig = {
    profile: profileName,
    serviceName,
    serviceVersion: explicit.serviceVersion ?? resourceAttributes['service.version'],
    serviceNamespace: explicit.serviceNamespace ?? resourceAttributes['service.namespace'],
    resourceAttributes,
    enabled: environment.sdkDisabled ? false : (pick('enabled') ?? true),
    endpoint: base.url,
    metrics: {
      exporter: metricExporters.push,
      prometheus: resolvePrometheus(explicit.prometheus, metricExporters.prometheus, environment, profileName),
      url: metricsUrl,
      urlSource: metricsUrlSource,
      headers: { ...sharedHeaders, ...(metricsGiven.headers ?? {}) },
      intervalMs: exportIntervalMs,
      timeoutMs: exportTimeoutMs,
      circuitBreaker: { ...sharedBreaker, ...(metricsGiven.circuitBreaker ?? {}) },
      maxPointsPerRequest: metricsGiven.maxPointsPerRequest ?? profileMetrics.maxPointsPerRequest as number,
      maxBytesPerRequest: metricsGiven.maxBytesPerRequest ?? profileMetrics.maxBytesPerRequest as number,
      compression,
    },
    traces: {
      exporter: (tracesGiven.exporter ?? explicit.exporter ?? environment.tracesExporter ?? profile.exporter) as 'otlp' | 'console' | 'none',
      url: tracesUrl,
      urlSource: tracesUrlSource,
      headers: { ...sharedHeaders, ...(tracesGiven.headers ?? {}) },
      timeoutMs: spanBatch.exportTimeoutMs,
      circuitBreaker: { ...sharedBreaker, ...(tracesGiven.circuitBreaker ?? {}) },
      maxBytesPerRequest: tracesGiven.maxBytesPerRequest ?? profileTraces.maxBytesPerRequest as number,
      compression,
    },
    exportIntervalMs,
    exportTimeoutMs,
    samplingRate: pick('samplingRate') as number,
    sampler: resolveSampler(explicit.samplingRate, environment.tracesSampler, environment.tracesSamplerArg, profile.samplingRate as number),
    spanBatch,
    cardinalityLimit: pick('cardinalityLimit') as number,
    cardinalityLimits: { ...(profile.cardinalityLimits ?? {}), ...(explicit.cardinalityLimits ?? {}) },
    labelValueTtlMs: pick('labelValueTtlMs') as number,
    maxMetricNames: pick('maxMetricNames') as number,
    maxLabelPairs: pick('maxLabelPairs') as number,
    maxLabelValueLength: pick('maxLabelValueLength') as number,
    maxLabelKeyLength: pick('maxLabelKeyLength') as number,
    rateLimit: { ...(profile.rateLimit as RateLimitConfig), ...(explicit.rateLimit ?? {}) },
    piiRedaction: pick('piiRedaction') as boolean,
    piiPatterns: compilePiiPatterns(pick('piiPatterns') ?? []),
    piiIpExemptKeys: [...((pick('piiIpExemptKeys') ?? []) as string[])],
    spanLimits: {
      ...(profile.spanLimits as SpanLimitsConfig),
      ...definedOnly({ attributeValueLengthLimit: environment.attributeValueLengthLimit, attributeCountLimit: environment.attributeCountLimit }),
      ...(objectOrEmpty('spanLimits', explicit.spanLimits)),
    },
    baggageLabels: [...((pick('baggageLabels') ?? []) as string[])],
    registerGlobal: pick('registerGlobal') as boolean,
    shutdownTimeoutMs: pick('shutdownTimeoutMs') as number,
    logger: explicit.logger ?? consoleLogger,
  };
  validate(config);
  return { config, notes };
}

/** Writes diagnostics to stderr through `console`. */
export const consoleLogger: DiagnosticLogger = {
  warn: (message) => console.warn(message),
  info: (message) => console.info(message),
};

function validate(c: ResolvedConfig): void {
  text('serviceName', c.serviceName, 255);
  optionalText('serviceVersion', c.serviceVersion);
  optionalText('serviceNamespace', c.serviceNamespace);
  bool('enabled', c.enabled);
  integer('exportIntervalMs', c.exportIntervalMs, 100, 3_600_000);
  integer('exportTimeoutMs', c.exportTimeoutMs, 50, c.exportIntervalMs, ` (no longer than exportIntervalMs = ${c.exportIntervalMs})`);
  number('samplingRate', c.samplingRate, 0, 1);
  number('OTEL_TRACES_SAMPLER_ARG', c.sampler.ratio, 0, 1);
  for (const [field, value] of [['metrics.exporter', c.metrics.exporter], ['traces.exporter', c.traces.exporter]]) {
    if (value !== 'otlp' && value !== 'console' && value !== 'none') {
      throw new TelemetryConfigError(field, value, "'otlp', 'console' or 'none'");
    }
  }
  const prometheus = c.metrics.prometheus;
  if (prometheus !== undefined) {
    integer('prometheus.port', prometheus.port, 0, 65535);
    text('prometheus.host', prometheus.host, 255);
    if (typeof prometheus.endpoint !== 'string' || !prometheus.endpoint.startsWith('/')) {
      throw new TelemetryConfigError('prometheus.endpoint', prometheus.endpoint, 'a path starting with /');
    }
  }
  integer('metrics.maxPointsPerRequest', c.metrics.maxPointsPerRequest, 1, 1_000_000);
  integer('metrics.maxBytesPerRequest', c.metrics.maxBytesPerRequest, 1024, 256 * 1024 * 1024);
  integer('traces.maxBytesPerRequest', c.traces.maxBytesPerRequest, 1024, 256 * 1024 * 1024);
  objectOf('spanBatch', c.spanBatch);
  integer('spanBatch.maxQueueSize', c.spanBatch.maxQueueSize, 1, 1_000_000);
  integer('spanBatch.maxExportBatchSize', c.spanBatch.maxExportBatchSize, 1, c.spanBatch.maxQueueSize, ` (no more than spanBatch.maxQueueSize = ${c.spanBatch.maxQueueSize})`);
  integer('spanBatch.scheduledDelayMs', c.spanBatch.scheduledDelayMs, 1, 3_600_000);
  integer('spanBatch.exportTimeoutMs', c.spanBatch.exportTimeoutMs, 1, 600_000);
  integer('cardinalityLimit', c.cardinalityLimit, 1, 1_000_000);
  if (typeof c.cardinalityLimits !== 'object' || c.cardinalityLimits === null || Array.isArray(c.cardinalityLimits)) {
    throw new TelemetryConfigError('cardinalityLimits', c.cardinalityLimits, 'an object of label name to limit');
  }
  for (const [label, limit] of Object.entries(c.cardinalityLimits)) {
    integer(`cardinalityLimits.${label}`, limit, 1, c.cardinalityLimit, ` (no more than cardinalityLimit = ${c.cardinalityLimit})`);
  }
  integer('labelValueTtlMs', c.labelValueTtlMs, 1000, 86_400_000);
  integer('maxMetricNames', c.maxMetricNames, 1, 100_000);
  integer('maxLabelPairs', c.maxLabelPairs, 1, 128);
  integer('maxLabelValueLength', c.maxLabelValueLength, 16, 65_536);
  integer('maxLabelKeyLength', c.maxLabelKeyLength, 16, 1024);
  objectOf('rateLimit', c.rateLimit);
  bool('rateLimit.enabled', c.rateLimit.enabled);
  integer('rateLimit.callsPerSecond', c.rateLimit.callsPerSecond, 1, 1_000_000_000);
  integer('rateLimit.burst', c.rateLimit.burst, 1, 1_000_000_000);
  validateBreaker('metrics.circuitBreaker', c.metrics.circuitBreaker);
  validateBreaker('traces.circuitBreaker', c.traces.circuitBreaker);
  bool('piiRedaction', c.piiRedaction);
  if (!Array.isArray(c.piiIpExemptKeys) || c.piiIpExemptKeys.some((k) => typeof k !== 'string' || k === '')) {
    throw new TelemetryConfigError('piiIpExemptKeys', c.piiIpExemptKeys, 'an array of non-empty label or attribute keys');
  }
  integer('spanLimits.attributeValueLengthLimit', c.spanLimits.attributeValueLengthLimit, 16, 1_000_000);
  integer('spanLimits.attributeCountLimit', c.spanLimits.attributeCountLimit, 1, 10_000);
  if (!Array.isArray(c.baggageLabels) || c.baggageLabels.some((k) => typeof k !== 'string' || k === '')) {
    throw new TelemetryConfigError('baggageLabels', c.baggageLabels, 'an array of non-empty baggage keys');
  }
  if (c.metrics.compression !== 'gzip' && c.metrics.compression !== 'none') {
    throw new TelemetryConfigError('compression', c.metrics.compression, "'gzip' or 'none'");
  }
  bool('registerGlobal', c.registerGlobal);
  integer('shutdownTimeoutMs', c.shutdownTimeoutMs, 1, 600_000);
  for (const [signal, headers] of [['metrics', c.metrics.headers], ['traces', c.traces.headers]] as const) {
    for (const [key, value] of Object.entries(headers)) {
      if (typeof value !== 'string') throw new TelemetryConfigError(`${signal}.headers.${key}`, value, 'a string');
      const problem = headerProblem(key, value);
      if (problem !== undefined) throw new TelemetryConfigError(`headers.${key}`, value, `a header Node can send (${problem})`);
    }
  }
  for (const [key, value] of Object.entries(c.resourceAttributes)) {
    if (typeof value !== 'string') throw new TelemetryConfigError(`resourceAttributes.${key}`, value, 'a string');
  }
  if (typeof c.logger?.warn !== 'function' || typeof c.logger?.info !== 'function') {
    throw new TelemetryConfigError('logger', c.logger, 'an object with warn(message) and info(message) functions');
  }
}

/**
 * The scrape endpoint: the `prometheus` field, or `prometheus` among the metrics exporters (then host and port come
 * from OTEL_EXPORTER_PROMETHEUS_HOST / _PORT, else 9464 on this profile's default host).
 */
function validateBreaker(field: string, breaker: CircuitBreakerConfig): void {
  objectOf(field, breaker);
  bool(`${field}.enabled`, breaker.enabled);
  integer(`${field}.maxFailures`, breaker.maxFailures, 1, 1000);
  integer(`${field}.recoveryTimeMs`, breaker.recoveryTimeMs, 100, 3_600_000);
  integer(`${field}.halfOpenMax`, breaker.halfOpenMax, 1, 100);
}

function resolvePrometheus(
  given: TelemetryConfig['prometheus'],
  listed: boolean,
  environment: EnvironmentConfig,
  profile: ProfileName,
): ResolvedMetricsSignal['prometheus'] {
  if (given === undefined && !listed) return undefined;
  if (given !== undefined && (typeof given !== 'object' || given === null)) {
    throw new TelemetryConfigError('prometheus', given, 'an object { port, host?, endpoint? }');
  }
  return {
    port: given?.port ?? environment.prometheusPort ?? DEFAULT_PROMETHEUS_PORT,
    host: given?.host ?? environment.prometheusHost ?? (profile === 'development' ? '127.0.0.1' : '0.0.0.0'),
    endpoint: given?.endpoint ?? '/metrics',
  };
}

/**
 * The metrics exporters: `metrics.exporter`, then the shared `exporter`, then OTEL_METRICS_EXPORTER, then the
 * profile. One push exporter at most (`otlp` wins over `console`), plus `prometheus`.
 */
function resolveMetricExporters(
  signal: MetricsSignalConfig['exporter'],
  shared: TelemetryConfig['exporter'],
  fromEnv: MetricsExporterName[] | undefined,
  fromProfile: TelemetryConfig['exporter'],
  notes: string[],
): { push: 'otlp' | 'console' | 'none'; prometheus: boolean } {
  const field = signal !== undefined ? 'metrics.exporter' : shared !== undefined ? 'exporter' : 'OTEL_METRICS_EXPORTER';
  const chosen = signal ?? shared ?? fromEnv ?? fromProfile ?? 'otlp';
  const list: unknown[] = Array.isArray(chosen) ? chosen : [chosen];
  for (const name of list) {
    if (!(METRICS_EXPORTER_NAMES as readonly unknown[]).includes(name)) {
      throw new TelemetryConfigError(field, chosen, `one of ${METRICS_EXPORTER_NAMES.join(', ')}, or a list of them`);
    }
  }
  const push = list.includes('otlp') ? 'otlp' : list.includes('console') ? 'console' : 'none';
  if (list.includes('otlp') && list.includes('console')) {
    notes.push(`${field} lists both otlp and console; metrics have one push exporter, so otlp is used.`);
  }
  return { push, prometheus: list.includes('prometheus') };
}

const METRICS_EXPORTER_NAMES: readonly MetricsExporterName[] = ['otlp', 'prometheus', 'console', 'none'];

function objectOrEmpty<T extends object>(field: string, value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TelemetryConfigError(field, value, 'an object');
  return value;
}

const SAMPLERS: readonly SamplerConfig['type'][] = [
  'always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio',
];

/** An explicit samplingRate wins; then OTEL_TRACES_SAMPLER(_ARG); then the profile's rate, parent-based by trace ID. */
function resolveSampler(explicitRate: number | undefined, envSampler: string | undefined, envArg: string | undefined, profileRate: number): SamplerConfig {
  if (explicitRate !== undefined || envSampler === undefined) {
    return { type: 'parentbased_traceidratio', ratio: explicitRate ?? profileRate };
  }
  if (!(SAMPLERS as readonly string[]).includes(envSampler)) {
    throw new TelemetryConfigError('OTEL_TRACES_SAMPLER', envSampler, `one of ${SAMPLERS.join(', ')}`);
  }
  const ratio = envArg === undefined ? 1 : Number(envArg);
  return { type: envSampler as SamplerConfig['type'], ratio };
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function integer(field: string, value: unknown, min: number, max: number, why = ''): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TelemetryConfigError(field, value, `a whole number from ${min} to ${max}${why}`);
  }
}

function number(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new TelemetryConfigError(field, value, `a number from ${min} to ${max}`);
  }
}

function bool(field: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new TelemetryConfigError(field, value, 'true or false');
}

function text(field: string, value: unknown, max: number): void {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new TelemetryConfigError(field, value, `a non-empty string of at most ${max} characters`);
  }
}

function optionalText(field: string, value: unknown): void {
  if (value !== undefined) text(field, value, 255);
}

function objectOf(field: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TelemetryConfigError(field, value, 'an object');
  }
}
