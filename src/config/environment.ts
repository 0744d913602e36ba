import { validateHeaderName, validateHeaderValue } from 'node:http';
import { TelemetryConfigError } from './TelemetryConfigError';
import type { MetricsExporterName, TracesExporterName } from './TelemetryConfig';

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
  /** OTEL_METRICS_EXPORTER, the known names it lists. */
  metricsExporters?: MetricsExporterName[];
  /** OTEL_TRACES_EXPORTER, the known name it gives. */
  tracesExporter?: TracesExporterName;
  /** OTEL_EXPORTER_PROMETHEUS_HOST. */
  prometheusHost?: string;
  /** OTEL_EXPORTER_PROMETHEUS_PORT. */
  prometheusPort?: number;
  /** OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, else OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT. */
  attributeValueLengthLimit?: number;
  /** OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, else OTEL_ATTRIBUTE_COUNT_LIMIT. */
  attributeCountLimit?: number;
  /** Variables that were malformed or named something unknown: warned about once, and ignored. */
  notes: string[];
}

const METRICS_EXPORTERS: readonly MetricsExporterName[] = ['otlp', 'prometheus', 'console', 'none'];
const TRACES_EXPORTERS: readonly TracesExporterName[] = ['otlp', 'console', 'none'];

/** Reads the OTEL_* variables this library honours; a malformed number throws a TelemetryConfigError. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): EnvironmentConfig {
  const notes: string[] = [];
  return {
    otlpEndpoint: nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT),
    otlpMetricsEndpoint: nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT),
    otlpTracesEndpoint: nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
    facadeEndpoint: nonEmpty(env.OTEL_FACADE_ENDPOINT),
    serviceName: nonEmpty(env.OTEL_SERVICE_NAME),
    resourceAttributes: parseKeyValueList(env.OTEL_RESOURCE_ATTRIBUTES),
    headers: usableHeaders('OTEL_EXPORTER_OTLP_HEADERS', parseKeyValueList(env.OTEL_EXPORTER_OTLP_HEADERS), notes),
    exportIntervalMs: parseMillis('OTEL_METRIC_EXPORT_INTERVAL', env.OTEL_METRIC_EXPORT_INTERVAL),
    exportTimeoutMs: parseMillis('OTEL_METRIC_EXPORT_TIMEOUT', env.OTEL_METRIC_EXPORT_TIMEOUT),
    sdkDisabled: nonEmpty(env.OTEL_SDK_DISABLED)?.toLowerCase() === 'true',
    tracesSampler: nonEmpty(env.OTEL_TRACES_SAMPLER)?.toLowerCase(),
    tracesSamplerArg: nonEmpty(env.OTEL_TRACES_SAMPLER_ARG),
    metricsExporters: parseExporterList('OTEL_METRICS_EXPORTER', env.OTEL_METRICS_EXPORTER, METRICS_EXPORTERS, notes),
    tracesExporter: oneExporter(parseExporterList('OTEL_TRACES_EXPORTER', env.OTEL_TRACES_EXPORTER, TRACES_EXPORTERS, notes), notes),
    prometheusHost: nonEmpty(env.OTEL_EXPORTER_PROMETHEUS_HOST),
    prometheusPort: parsePort('OTEL_EXPORTER_PROMETHEUS_PORT', env.OTEL_EXPORTER_PROMETHEUS_PORT, notes),
    attributeValueLengthLimit: parseCount('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', env.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, notes)
      ?? parseCount('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, notes),
    attributeCountLimit: parseCount('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', env.OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, notes)
      ?? parseCount('OTEL_ATTRIBUTE_COUNT_LIMIT', env.OTEL_ATTRIBUTE_COUNT_LIMIT, notes),
    notes,
  };
}

/**
 * Parses a comma-separated exporter list such as `otlp,prometheus`. Unknown names are warned about and skipped
 * (`logging` is the specification's old name for `console`); a list with no known name is ignored whole, so the
 * profile's exporter stays in use. `none` wins over everything else, as the specification says.
 */
function parseExporterList<T extends string>(name: string, raw: string | undefined, known: readonly T[], notes: string[]): T[] | undefined {
  const text = nonEmpty(raw);
  if (text === undefined) return undefined;
  const found: T[] = [];
  for (const entry of text.split(',')) {
    let value = entry.trim().toLowerCase();
    if (value === '') continue;
    if (value === 'logging') value = 'console';
    if ((known as readonly string[]).includes(value)) {
      if (!found.includes(value as T)) found.push(value as T);
    } else {
      notes.push(`${name}=${shown(raw)}: '${entry.trim().slice(0, 40)}' is not an exporter this library has ` +
        `(accepted: ${known.join(', ')}); it was ignored.`);
    }
  }
  if (found.length === 0) return undefined;
  return found.includes('none' as T) ? ['none' as T] : found;
}

/** A whole number from 1 to 1,000,000, or undefined (warned about) when malformed. */
function parseCount(name: string, raw: string | undefined, notes: string[]): number | undefined {
  const text = nonEmpty(raw);
  if (text === undefined) return undefined;
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < 1 || count > 1_000_000) {
    notes.push(`${name}=${shown(raw)} is not a whole number from 1 to 1000000; it was ignored.`);
    return undefined;
  }
  return count;
}

/** Headers Node can send; others are warned about by name and left out, rather than failing every export. */
function usableHeaders(name: string, headers: Record<string, string>, notes: string[]): Record<string, string> {
  const usable: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    const problem = headerProblem(key, value);
    if (problem === undefined) usable[key] = value;
    else notes.push(`${name}: the header ${shown(key)} was left out: ${problem}.`);
  }
  return usable;
}

/** Why a header cannot be sent (an invalid name or value), or undefined when it can. */
export function headerProblem(key: string, value: string): string | undefined {
  try {
    validateHeaderName(key);
  } catch {
    return 'its name is not a valid HTTP header name';
  }
  try {
    validateHeaderValue(key, value);
  } catch {
    return 'its value holds characters HTTP headers cannot carry (such as a newline, or non-Latin-1 text)';
  }
  return undefined;
}

/** The one traces exporter of a list (traces go to one place), saying which when several were listed. */
function oneExporter(list: TracesExporterName[] | undefined, notes: string[]): TracesExporterName | undefined {
  if (list !== undefined && list.length > 1) {
    notes.push(`OTEL_TRACES_EXPORTER lists ${list.join(', ')}; traces go to one exporter here, so ${list[0]} is used.`);
  }
  return list?.[0];
}

/** A variable's value for a message: quoted, and cut when long. */
export function shown(raw: string | undefined): string {
  const text = raw ?? '';
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}...` : text);
}

function parsePort(name: string, raw: string | undefined, notes: string[]): number | undefined {
  const text = nonEmpty(raw);
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    notes.push(`${name}=${shown(raw)} is not a port (a whole number from 0 to 65535); it was ignored.`);
    return undefined;
  }
  return port;
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
