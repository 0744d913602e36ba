import { FIELD_BY_PATH, FIELDS, GROUPS, describeKind, namesUnder, type FieldKind, type FieldSpec } from './fields';
import { displayUrl, normalizeEndpoint, portNote, signalUrl, trimTrailingSlashes } from './endpoint';
import { headerProblem, readEnvironment, SAMPLERS, shown, type EnvironmentConfig } from './environment';
import { compilePiiPatterns } from './piiPatterns';
import { readPemFile } from './pemFile';
import { isProfileName, loadProfile, useProfile } from './profiles';
import { closest } from './suggest';
import type {
  MetricsTemporality,
  CircuitBreakerConfig,
  DiagnosticLogger,
  ExemplarFilterName,
  HistogramAggregation,
  InstrumentationLike,
  LogLevel,
  OtlpProtocol,
  ProfileName,
  PropagatorName,
  ResolvedConfig,
  SamplerConfig,
  TelemetryConfig,
  TlsFiles,
} from './TelemetryConfig';
import { isTelemetryConfigError, TelemetryConfigError } from './TelemetryConfigError';
import { thrownMessage } from './printable';
import { setOwn } from './setOwn';

/** The last fallback when neither the config, the environment nor the profile names an endpoint. */
export const DEFAULT_ENDPOINT = 'http://localhost:4318';
/** The same for a signal sent over OTLP/gRPC, whose collectors listen on 4317. */
export const DEFAULT_GRPC_ENDPOINT = 'http://localhost:4317';
/** Longest service name, as the `serviceName` field takes. */
const MAX_SERVICE_NAME = 255;
/** Most notes said at start-up; past it one more line says how many were left out (they share a cause, usually). */
const MAX_NOTES = 30;

/** OpenTelemetry's name for a service that did not say its name. */
export const DEFAULT_SERVICE_NAME = 'unknown_service:node';

/** A resolved configuration plus what to say about it once. */
export interface ConfigResolution {
  /** The configuration the runtime runs on. */
  config: ResolvedConfig;
  /** Warnings: malformed or unsupported variables, a missing scheme, the gRPC port, a missing service name. */
  notes: string[];
  /** Values inherited from the profile or the environment that were adjusted to fit what was set, and why. */
  adjusted: string[];
}

/** Where a value came from. `config` and `env` are set by the user; the others are inherited. */
type Source = 'config' | 'env' | 'profile' | 'default';

/** A field's value and where it came from: the field or variable that set it, for messages. */
interface Sourced {
  value: unknown;
  source: Source;
  origin: string;
}

const isUserSet = (source: Source): boolean => source === 'config' || source === 'env';

/**
 * Resolves a configuration from, lowest first: the built-in default, the profile, OTEL_FACADE_ENDPOINT, the OTEL_*
 * variables, the explicit config. Within a signal the most specific setting wins (`metrics.compression` over
 * OTEL_EXPORTER_OTLP_METRICS_COMPRESSION over `compression` over OTEL_EXPORTER_OTLP_COMPRESSION).
 *
 * Only what the user set can fail: an explicit value outside what its field accepts, an unknown field (with the
 * closest name), or two explicit values that contradict each other throw a TelemetryConfigError. The environment
 * never throws: a malformed variable is a note, and ignored. A value inherited from the profile (or the environment)
 * that contradicts one the user set adapts to it, with an `adjusted` note.
 */
