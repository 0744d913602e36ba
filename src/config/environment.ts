import { FIELDS, describeKind, type FieldKind, type FieldSpec } from './fields';
import { displayUrl, normalizeEndpoint } from './endpoint';
import { readPemFile } from './pemFile';
import { maskSecrets, percentDecoded } from './printable';
import { isTelemetryConfigError } from './TelemetryConfigError';

/** A value read from the environment, and the variable it came from. */
export interface EnvValue {
  readonly value: unknown;
  readonly variable: string;
}

/** The OTEL_* environment as this library reads it: values by field path, the special variables, and what was wrong. */
export interface EnvironmentConfig {
  /** Values for fields, by field path, parsed and within their bounds. */
  readonly values: ReadonlyMap<string, EnvValue>;
  /** OTEL_SDK_DISABLED=true. */
  readonly sdkDisabled: boolean;
  /** OTEL_TRACES_SAMPLER, when it names a sampler this library has. */
  readonly sampler?: string;
  /** OTEL_TRACES_SAMPLER_ARG, as given (read only for the samplers that take a ratio). */
  readonly samplerArg?: string;
  /** Variables that were malformed or named something unknown: warned about once each, and ignored. */
  readonly notes: string[];
}

/** The samplers OTEL_TRACES_SAMPLER can name here. */
export const SAMPLERS = [
  'always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio',
] as const;

/** Standard values of OTEL_* variables that need something this library does not have; warned about, and ignored. */
const UNSUPPORTED: Readonly<Record<string, readonly string[]>> = {
  OTEL_TRACES_SAMPLER: ['jaeger_remote', 'parentbased_jaeger_remote', 'xray'],
  OTEL_PROPAGATORS: ['xray', 'ottrace'],
  OTEL_METRICS_EXPORTER: ['zipkin', 'jaeger'],
  OTEL_TRACES_EXPORTER: ['zipkin', 'jaeger'],
};

/** A standard variable this library reads that is not a field of the table. */
export interface SpecialVariable {
  readonly variable: string;
  /** What it does here. */
  readonly effect: string;
  /** Its default. */
  readonly default: string;
}

