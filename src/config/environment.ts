import { TelemetryConfigError } from './TelemetryConfigError';

/** The environment variables `initialize()` reads, already parsed. */
export interface EnvironmentConfig {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: base URL for every signal. */
  otlpEndpoint?: string;
  /** OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: full URL for metrics, used as given. */
  otlpMetricsEndpoint?: string;
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: full URL for spans, used as given. */
  otlpTracesEndpoint?: string;
  /** OTEL_FACADE_ENDPOINT: this library's own base URL variable, below the OTEL_* ones. */
  facadeEndpoint?: string;
  /** OTEL_SERVICE_NAME. */
  serviceName?: string;
  /** OTEL_RESOURCE_ATTRIBUTES, parsed. */
  resourceAttributes: Record<string, string>;
  /** OTEL_EXPORTER_OTLP_HEADERS, parsed. */
  headers: Record<string, string>;
  /** OTEL_METRIC_EXPORT_INTERVAL in milliseconds. */
  exportIntervalMs?: number;
  /** OTEL_METRIC_EXPORT_TIMEOUT in milliseconds. */
  exportTimeoutMs?: number;
  /** OTEL_SDK_DISABLED=true. */
  sdkDisabled: boolean;
  /** OTEL_TRACES_SAMPLER, lower-cased. */
  tracesSampler?: string;
  /** OTEL_TRACES_SAMPLER_ARG. */
  tracesSamplerArg?: string;
}

/** Reads the OTEL_* variables this library honours; a malformed number throws a TelemetryConfigError. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): EnvironmentConfig {
  return {
    otlpEndpoint: nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT),
    otlpMetricsEndpoint: nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT),
    otlpTracesEndpoint: nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
    facadeEndpoint: nonEmpty(env.OTEL_FACADE_ENDPOINT),
    serviceName: nonEmpty(env.OTEL_SERVICE_NAME),
    resourceAttributes: parseKeyValueList(env.OTEL_RESOURCE_ATTRIBUTES),
    headers: parseKeyValueList(env.OTEL_EXPORTER_OTLP_HEADERS),
    exportIntervalMs: parseMillis('OTEL_METRIC_EXPORT_INTERVAL', env.OTEL_METRIC_EXPORT_INTERVAL),
    exportTimeoutMs: parseMillis('OTEL_METRIC_EXPORT_TIMEOUT', env.OTEL_METRIC_EXPORT_TIMEOUT),
    sdkDisabled: nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true',
    tracesSampler: nonEmpty(env.OTEL_TRACES_SAMPLER)?.toLowerCase(),
    tracesSamplerArg: nonEmpty(env.OTEL_TRACES_SAMPLER_ARG),
  };
}

/** Parses the W3C-style `key1=value1,key2=value2` lists of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS. */
export function parseKeyValueList(raw: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (raw === undefined) return result;
  for (const entry of raw.split(',')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = decode(entry.slice(0, eq).trim());
    const value = decode(entry.slice(eq + 1).trim());
    if (key !== '') result[key] = value;
  }
  return result;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function parseMillis(name: string, raw: string | undefined): number | undefined {
  const text = nonEmpty(raw);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new TelemetryConfigError(name, raw, 'a positive whole number of milliseconds');
  }
  return value;
}