export function resolveConfig(input: TelemetryConfig | ProfileName | undefined, env: NodeJS.ProcessEnv = process.env): ConfigResolution {
  const explicit: TelemetryConfig = typeof input === 'string' ? useProfile(input as ProfileName) : (input ?? {});
  if (typeof explicit !== 'object' || explicit === null || guarded('config', input, () => Array.isArray(explicit))) {
    throw new TelemetryConfigError('config', input, 'a TelemetryConfig object or a profile name');
  }
  const given = readExplicit(explicit as Record<string, unknown>);
  const environment = readEnvironment(env);
  const notes = [...environment.notes];
  const adjusted: string[] = [];

  const profileChoice = given.get('profile') ?? environment.values.get('profile');
  const profileName: ProfileName = (profileChoice?.value as ProfileName | undefined) ?? 'development';
  const resolver = new Resolver(given, environment, loadProfile(profileName), profileName);

  // Relations between fields: what the user set wins, an inherited value adapts (said once), and two explicit values
  // that contradict each other are an error.
  resolver.atMost('exportTimeoutMs', 'exportIntervalMs', adjusted, notes);
  resolver.atMost('spanBatch.maxExportBatchSize', 'spanBatch.maxQueueSize', adjusted, notes);
  resolver.limitsWithin(adjusted);

  const endpointSource = resolver.get('endpoint') as Sourced;
  const base = normalizeEndpoint(endpointSource.origin, endpointSource.value as string);
  if (endpointSource.source === 'config') notes.push(...base.notes);

  const resourceAttributes = { ...stringMap(environment.values.get('resourceAttributes')?.value), ...stringMap(given.get('resourceAttributes')?.value) };
  let serviceName = (resolver.value('serviceName') as string | undefined) ?? resourceAttributes['service.name'];
  if (serviceName !== undefined && serviceName.length > MAX_SERVICE_NAME) {
    notes.push(`service.name from OTEL_RESOURCE_ATTRIBUTES or resourceAttributes is ${serviceName.length} characters long; its first ${MAX_SERVICE_NAME} are used.`);
    serviceName = serviceName.slice(0, MAX_SERVICE_NAME);
  }
  if (serviceName === undefined) {
    serviceName = DEFAULT_SERVICE_NAME;
    notes.push(`no service name was given; reporting as '${DEFAULT_SERVICE_NAME}'. Set serviceName or OTEL_SERVICE_NAME.`);
  }

  const exporters = resolver.metricsExporters(notes);
  const sampler = resolveSampler(given.get('samplingRate'), environment, resolver.value('samplingRate') as number, notes);
  const config: ResolvedConfig = {
    profile: profileName,
    profileNamed: profileChoice !== undefined,
    serviceName,
    serviceVersion: (resolver.value('serviceVersion') as string | undefined) ?? resourceAttributes['service.version'],
    serviceNamespace: (resolver.value('serviceNamespace') as string | undefined) ?? resourceAttributes['service.namespace'],
    resourceAttributes,
    enabled: environment.sdkDisabled ? false : (resolver.value('enabled') as boolean),
    endpoint: base.url,
    metrics: {
      exporter: exporters.push,
      prometheus: exporters.prometheus ? resolver.prometheus() : undefined,
      ...resolver.signal('metrics', base.url, notes),
      intervalMs: resolver.value('exportIntervalMs') as number,
      timeoutMs: resolver.value('exportTimeoutMs') as number,
      maxPointsPerRequest: resolver.value('metrics.maxPointsPerRequest') as number,
      temporality: resolver.value('metrics.temporality') as MetricsTemporality,
      exemplarFilter: exemplarFilter(resolver.get('metrics.exemplarFilter'), exporters.push, notes),
    },
    traces: {
      exporter: resolver.value('traces.exporter') as 'otlp' | 'console' | 'none',
      ...resolver.signal('traces', base.url, notes),
      timeoutMs: resolver.value('spanBatch.exportTimeoutMs') as number,
    },
    exportIntervalMs: resolver.value('exportIntervalMs') as number,
    exportTimeoutMs: resolver.value('exportTimeoutMs') as number,
    samplingRate: sampler.type.endsWith('traceidratio') ? sampler.ratio : sampler.type.endsWith('always_off') ? 0 : 1,
    sampler,
    spanBatch: {
      maxQueueSize: resolver.value('spanBatch.maxQueueSize') as number,
      maxExportBatchSize: resolver.value('spanBatch.maxExportBatchSize') as number,
      scheduledDelayMs: resolver.value('spanBatch.scheduledDelayMs') as number,
      exportTimeoutMs: resolver.value('spanBatch.exportTimeoutMs') as number,
    },
    cardinalityLimit: resolver.value('cardinalityLimit') as number,
    cardinalityLimits: { ...(resolver.value('cardinalityLimits') as Record<string, number>) },
    labelValueTtlMs: resolver.value('labelValueTtlMs') as number,
    maxMetricNames: resolver.value('maxMetricNames') as number,
    maxLabelPairs: resolver.value('maxLabelPairs') as number,
    maxLabelValueLength: resolver.value('maxLabelValueLength') as number,
    maxLabelKeyLength: resolver.value('maxLabelKeyLength') as number,
    rateLimit: {
      enabled: resolver.value('rateLimit.enabled') as boolean,
      callsPerSecond: resolver.value('rateLimit.callsPerSecond') as number,
      burst: resolver.value('rateLimit.burst') as number,
    },
    piiRedaction: resolver.value('piiRedaction') as boolean,
    piiPatterns: guarded('piiPatterns', '[patterns]', () => compilePiiPatterns(resolver.value('piiPatterns') ?? [])),
    piiIpExemptKeys: [...(resolver.value('piiIpExemptKeys') as string[])],
    spanLimits: {
      attributeValueLengthLimit: resolver.value('spanLimits.attributeValueLengthLimit') as number,
      attributeCountLimit: resolver.value('spanLimits.attributeCountLimit') as number,
      eventCountLimit: resolver.value('spanLimits.eventCountLimit') as number,
      linkCountLimit: resolver.value('spanLimits.linkCountLimit') as number,
    },
    baggageLabels: [...(resolver.value('baggageLabels') as string[])],
    propagators: [...(resolver.value('propagators') as PropagatorName[])],
    logLevel: resolver.value('logLevel') as LogLevel,
    registerGlobal: resolver.value('registerGlobal') as boolean,
    runtimeMetrics: resolver.value('runtimeMetrics') as boolean,
    selfMetrics: resolver.value('selfMetrics') as boolean,
    histogramAggregation: resolver.value('histogramAggregation') as HistogramAggregation,
    instrumentations: [...((given.get('instrumentations')?.value as InstrumentationLike[] | undefined) ?? [])],
    shutdownTimeoutMs: resolver.value('shutdownTimeoutMs') as number,
    logger: (given.get('logger')?.value as DiagnosticLogger | undefined) ?? consoleLogger,
  };
  notes.push(...portNotes(config));
  notes.push(...resolver.overridden);
  if (given.has('profile') && environment.values.has('profile') && given.get('profile')?.value !== environment.values.get('profile')?.value) {
    notes.push(`OTEL_FACADE_PROFILE=${String(environment.values.get('profile')?.value)} is overridden by profile = ${String(given.get('profile')?.value)} set in the config.`);
  }
  // One note per problem, however many fields it touched (a certificate variable feeds both signals), and a bounded
  // number of them, so that the flood guard never holds back the ones that matter.
  const distinct = [...new Set(notes)];
  if (distinct.length > MAX_NOTES) {
    const left = distinct.length - MAX_NOTES + 1;
    distinct.splice(MAX_NOTES - 1, Infinity, `${left} more configuration warnings were left out; fix the ones above, and they will show.`);
  }
  return { config, notes: distinct, adjusted: [...new Set(adjusted)] };
}

