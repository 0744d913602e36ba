import type {
  SamplerConfig,
  SpanBatchConfig,
  CircuitBreakerConfig,
  DiagnosticLogger,
  ProfileName,
  RateLimitConfig,
  ResolvedConfig,
  TelemetryConfig,
} from './TelemetryConfig';
import { TelemetryConfigError } from './TelemetryConfigError';
import { loadProfile, useProfile } from './profiles';
import { readEnvironment } from './environment';
import { normalizeEndpoint, signalUrl } from './endpoint';

/** The last fallback when neither the config, the environment nor the profile names an endpoint. */
export const DEFAULT_ENDPOINT = 'http://localhost:4318';
/** OpenTelemetry's name for a service that did not say its name. */
export const DEFAULT_SERVICE_NAME = 'unknown_service:node';

/** A resolved configuration plus the warnings found on the way, to be reported once. */
export interface ConfigResolution {
  /** The configuration the Registry runs on. */
  config: ResolvedConfig;
  /** One-time warnings (a missing scheme, the gRPC port, a missing service name). */
  notes: string[];
}

const KNOWN_FIELDS = new Set<string>([
  'profile', 'serviceName', 'serviceVersion', 'serviceNamespace', 'resourceAttributes', 'enabled', 'endpoint',
  'headers', 'exportIntervalMs', 'exportTimeoutMs', 'samplingRate', 'exporter', 'prometheus', 'spanBatch', 'cardinalityLimit', 'cardinalityLimits',
  'labelValueTtlMs', 'maxMetricNames', 'maxLabelPairs', 'maxLabelValueLength', 'rateLimit', 'circuitBreaker',
  'piiRedaction', 'piiPatterns', 'baggageLabels', 'compression', 'registerGlobal', 'shutdownTimeoutMs', 'logger',
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
  const signalSpecific = (variable: string, raw: string | undefined, path: string): string => {
    if (explicit.endpoint !== undefined || raw === undefined) return signalUrl(base.url, path);
    const normalized = normalizeEndpoint(variable, raw);
    notes.push(...normalized.notes);
    return normalized.url;
  };
  const metricsUrl = signalSpecific('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', environment.otlpMetricsEndpoint, 'v1/metrics');
  const tracesUrl = signalSpecific('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', environment.otlpTracesEndpoint, 'v1/traces');

  const resourceAttributes = { ...environment.resourceAttributes, ...(explicit.resourceAttributes ?? {}) };
  let serviceName = explicit.serviceName ?? environment.serviceName ?? resourceAttributes['service.name'];
  if (serviceName === undefined) {
    serviceName = DEFAULT_SERVICE_NAME;
    notes.push(`no service name was given; reporting as '${DEFAULT_SERVICE_NAME}'. Set serviceName or OTEL_SERVICE_NAME.`);
  }

  const pick = <K extends keyof TelemetryConfig>(key: K, fromEnv?: TelemetryConfig[K]): TelemetryConfig[K] =>
    explicit[key] !== undefined ? explicit[key] : fromEnv !== undefined ? fromEnv : profile[key];

  const config: ResolvedConfig = {
    profile: profileName,
    serviceName,
    serviceVersion: explicit.serviceVersion ?? resourceAttributes['service.version'],
    serviceNamespace: explicit.serviceNamespace ?? resourceAttributes['service.namespace'],
    resourceAttributes,
    enabled: environment.sdkDisabled ? false : (pick('enabled') ?? true),
    endpoint: base.url,
    metricsUrl,
    tracesUrl,
    headers: { ...environment.headers, ...(explicit.headers ?? {}) },
    exportIntervalMs: pick('exportIntervalMs', environment.exportIntervalMs) as number,
    exportTimeoutMs: pick('exportTimeoutMs', environment.exportTimeoutMs) as number,
    samplingRate: pick('samplingRate') as number,
    sampler: resolveSampler(explicit.samplingRate, environment.tracesSampler, environment.tracesSamplerArg, profile.samplingRate as number),
    exporter: pick('exporter') as 'otlp' | 'console' | 'none',
    prometheus: resolvePrometheus(explicit.prometheus, profileName),
    spanBatch: { ...(profile.spanBatch as SpanBatchConfig), ...(explicit.spanBatch ?? {}) },
    cardinalityLimit: pick('cardinalityLimit') as number,
    cardinalityLimits: { ...(profile.cardinalityLimits ?? {}), ...(explicit.cardinalityLimits ?? {}) },
    labelValueTtlMs: pick('labelValueTtlMs') as number,
    maxMetricNames: pick('maxMetricNames') as number,
    maxLabelPairs: pick('maxLabelPairs') as number,
    maxLabelValueLength: pick('maxLabelValueLength') as number,
    rateLimit: { ...(profile.rateLimit as RateLimitConfig), ...(explicit.rateLimit ?? {}) },
    circuitBreaker: { ...(profile.circuitBreaker as CircuitBreakerConfig), ...(explicit.circuitBreaker ?? {}) },
    piiRedaction: pick('piiRedaction') as boolean,
    piiPatterns: compilePatterns(pick('piiPatterns') ?? []),
    baggageLabels: [...((pick('baggageLabels') ?? []) as string[])],
    compression: pick('compression') as 'gzip' | 'none',
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
  if (c.exporter !== 'otlp' && c.exporter !== 'console' && c.exporter !== 'none') {
    throw new TelemetryConfigError('exporter', c.exporter, "'otlp', 'console' or 'none'");
  }
  if (c.prometheus !== undefined) {
    integer('prometheus.port', c.prometheus.port, 0, 65535);
    text('prometheus.host', c.prometheus.host, 255);
    if (!c.prometheus.endpoint.startsWith('/')) throw new TelemetryConfigError('prometheus.endpoint', c.prometheus.endpoint, 'a path starting with /');
  }
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
  objectOf('rateLimit', c.rateLimit);
  bool('rateLimit.enabled', c.rateLimit.enabled);
  integer('rateLimit.callsPerSecond', c.rateLimit.callsPerSecond, 1, 1_000_000_000);
  integer('rateLimit.burst', c.rateLimit.burst, 1, 1_000_000_000);
  objectOf('circuitBreaker', c.circuitBreaker);
  bool('circuitBreaker.enabled', c.circuitBreaker.enabled);
  integer('circuitBreaker.maxFailures', c.circuitBreaker.maxFailures, 1, 1000);
  integer('circuitBreaker.recoveryTimeMs', c.circuitBreaker.recoveryTimeMs, 100, 3_600_000);
  integer('circuitBreaker.halfOpenMax', c.circuitBreaker.halfOpenMax, 1, 100);
  bool('piiRedaction', c.piiRedaction);
  if (!Array.isArray(c.baggageLabels) || c.baggageLabels.some((k) => typeof k !== 'string' || k === '')) {
    throw new TelemetryConfigError('baggageLabels', c.baggageLabels, 'an array of non-empty baggage keys');
  }
  if (c.compression !== 'gzip' && c.compression !== 'none') {
    throw new TelemetryConfigError('compression', c.compression, "'gzip' or 'none'");
  }
  bool('registerGlobal', c.registerGlobal);
  integer('shutdownTimeoutMs', c.shutdownTimeoutMs, 1, 600_000);
  for (const [key, value] of Object.entries(c.headers)) {
    if (typeof value !== 'string') throw new TelemetryConfigError(`headers.${key}`, value, 'a string');
  }
  for (const [key, value] of Object.entries(c.resourceAttributes)) {
    if (typeof value !== 'string') throw new TelemetryConfigError(`resourceAttributes.${key}`, value, 'a string');
  }
  if (typeof c.logger?.warn !== 'function' || typeof c.logger?.info !== 'function') {
    throw new TelemetryConfigError('logger', c.logger, 'an object with warn(message) and info(message) functions');
  }
}

function resolvePrometheus(given: TelemetryConfig['prometheus'], profile: ProfileName): ResolvedConfig['prometheus'] {
  if (given === undefined) return undefined;
  if (typeof given !== 'object' || given === null) throw new TelemetryConfigError('prometheus', given, 'an object { port, host?, endpoint? }');
  return {
    port: given.port,
    host: given.host ?? (profile === 'development' ? '127.0.0.1' : '0.0.0.0'),
    endpoint: given.endpoint ?? '/metrics',
  };
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

function compilePatterns(patterns: unknown): RegExp[] {
  if (!Array.isArray(patterns)) throw new TelemetryConfigError('piiPatterns', patterns, 'an array of regular expressions or strings');
  return patterns.map((pattern: unknown, i) => {
    if (pattern instanceof RegExp) return pattern;
    if (typeof pattern !== 'string' || pattern === '') {
      throw new TelemetryConfigError(`piiPatterns[${i}]`, pattern, 'a RegExp or a non-empty regular expression string');
    }
    try {
      return new RegExp(pattern);
    } catch (error) {
      throw new TelemetryConfigError(`piiPatterns[${i}]`, pattern, `a valid regular expression (${(error as Error).message})`);
    }
  });
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