/** The variables read outside the field table. */
export const SPECIAL_VARIABLES: readonly SpecialVariable[] = [
  { variable: 'OTEL_SDK_DISABLED', effect: '`true` makes every call a no-op, whatever the config says (so operators can turn telemetry off without a deploy).', default: '`false`' },
  { variable: 'OTEL_TRACES_SAMPLER', effect: `The sampler, over the profile's \`samplingRate\` (an explicit \`samplingRate\` wins): ${SAMPLERS.map((s) => `\`${s}\``).join(', ')}.`, default: '`parentbased_traceidratio` at `samplingRate`' },
  { variable: 'OTEL_TRACES_SAMPLER_ARG', effect: 'The ratio of the `traceidratio` samplers, 0 to 1; read only for them (a malformed one is warned about and the ratio is 1.0, the specification\'s default).', default: '1.0' },
];

/**
 * A standard variable this library does not read, and why. Those marked `warn` are warned about when set, because
 * whoever set them expects a change this library does not make; the others are set by tools for other components.
 */
export interface IgnoredVariable {
  /** The variable, or a prefix ending in `*`. */
  readonly variable: string;
  readonly why: string;
  readonly warn: boolean;
}

/** The standard variables deliberately not read. */
export const IGNORED_VARIABLES: readonly IgnoredVariable[] = [
  { variable: 'OTEL_CONFIG_FILE', why: 'declarative configuration files are not read; pass the fields to initialize().', warn: true },
  { variable: 'OTEL_EXPORTER_OTLP_INSECURE', why: 'the endpoint\'s scheme decides, over HTTP and gRPC alike: http:// is plaintext, https:// is TLS (an endpoint without a scheme is given http://, with a warning).', warn: false },
  { variable: 'OTEL_LOGS_EXPORTER', why: 'this library exports no logs; join logs to traces with the trace id instead.', warn: false },
  { variable: 'OTEL_BLRP_*', why: 'settings of the log record processor, and this library exports no logs.', warn: false },
  { variable: 'OTEL_EXPORTER_OTLP_LOGS_*', why: 'this library exports no logs.', warn: false },
  { variable: 'OTEL_EXPORTER_ZIPKIN_*', why: 'the Zipkin exporter is not supported; send OTLP to a Collector, which can forward to Zipkin.', warn: true },
  { variable: 'OTEL_EXPORTER_JAEGER_*', why: 'the Jaeger exporter is gone from OpenTelemetry; Jaeger accepts OTLP directly.', warn: true },
  { variable: 'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', why: 'events take the span\'s attribute count limit (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT).', warn: false },
  { variable: 'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', why: 'links take the span\'s attribute count limit (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT).', warn: false },
  { variable: 'OTEL_NODE_RESOURCE_DETECTORS', why: 'read by the auto-instrumentation register hook, not the SDK; this library always detects host, os, process and service.instance.id.', warn: false },
];

/** The ignored-variable entry `variable` falls under, or undefined. */
function ignoredEntry(variable: string): IgnoredVariable | undefined {
  return IGNORED_VARIABLES.find((entry) => (entry.variable.endsWith('*') ? variable.startsWith(entry.variable.slice(0, -1)) : variable === entry.variable));
}

/**
 * Reads the OTEL_* variables of the field table, and the few that are not fields (OTEL_SDK_DISABLED,
 * OTEL_TRACES_SAMPLER and its argument). Never throws: as the OpenTelemetry specification asks, a malformed value,
 * or one outside what the field accepts, is warned about once, by name and with the accepted forms, and ignored (the
 * next variable of the field, or the profile, is used instead).
 */
export function readEnvironment(given: NodeJS.ProcessEnv = process.env): EnvironmentConfig {
  const notes: string[] = [];
  // Own string values only: a polluted Object.prototype (OTEL_EXPORTER_OTLP_ENDPOINT on it) is not the environment.
  const env = (variable: string): string | undefined => {
    const value: unknown = Object.hasOwn(given, variable) ? given[variable] : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  const values = new Map<string, EnvValue>();
  for (const field of FIELDS) {
    for (const variable of field.env ?? []) {
      const raw = nonEmpty(env(variable));
      if (raw === undefined || variable === 'OTEL_SDK_DISABLED') continue;
      const value = parse(field, variable, raw, notes);
      if (value === undefined) continue;
      values.set(field.path, { value, variable });
      break;
    }
  }
  const disabled = nonEmpty(env('OTEL_SDK_DISABLED'))?.toLowerCase();
  if (disabled !== undefined && disabled !== 'true' && disabled !== 'false') {
    notes.push(`OTEL_SDK_DISABLED=${shown(env('OTEL_SDK_DISABLED'))} is neither true nor false; it was ignored (telemetry stays on).`);
  }
  let sampler = nonEmpty(env('OTEL_TRACES_SAMPLER'))?.toLowerCase();
  if (sampler !== undefined && !(SAMPLERS as readonly string[]).includes(sampler)) {
    notes.push(unknownValue('OTEL_TRACES_SAMPLER', env('OTEL_TRACES_SAMPLER'), [sampler], SAMPLERS));
    sampler = undefined;
  }
  for (const variable of Object.keys(given)) {
    if (!variable.startsWith('OTEL_') || nonEmpty(env(variable)) === undefined) continue;
    const ignored = ignoredEntry(variable);
    if (ignored?.warn) notes.push(`${variable} is set, but this library does not read it: ${ignored.why}`);
  }
  return { values, sdkDisabled: disabled === 'true', sampler, samplerArg: nonEmpty(env('OTEL_TRACES_SAMPLER_ARG')), notes };
}

/** A variable's value for a field, or undefined (with a note) when it cannot be used. */
function parse(field: FieldSpec, variable: string, raw: string, notes: string[]): unknown {
  const kind = field.kind;
  const ignored = (why: string): undefined => {
    notes.push(`${variable}=${shown(raw)} ${why}; it was ignored.`);
    return undefined;
  };
  switch (kind.type) {
    case 'integer': {
      if (!/^\d+$/.test(raw)) return ignored(`is not ${describeKind(kind)}${variable.endsWith('_INTERVAL') || variable.endsWith('_TIMEOUT') || variable.endsWith('_DELAY') ? ' (milliseconds, without a unit)' : ''}`);
      const value = Number(raw);
      return value < kind.min || value > kind.max ? ignored(`is not ${describeKind(kind)}`) : value;
    }
    case 'text':
      return raw.length > kind.maxLength ? ignored(`is longer than ${kind.maxLength} characters`) : raw;
    case 'boolean': {
      const value = raw.toLowerCase();
      return value === 'true' ? true : value === 'false' ? false : ignored('is neither true nor false');
    }
    case 'enum': {
      if (raw.includes(',')) {
        // A list where one value is taken (OTEL_TRACES_EXPORTER=otlp,console): the first known one, saying so.
        const list = parseList(variable, raw, { type: 'enumList', values: kind.values, single: true }, notes);
        if (Array.isArray(list) && list.length > 1) notes.push(`${variable} lists ${list.join(', ')}; only one is used here: ${list[0]}.`);
        return Array.isArray(list) ? list[0] : undefined;
      }
      const value = raw.toLowerCase() === 'logging' && kind.values.includes('console') ? 'console' : raw.toLowerCase();
      if ((kind.values as readonly string[]).includes(value)) return value;
      notes.push(unknownValue(variable, raw, [value], kind.values));
      return undefined;
    }
    case 'enumList':
      return parseList(variable, raw, kind, notes);
    case 'url':
      try {
        const endpoint = normalizeEndpoint(variable, raw);
        notes.push(...endpoint.notes);
        return endpoint.url;
      } catch (error) {
        notes.push(`${variable}=${JSON.stringify(displayUrl(raw))} is not a usable URL (${isTelemetryConfigError(error) ? error.allowed : String(error)}); it was ignored.`);
        return undefined;
      }
    case 'file': {
      const problem = readPemFile(raw).problem;
      return problem === undefined ? raw : ignored(`names no readable PEM file (${problem})`);
    }
    case 'stringMap':
      return parseKeyValueList(variable, raw, field.path.endsWith('headers'), notes);
    default:
      return ignored('cannot be set from the environment');
  }
}

/**
 * A comma-separated list such as `otlp,prometheus` or `tracecontext,baggage`. Unknown names are warned about and
 * skipped (`logging` is the specification's old name for `console`); a list with no known name is ignored whole.
 * `none` wins over everything else, as the specification says. A field that takes one value uses the first, saying so.
 */
function parseList(variable: string, raw: string, kind: Extract<FieldKind, { type: 'enumList' }>, notes: string[]): string[] | string | undefined {
  const found: string[] = [];
  const unknown: string[] = [];
  for (const entry of raw.split(',')) {
    let value = entry.trim().toLowerCase();
    if (value === '') continue;
    if (value === 'logging') value = 'console';
    if ((kind.values as readonly string[]).includes(value)) {
      if (!found.includes(value)) found.push(value);
    } else {
      unknown.push(value);
    }
  }
  // One note for the variable, however many names it lists.
  if (unknown.length > 0) notes.push(unknownValue(variable, raw, unknown, kind.values));
  if (found.length === 0) return undefined;
  if (found.includes('none') && found.length > 1) {
    // `none` wins, as the specification's "no automatically configured" reads: whoever wrote it meant off. Said,
    // since the other names were written too (in the config the same list is an error).
    notes.push(`${variable}=${shown(raw)} lists none with other names; none wins, so ${found.filter((value) => value !== 'none').join(', ')} ${found.length === 2 ? 'is' : 'are'} not used.`);
    return ['none'];
  }
  return found;
}

/** The message for values a variable does not accept (the first few named), saying which are supported elsewhere. */
function unknownValue(variable: string, raw: string | undefined, values: readonly string[], accepted: readonly string[]): string {
  const named = values.slice(0, 3).map((value) => `'${maskSecrets(value.slice(0, 40))}'`).join(', ') + (values.length > 3 ? ` and ${values.length - 3} more` : '');
  const unsupported = values.every((value) => UNSUPPORTED[variable]?.includes(value));
  const verb = values.length === 1 ? 'is' : 'are';
  return `${variable}=${shown(raw)}: ${named} ${unsupported ? `${verb} not supported by this library` : `${verb} not a value it takes`} ` +
    `(accepted: ${accepted.join(', ')}); ${values.length === 1 ? 'it was' : 'they were'} ignored.`;
}

/**
 * Parses the W3C-style `key1=value1,key2=value2` lists of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS
 * (values percent-decoded). An entry without `=` or an empty key is warned about and skipped; for headers, one Node
 * could not send is too.
 */
export function parseKeyValueList(variable: string, raw: string, headers: boolean, notes: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  const malformed: string[] = [];
  const refused: string[] = [];
  const entries = raw.split(',');
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index];
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    const key = eq <= 0 ? '' : percentDecoded(entry.slice(0, eq).trim());
    if (key === '') {
      // A header entry that is not key=value may be anything, a token included: it is named by its place only.
      malformed.push(headers ? `#${index + 1} (not shown: it may hold a secret)` : shown(entry.trim()));
      continue;
    }
    const value = percentDecoded(entry.slice(eq + 1).trim());
    const problem = headers ? headerProblem(key, value) : undefined;
    if (problem !== undefined) {
      refused.push(`${shown(secretFree(key))} was left out: ${problem}`);
      continue;
    }
    result[key] = value;
  }
  // One note per kind of problem, however many entries have it: a long list must not flood the log.
  const few = (items: string[]): string => items.slice(0, 3).join('; ') + (items.length > 3 ? `; and ${items.length - 3} more` : '');
  if (malformed.length > 0) {
    notes.push(malformed.length === 1 ? `${variable}: the entry ${malformed[0]} is not key=value; it was left out.`
      : `${variable}: ${malformed.length} entries are not key=value, such as ${few(malformed)}; they were left out.`);
  }
  if (refused.length > 0) {
    notes.push(refused.length === 1 ? `${variable}: the header ${refused[0]}.` : `${variable}: ${refused.length} headers: ${few(refused)}.`);
  }
  return result;
}

/** What can be quoted of a header entry or name: the text before the first `:`, space or `=`, at most 40 characters. */
function secretFree(text: string): string {
  return text.trim().split(/[:=\s]/)[0].slice(0, 40);
}

/** Why a header cannot be sent (an invalid name or value), or undefined when it can. */
export function headerProblem(key: string, value: string): string | undefined {
  // node:http is loaded when a header is checked, not when the package is required.
  const { validateHeaderName, validateHeaderValue } = require('node:http') as typeof import('node:http');
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

/** A variable's value for a message: quoted, and cut when long. */
export function shown(raw: string | undefined): string {
  const text = raw ?? '';
  return JSON.stringify(maskSecrets(text.length > 100 ? `${text.slice(0, 100)}...` : text));
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