/** Writes diagnostics to stderr through `console`. */
export const consoleLogger: DiagnosticLogger = {
  warn: (message) => console.warn(message),
  info: (message) => console.info(message),
};

/**
 * The fields given explicitly, by path, each checked against its field: an unknown field throws with the closest
 * known name, a value outside what its field accepts throws naming the field, the value and what is allowed.
 */
function readExplicit(explicit: Record<string, unknown>): Map<string, Sourced> {
  const values = new Map<string, Sourced>();
  const walk = (object: Record<string, unknown>, group: string): void => {
    const keys = guarded(group === '' ? 'config' : group, object, () => Object.keys(object));
    for (const key of keys) {
      const path = group === '' ? key : `${group}.${key}`;
      // Read once, through a guard: a getter or proxy that throws is the field's error, not a crash, and what is
      // kept is a plain copy that cannot change or throw when the runtime reads it later.
      const value = guarded(path, undefined, () => plainCopy(path, object[key]));
      if (value === undefined) continue;
      const field = FIELD_BY_PATH.get(path);
      if (field !== undefined) {
        guarded(path, value, () => checkValue(field, value));
        // A list field given one name (`propagators: 'b3'`) holds that one name.
        const kept = field.kind.type === 'enumList' && !Array.isArray(value) && path !== 'metrics.exporter' ? [value] : value;
        values.set(path, { value: kept, source: 'config', origin: path });
      } else if (GROUPS.has(path)) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          throw new TelemetryConfigError(path, value, `an object with ${namesUnder(path).join(', ')}`);
        }
        walk(value as Record<string, unknown>, path);
      } else {
        // A known field in the wrong place (`traces.samplingRate`) is pointed to where it belongs.
        const elsewhere = FIELDS.find((known) => known.path === key || known.path.endsWith(`.${key}`))?.path
          ?? [...GROUPS].find((known) => known === key || known.endsWith(`.${key}`));
        const suggestion = elsewhere ?? closest(key, namesUnder(group));
        throw TelemetryConfigError.unknownField(path, value, suggestion === undefined ? undefined
          : (elsewhere !== undefined || group === '' ? suggestion : `${group}.${suggestion}`),
        namesUnder(group).map((name) => (group === '' ? name : `${group}.${name}`)));
      }
    }
  };
  walk(explicit, '');
  return values;
}

/** Runs `read`; anything it throws other than a TelemetryConfigError becomes one naming `path`. */
function guarded<T>(path: string, value: unknown, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (isTelemetryConfigError(error)) throw error;
    throw new TelemetryConfigError(path, value, `a value that can be read (reading it threw: ${thrownMessage(error)})`);
  }
}

/**
 * A plain copy of a configuration value: arrays by index (a sparse or huge one is refused rather than walked), plain
 * objects by own enumerable keys, one level deep (label maps, headers), functions and RegExps as they are. A logger
 * is kept as given: its methods are called through the Diagnostics' guard.
 */
function plainCopy(path: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof RegExp) return value;
  const type = FIELD_BY_PATH.get(path)?.kind.type;
  if (type === 'logger') return value; // its methods may use `this`
  if (type === 'instrumentations' && Array.isArray(value)) {
    // The list is copied; the instrumentations themselves are kept as given (class instances with state).
    if (value.length > MAX_LIST_LENGTH) throw new TelemetryConfigError(path, `an array of ${value.length} items`, `at most ${MAX_LIST_LENGTH} items`);
    return Array.from({ length: value.length }, (_, i) => value[i] as unknown);
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST_LENGTH) throw new TelemetryConfigError(path, `an array of ${value.length} items`, `at most ${MAX_LIST_LENGTH} items`);
    return Array.from({ length: value.length }, (_, i) => value[i] as unknown);
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  // Not a plain object (a Map, a URL, a class instance): kept as it is, and refused by its field's check.
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(copy, key, guarded(`${path}.${key}`, undefined, () => (value as Record<string, unknown>)[key]));
  return copy;
}

/** Longest list a field takes (patterns, keys, propagators): a config is written by hand. */
const MAX_LIST_LENGTH = 10_000;

/** Throws a TelemetryConfigError when `value` is not what `field` accepts. */
function checkValue(field: FieldSpec, value: unknown): void {
  if (field.kind.type === 'enumList' && Array.isArray(value) && value.includes('none') && value.length > 1) {
    throw new TelemetryConfigError(field.path, value, "'none' alone, or a list without it (both were given; make them agree)");
  }
  if (field.kind.type === 'url' && typeof value === 'string' && value.trim() !== '') {
    normalizeEndpoint(field.path, value); // throws a TelemetryConfigError naming the field for an unusable URL
    return;
  }
  const problem = valueProblem(field.kind, value);
  if (problem === undefined) {
    if (field.path.endsWith('headers')) {
      for (const [key, item] of Object.entries(value as Record<string, string>)) {
        const why = headerProblem(key, item);
        // Header values are credentials: the error names the header, never its value.
        if (why !== undefined) throw new TelemetryConfigError(`${field.path}.${key}`, '[value not shown]', `a header Node can send (${why})`);
      }
    }
    return;
  }
  if (field.path.endsWith('headers')) {
    // Header values are credentials, whatever shape they were given in.
    throw new TelemetryConfigError(problem.path === undefined ? field.path : `${field.path}.${problem.path}`, '[value not shown]', problem.allowed);
  }
  if (field.kind.type === 'url') {
    // An endpoint may hold credentials: shown masked, or by its type.
    throw new TelemetryConfigError(field.path, typeof value === 'string' ? displayUrl(value) : `[${Array.isArray(value) ? 'an array' : typeof value}]`, problem.allowed);
  }
  const allowed = field.path === 'exporter' && value === 'prometheus'
    ? `${problem.allowed} (prometheus serves metrics only: metrics: { exporter: 'prometheus' })` : problem.allowed;
  throw new TelemetryConfigError(problem.path === undefined ? field.path : `${field.path}.${problem.path}`, problem.value, allowed);
}

/** Why `value` is not of `kind`, or undefined. `path` names the part at fault within a map. */
function valueProblem(kind: FieldKind, value: unknown): { path?: string; value: unknown; allowed: string } | undefined {
  const bad = { value, allowed: describeKind(kind) };
  switch (kind.type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= kind.min && value <= kind.max ? undefined : bad;
    case 'number':
      return typeof value === 'number' && !Number.isNaN(value) && value >= kind.min && value <= kind.max ? undefined : bad;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : bad;
    case 'text':
      return typeof value === 'string' && value.trim() !== '' && value.length <= kind.maxLength ? undefined : bad;
    case 'enum':
      return (kind.values as readonly unknown[]).includes(value) ? undefined : bad;
    case 'enumList': {
      const list = Array.isArray(value) ? value : [value];
      return list.length > 0 && list.every((item) => (kind.values as readonly unknown[]).includes(item)) ? undefined : bad;
    }
    case 'url':
      return bad; // a non-empty string is checked by checkValue()
    case 'urlPath':
      return typeof value === 'string' && value.startsWith('/') && value.length <= 1024 ? undefined : bad;
    case 'file':
      return typeof value === 'string' && value !== '' ? undefined : bad;
    case 'stringMap':
    case 'limitMap': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad;
      // A Map or a class instance would read as no entries at all: an authentication header lost without a word.
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) return { value, allowed: `a plain object (${describeKind(kind)}), not a Map or a class instance` };
      for (const [key, item] of Object.entries(value)) {
        if (kind.type === 'limitMap' && !(typeof item === 'number' && Number.isInteger(item) && item >= kind.min && item <= kind.max)) {
          return { path: key, value: item, allowed: `a whole number from ${kind.min} to ${kind.max}` };
        }
        if (kind.type === 'stringMap' && typeof item !== 'string') return { path: key, value: item, allowed: 'a string' };
      }
      return undefined;
    }
    case 'keyList':
      return Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '') ? undefined : bad;
    case 'patterns':
      return Array.isArray(value) ? undefined : bad; // each pattern is compiled, and refused with its index, later
    case 'logger': {
      const logger = value as Partial<DiagnosticLogger> | null;
      return typeof logger?.warn === 'function' && typeof logger?.info === 'function' ? undefined : bad;
    }
    case 'instrumentations': {
      if (!Array.isArray(value)) return bad;
      for (let i = 0; i < value.length; i++) {
        const item = value[i] as Partial<InstrumentationLike> | null;
        if (typeof item?.enable !== 'function' || typeof item?.disable !== 'function' || typeof item?.setTracerProvider !== 'function') {
          return { path: String(i), value: item, allowed: 'an OpenTelemetry instrumentation (an object with enable(), disable() and setTracerProvider())' };
        }
      }
      return undefined;
    }
  }
}

/** Resolves each field from its sources, keeping where each value came from. */
class Resolver {
  private readonly resolved = new Map<string, Sourced | undefined>();
  private readonly files = new Map<string, { contents?: Buffer; problem?: string }>();
  /** Variables a config value overrode, for notes. */
  readonly overridden: string[] = [];

  constructor(
    private readonly given: ReadonlyMap<string, Sourced>,
    private readonly environment: EnvironmentConfig,
    private readonly profile: TelemetryConfig,
    private readonly profileName: ProfileName,
  ) {}

  /** A field's value and its source: the config, its variables, the field it inherits, the profile; undefined if unset. */
  get(path: string): Sourced | undefined {
    if (this.resolved.has(path)) return this.resolved.get(path);
    const field = FIELD_BY_PATH.get(path) as FieldSpec;
    const fromEnv = this.environment.values.get(path);
    const explicit = this.given.get(path);
    if (explicit !== undefined && fromEnv !== undefined && field.kind.type !== 'stringMap' && !sameValue(explicit.value, fromEnv.value)) {
      // Operators set variables (the OpenTelemetry Operator injects OTEL_EXPORTER_OTLP_ENDPOINT): one the code
      // overrides is said, or the operator is left wondering.
      this.overridden.push(`${fromEnv.variable}=${shownValue(fromEnv.value, field)} is overridden by ${path} = ${shownValue(explicit.value, field)} set in the config.`);
    }
    const value: Sourced | undefined = explicit
      ?? (fromEnv === undefined ? undefined : { value: fromEnv.value, source: 'env', origin: fromEnv.variable })
      ?? (field.inherits === undefined ? undefined : this.get(field.inherits))
      ?? (field.defaults === undefined ? undefined : { value: field.defaults[this.profileName], source: 'profile', origin: `the ${this.profileName} profile's ${path}` });
    this.resolved.set(path, value);
    return value;
  }

  /** A field's value, or undefined if unset. */
  value(path: string): unknown {
    return this.get(path)?.value;
  }

  private set(path: string, value: unknown, source: Source, origin: string): void {
    this.resolved.set(path, { value, source, origin });
  }

  /**
   * Keeps `small` at most `big`. Whichever was not set by the user adapts to the other, with an `adjusted` note; of
   * two set by the user, one from the environment yields (a note: the environment never fails boot); two explicit
   * values that contradict each other throw.
   */
  atMost(small: string, big: string, adjusted: string[], notes: string[]): void {
    const a = this.get(small) as Sourced;
    const b = this.get(big) as Sourced;
    if ((a.value as number) <= (b.value as number)) return;
    const lower = (): void => {
      this.set(small, b.value, a.source, a.origin);
      (isUserSet(a.source) ? notes : adjusted).push(
        `${small} ${a.value} (${describeOrigin(a)}) was lowered to ${b.value} to fit ${big} = ${b.value} (${describeOrigin(b)}).`);
    };
    const raise = (): void => {
      this.set(big, a.value, b.source, b.origin);
      (isUserSet(b.source) ? notes : adjusted).push(
        `${big} ${b.value} (${describeOrigin(b)}) was raised to ${a.value} so that ${small} = ${a.value} (${describeOrigin(a)}) fits.`);
    };
    if (!isUserSet(a.source)) lower();
    else if (!isUserSet(b.source)) raise();
    else if (a.source === 'env') lower(); // the environment yields to the config, and never fails boot
    else if (b.source === 'env') raise();
    else throw new TelemetryConfigError(small, a.value, `at most ${big} = ${b.value} (both were given; make them agree)`);
  }

  /** Keeps every per-label limit at most `cardinalityLimit`, by the same rules as `atMost()`. */
  limitsWithin(adjusted: string[]): void {
    const limits = this.get('cardinalityLimits') as Sourced;
    const limit = this.get('cardinalityLimit') as Sourced;
    const cap = limit.value as number;
    const entries = Object.entries(limits.value as Record<string, number>);
    // A label past its limit records `other`: an adapted limit leaves room for it within the series limit.
    const over = (bound: number): [string, number][] => entries.filter(([, value]) => value > bound);
    if (!isUserSet(limits.source)) {
      const room = Math.max(1, cap - 1);
      const lowered = over(room);
      if (lowered.length === 0) return;
      this.set('cardinalityLimits', Object.fromEntries(entries.map(([label, value]) => [label, Math.min(value, room)])), limits.source, limits.origin);
      const fits = room + 1 <= cap;
      adjusted.push(`the ${lowered.map(([label, value]) => `${label}: ${value}`).join(', ')} of ${describeOrigin(limits)}'s cardinalityLimits ` +
        `${lowered.length === 1 ? 'was' : 'were'} lowered to ${room} ${fits ? `so that, with 'other', ${lowered.length === 1 ? 'it fits' : 'each fits'}` : 'to fit'} ` +
        `cardinalityLimit = ${cap} (${describeOrigin(limit)})${fits ? '' : "; with one series there is no room for 'other', so values past the limit go to the overflow series"}.`);
    } else if (!isUserSet(limit.source)) {
      const raising = over(cap - 1);
      if (raising.length === 0) return;
      const [label, highest] = raising.reduce((x, y) => (y[1] > x[1] ? y : x));
      this.set('cardinalityLimit', highest + 1, limit.source, limit.origin);
      adjusted.push(`cardinalityLimit ${cap} (${describeOrigin(limit)}) was raised to ${highest + 1} so that cardinalityLimits.${label} = ${highest} ` +
        `(${describeOrigin(limits)}) fits, with 'other'.`);
    } else {
      const [first] = over(cap);
      if (first === undefined) return;
      throw new TelemetryConfigError(`cardinalityLimits.${first[0]}`, first[1], `at most cardinalityLimit = ${cap} (both were given; make them agree)`);
    }
  }

  /** The metrics exporters: one push exporter at most (`otlp` wins over `console`), plus `prometheus`. */
  metricsExporters(notes: string[]): { push: 'otlp' | 'console' | 'none'; prometheus: boolean } {
    const chosen = this.get('metrics.exporter') as Sourced;
    const list = (Array.isArray(chosen.value) ? chosen.value : [chosen.value]) as string[];
    if (list.includes('otlp') && list.includes('console')) {
      notes.push(`${chosen.origin} lists both otlp and console; metrics have one push exporter, so otlp is used.`);
    }
    const push = list.includes('otlp') ? 'otlp' : list.includes('console') ? 'console' : 'none';
    const prometheusGiven = ['prometheus.port', 'prometheus.host', 'prometheus.endpoint'].some((path) => this.given.has(path));
    const prometheus = list.includes('prometheus') || prometheusGiven;
    if (!prometheus) {
      const variables = ['prometheus.port', 'prometheus.host'].map((path) => this.environment.values.get(path)?.variable).filter(Boolean);
      if (variables.length > 0) {
        notes.push(`${variables.join(' and ')} ${variables.length === 1 ? 'is' : 'are'} set, but metrics do not go to prometheus ` +
          `(${chosen.origin} is ${list.join(',')}); add prometheus to OTEL_METRICS_EXPORTER to serve a scrape endpoint.`);
      }
    }
    return { push, prometheus };
  }

  /** The scrape endpoint. */
  prometheus(): { port: number; host: string; endpoint: string } {
    return {
      port: this.value('prometheus.port') as number,
      host: this.value('prometheus.host') as string,
      endpoint: this.value('prometheus.endpoint') as string,
    };
  }

  /**
   * One signal's transport settings: URL, headers, breaker, encoding, compression, request timeout and TLS. Over
   * OTLP/HTTP the signal's path is appended to the shared endpoint; over gRPC the endpoint is used as it is (the
   * specification's rule), and an endpoint nobody set is gRPC's own default port.
   */
  signal(signal: 'metrics' | 'traces', base: string, notes: string[]): {
    url: string; urlSource: string; headers: Record<string, string>; circuitBreaker: CircuitBreakerConfig; maxBytesPerRequest: number;
    compression: 'gzip' | 'none'; protocol: OtlpProtocol; requestTimeoutMs: number; tls: TlsFiles;
  } {
    const protocol = this.value(`${signal}.protocol`) as OtlpProtocol;
    const grpc = protocol === 'grpc';
    const own = this.get(`${signal}.endpoint`);
    const shared = this.get('endpoint') as Sourced;
    let url = signalUrl(base, signal === 'metrics' ? 'v1/metrics' : 'v1/traces');
    let urlSource = shared.origin;
    if (grpc) {
      url = isUserSet(shared.source) ? base : DEFAULT_GRPC_ENDPOINT;
      if (!isUserSet(shared.source)) urlSource = 'the OTLP/gRPC default';
    }
    if (own !== undefined) {
      const endpoint = normalizeEndpoint(own.origin, own.value as string);
      if (own.source === 'config') notes.push(...endpoint.notes);
      url = endpoint.url;
      urlSource = own.origin;
      if (!grpc && new URL(url).pathname === '/') {
        notes.push(`${own.origin} '${displayUrl(url)}' has no path, and a per-signal endpoint is used as given: exports go to '/'. ` +
          `The usual path is /v1/${signal}; or set the shared endpoint, to which it is appended.`);
      }
    }
    if (grpc && new URL(url).pathname !== '/') {
      notes.push(`${urlSource} '${displayUrl(url)}' has a path, which OTLP/gRPC does not use: ${signal} go to the ${signal === 'metrics' ? 'MetricsService' : 'TraceService'} ` +
        `at ${new URL(url).host}. Give the collector's host and port only (usually port 4317).`);
    }
    const headers = {
      ...stringMap(this.environment.values.get('headers')?.value),
      ...stringMap(this.given.get('headers')?.value),
      ...stringMap(this.environment.values.get(`${signal}.headers`)?.value),
      ...stringMap(this.given.get(`${signal}.headers`)?.value),
    };
    // A header the config sets over the same header from a variable is said, by name only (values are credentials).
    for (const path of ['headers', `${signal}.headers`]) {
      const fromEnv = this.environment.values.get(path);
      const given = stringMap(this.given.get(path)?.value);
      for (const [name, value] of Object.entries(stringMap(fromEnv?.value))) {
        if (fromEnv !== undefined && Object.hasOwn(given, name) && given[name] !== value) {
          this.overridden.push(`${fromEnv.variable}'s header ${shown(name)} is overridden by ${path}.${name} set in the config (values not shown).`);
        }
      }
    }
    const breaker = (name: keyof CircuitBreakerConfig): never => this.value(`${signal}.circuitBreaker.${name}`) as never;
    return {
      url,
      urlSource,
      headers,
      circuitBreaker: { enabled: breaker('enabled'), maxFailures: breaker('maxFailures'), recoveryTimeMs: breaker('recoveryTimeMs'), halfOpenMax: breaker('halfOpenMax') },
      maxBytesPerRequest: this.value(`${signal}.maxBytesPerRequest`) as number,
      compression: this.value(`${signal}.compression`) as 'gzip' | 'none',
      protocol,
      requestTimeoutMs: this.value(`${signal}.timeoutMs`) as number,
      tls: {
        ca: this.file(`${signal}.certificate`, notes),
        cert: this.file(`${signal}.clientCertificate`, notes),
        key: this.file(`${signal}.clientKey`, notes),
      },
    };
  }

  /**
   * A PEM file's contents; a file that cannot be read (or is not a regular file of at most 1 MiB: `/dev/zero` must
   * not hang the boot) is an error when configured, a note when from the environment. Each file is read once.
   */
  private file(path: string, notes: string[]): Buffer | undefined {
    const named = this.get(path);
    if (named === undefined) return undefined;
    const name = named.value as string;
    const cached = this.files.get(name);
    if (cached !== undefined) return cached.contents;
    const read = readPemFile(name);
    this.files.set(name, read);
    if (read.problem === undefined) return read.contents;
    if (named.source === 'config') throw new TelemetryConfigError(named.origin, named.value, `the path of a readable PEM file (${read.problem})`);
    notes.push(`${named.origin}=${shown(name)} cannot be read (${read.problem}); it was ignored.`);
    return undefined;
  }
}

/**
 * A warning for each URL whose port is the other OTLP transport's (4317 with HTTP, 4318 with gRPC), naming the signals
 * sent there, one line for both when they share the URL's host and the problem.
 */
function portNotes(config: ResolvedConfig): string[] {
  const found = new Map<string, { origin: string; url: string; grpc: boolean; signals: string[] }>();
  for (const [name, signal] of [['metrics', config.metrics], ['traces', config.traces]] as const) {
    if (signal.exporter !== 'otlp') continue;
    const grpc = signal.protocol === 'grpc';
    const origin = new URL(signal.url).origin;
    const key = `${signal.urlSource} ${origin} ${grpc}`;
    const entry = found.get(key) ?? { origin: signal.urlSource, url: origin, grpc, signals: [] };
    entry.signals.push(name);
    found.set(key, entry);
  }
  return [...found.values()].flatMap((entry) => portNote(entry.origin, entry.url, entry.grpc, entry.signals.join(' and ')) ?? []);
}

/** The words for where a value came from: `you set`, `OTEL_METRIC_EXPORT_TIMEOUT`, `the production profile`. */
function describeOrigin(value: Sourced): string {
  if (value.source === 'config') return 'set in the config';
  if (value.source === 'env') return `from ${value.origin}`;
  return value.origin.replace(/'s [\w.]+$/, '');
}

/**
 * The exemplar filter in effect. Exemplars travel only in pushed exports (the Prometheus text format has no place for
 * them), so with no push exporter none are recorded, and a filter the user set says so.
 */
function exemplarFilter(filter: Sourced | undefined, push: 'otlp' | 'console' | 'none', notes: string[]): ExemplarFilterName {
  const name = (filter?.value ?? 'trace_based') as ExemplarFilterName;
  if (push !== 'none') return name;
  if (filter !== undefined && isUserSet(filter.source) && name !== 'always_off') {
    notes.push(`metrics.exemplarFilter = ${name} (${describeOrigin(filter)}) has no effect: exemplars are exported over OTLP ` +
      '(or the console) only, and metrics are not pushed; the Prometheus text format has no place for them.');
  }
  return 'always_off';
}

/**
 * The sampler. An explicit `samplingRate` wins; then OTEL_TRACES_SAMPLER (a name this library has; its argument is
 * read only for the ratio samplers, and a malformed one is a note and the specification's default, 1.0); then the
 * profile's rate, parent-based by trace ID.
 */
function resolveSampler(explicitRate: Sourced | undefined, environment: EnvironmentConfig, rate: number, notes: string[]): SamplerConfig {
  const sampler = environment.sampler;
  if (sampler !== undefined && explicitRate !== undefined) {
    notes.push(`OTEL_TRACES_SAMPLER=${sampler} yields to samplingRate = ${rate} set in the config (parent-based, by trace ID).`);
  }
  if (explicitRate !== undefined || sampler === undefined) return { type: 'parentbased_traceidratio', ratio: rate };
  let ratio = 1;
  if (sampler.endsWith('traceidratio') && environment.samplerArg !== undefined) {
    // Decimal only: Number() would read '0x1' and '' too.
    const parsed = /^(?:0|1|0?\.\d+|0\.\d*|1\.0*)$/.test(environment.samplerArg) ? Number(environment.samplerArg) : Number.NaN;
    if (Number.isNaN(parsed) || parsed < 0 || parsed > 1) {
      notes.push(`OTEL_TRACES_SAMPLER_ARG=${shown(environment.samplerArg)} is not a ratio from 0 to 1; ${sampler} samples everything (1.0).`);
    } else {
      ratio = parsed;
    }
  }
  return { type: sampler as SamplerConfig['type'], ratio };
}

/** Whether two resolved values are the same (lists and URLs compared by content). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i]);
  if (typeof a === 'string' && typeof b === 'string') return trimTrailingSlashes(a) === trimTrailingSlashes(b);
  return a === b;
}

/** A value for a note: URLs without credentials, lists joined. */
function shownValue(value: unknown, field: FieldSpec): string {
  if (field.kind.type === 'url' && typeof value === 'string') return displayUrl(value);
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'string' ? shown(value) : String(value);
}

function stringMap(value: unknown): Record<string, string> {
  return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
}

export { isProfileName, SAMPLERS, FIELDS };
