import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FIELDS, type FieldKind, type FieldSpec } from '../../src/config/fields';
import { readEnvironment } from '../../src/config/environment';
import { resolveConfig, type ConfigResolution } from '../../src/config/resolveConfig';
import type { ResolvedConfig, ResolvedMetricsSignal, ResolvedTracesSignal, TelemetryConfig } from '../../src/config/TelemetryConfig';

/**
 * The OTEL_* environment, driven by the field table: every variable of every field is set to a valid value (which the
 * resolved configuration must carry) and to malformed ones (each warned about once, by name, and ignored), plus the
 * variables with rules of their own.
 */

const quiet = { warn: (): void => undefined, info: (): void => undefined };

/**
 * The service name sits in the explicit resource attributes: no "no service name" note, and OTEL_SERVICE_NAME (which
 * wins over it) can still be tested.
 */
const BASE: TelemetryConfig = { resourceAttributes: { 'service.name': 'svc' }, logger: quiet };
const resolve = (env: NodeJS.ProcessEnv, config: TelemetryConfig = {}): ConfigResolution => resolveConfig({ ...BASE, ...config }, env);

type Signal = ResolvedMetricsSignal | ResolvedTracesSignal;
type Reader = (config: ResolvedConfig) => unknown[];

const text = (buffer: Buffer | undefined): string | undefined => buffer?.toString('utf8');
const bothSignals = (pick: (signal: Signal) => unknown): Reader => (config) => [pick(config.metrics), pick(config.traces)];
const signalReaders = (name: 'metrics' | 'traces'): Record<string, Reader> => ({
  [`${name}.endpoint`]: (config) => [config[name].url],
  [`${name}.headers`]: (config) => [config[name].headers],
  [`${name}.protocol`]: (config) => [config[name].protocol],
  [`${name}.compression`]: (config) => [config[name].compression],
  [`${name}.timeoutMs`]: (config) => [config[name].requestTimeoutMs],
  [`${name}.certificate`]: (config) => [text(config[name].tls.ca)],
  [`${name}.clientKey`]: (config) => [text(config[name].tls.key)],
  [`${name}.clientCertificate`]: (config) => [text(config[name].tls.cert)],
});

/**
 * Where each field that has variables lands in the resolved configuration; a shared field, in every place it feeds
 * (both signals, `exportIntervalMs` and `metrics.intervalMs`...).
 */
const READERS: Readonly<Record<string, Reader>> = {
  profile: (config) => [config.profile],
  serviceName: (config) => [config.serviceName],
  resourceAttributes: (config) => [config.resourceAttributes],
  enabled: (config) => [config.enabled],
  runtimeMetrics: (config) => [config.runtimeMetrics],
  selfMetrics: (config) => [config.selfMetrics],
  histogramAggregation: (config) => [config.histogramAggregation],
  'metrics.temporality': (config) => [config.metrics.temporality],
  'metrics.exemplarFilter': (config) => [config.metrics.exemplarFilter],
  endpoint: (config) => [config.endpoint, config.metrics.url.replace(/\/v1\/metrics$/, ''), config.traces.url.replace(/\/v1\/traces$/, '')],
  headers: bothSignals((signal) => signal.headers),
  protocol: bothSignals((signal) => signal.protocol),
  compression: bothSignals((signal) => signal.compression),
  timeoutMs: bothSignals((signal) => signal.requestTimeoutMs),
  certificate: bothSignals((signal) => text(signal.tls.ca)),
  clientKey: bothSignals((signal) => text(signal.tls.key)),
  clientCertificate: bothSignals((signal) => text(signal.tls.cert)),
  // the exporters in effect: the push one (unless none) and prometheus
  'metrics.exporter': (config) => [[...(config.metrics.exporter === 'none' ? [] : [config.metrics.exporter]), ...(config.metrics.prometheus ? ['prometheus'] : [])]],
  'traces.exporter': (config) => [config.traces.exporter],
  ...signalReaders('metrics'),
  ...signalReaders('traces'),
  exportIntervalMs: (config) => [config.exportIntervalMs, config.metrics.intervalMs],
  exportTimeoutMs: (config) => [config.exportTimeoutMs, config.metrics.timeoutMs],
  'prometheus.port': (config) => [config.metrics.prometheus?.port],
  'prometheus.host': (config) => [config.metrics.prometheus?.host],
  'spanBatch.maxQueueSize': (config) => [config.spanBatch.maxQueueSize],
  'spanBatch.maxExportBatchSize': (config) => [config.spanBatch.maxExportBatchSize],
  'spanBatch.scheduledDelayMs': (config) => [config.spanBatch.scheduledDelayMs],
  'spanBatch.exportTimeoutMs': (config) => [config.spanBatch.exportTimeoutMs, config.traces.timeoutMs],
  'spanLimits.attributeValueLengthLimit': (config) => [config.spanLimits.attributeValueLengthLimit],
  'spanLimits.attributeCountLimit': (config) => [config.spanLimits.attributeCountLimit],
  'spanLimits.eventCountLimit': (config) => [config.spanLimits.eventCountLimit],
  'spanLimits.linkCountLimit': (config) => [config.spanLimits.linkCountLimit],
  propagators: (config) => [config.propagators],
  logLevel: (config) => [config.logLevel],
};

/** Variables that only matter together with another one (the scrape endpoint exists with the prometheus exporter). */
const COMPANIONS: Readonly<Record<string, NodeJS.ProcessEnv>> = {
  'prometheus.port': { OTEL_METRICS_EXPORTER: 'prometheus' },
  'prometheus.host': { OTEL_METRICS_EXPORTER: 'prometheus' },
};

/** OTEL_SDK_DISABLED=true sets `enabled` to false. */
const INVERTED = new Set(['OTEL_SDK_DISABLED']);

interface Row {
  field: FieldSpec;
  variable: string;
}
const ENV_FIELDS = FIELDS.filter((field) => field.env !== undefined && field.env.length > 0);
const ROWS: Row[] = ENV_FIELDS.flatMap((field) => (field.env ?? []).map((variable) => ({ field, variable })));
const label = (row: Row): string => `${row.variable} (${row.field.path})`;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'otel-facade-env-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A PEM-looking file of its own for a variable, in the temporary directory. */
function pemFile(variable: string): { path: string; contents: string } {
  const contents = `-----BEGIN CERTIFICATE-----\n${Buffer.from(variable).toString('base64')}\n-----END CERTIFICATE-----\n`;
  const path = join(dir, `${variable.toLowerCase()}.pem`);
  writeFileSync(path, contents);
  return { path, contents };
}

const read = (row: Row, config: ResolvedConfig): unknown[] => {
  const reader = READERS[row.field.path];
  if (reader === undefined) throw new Error(`no reader for ${row.field.path}: add where it lands to READERS`);
  return reader(config);
};

/** Every whole number a profile (of the field, or of the field it inherits) gives. */
function profileDefaults(field: FieldSpec): unknown[] {
  const own = Object.values(field.defaults ?? {});
  const parent = field.inherits === undefined ? [] : Object.values(FIELDS.find((f) => f.path === field.inherits)?.defaults ?? {});
  return [...own, ...parent];
}

/** A valid value for the variable, from the field's kind, and what the resolved config should then hold. */
function validSample(row: Row, baseline: unknown[]): { raw: string; expected: unknown } {
  const kind: FieldKind = row.field.kind;
  switch (kind.type) {
    case 'integer': {
      const taken = profileDefaults(row.field);
      const value = [kind.min + 7, kind.min + 1, kind.max - 1].find((n) => n >= kind.min && n <= kind.max && !taken.includes(n) && !baseline.includes(n));
      if (value === undefined) throw new Error(`no sample for ${row.variable}`);
      return { raw: String(value), expected: value };
    }
    case 'boolean': {
      const current = baseline[0] === true;
      return INVERTED.has(row.variable) ? { raw: String(current), expected: !current } : { raw: String(!current), expected: !current };
    }
    case 'enum': {
      const value = kind.values.find((v) => v !== baseline[0]);
      if (value === undefined) throw new Error(`no sample for ${row.variable}`);
      return { raw: value, expected: value };
    }
    case 'enumList': {
      const current = baseline[0] as string[];
      const value = kind.values.find((v) => v !== 'none' && !current.includes(v));
      if (value === undefined) throw new Error(`no sample for ${row.variable}`);
      return { raw: value, expected: [value] };
    }
    case 'url': {
      // a per-signal endpoint is used as given, so it carries its path (one without a path is warned about)
      const path = row.field.path === 'endpoint' ? '' : `/v1/${row.field.path.split('.')[0]}`;
      const url = `http://${row.variable.toLowerCase().replace(/_/g, '-')}.example:4318${path}`;
      return { raw: url, expected: url };
    }
    case 'stringMap':
      return { raw: 'a=1,b=2', expected: expect.objectContaining({ a: '1', b: '2' }) };
    case 'file': {
      const { path, contents } = pemFile(row.variable);
      return { raw: path, expected: contents };
    }
    case 'text':
      return { raw: `from-${row.variable.toLowerCase()}`, expected: `from-${row.variable.toLowerCase()}` };
    default:
      throw new Error(`${row.field.path}: a ${kind.type} field cannot be set from the environment; give it a sample here`);
  }
}

const TEN_KB = 10 * 1024;

/** Values the variable must refuse, from the field's kind. */
function malformedSamples(row: Row): string[] {
  const kind = row.field.kind;
  switch (kind.type) {
    case 'integer':
      return ['abc', '-1', '1e3', '12.5', '0x10', '10ms', String(kind.max + 1), ...(kind.min > 0 ? [String(kind.min - 1)] : []), '9'.repeat(TEN_KB)];
    case 'number':
      return ['abc', String(kind.max + 1), '9'.repeat(TEN_KB)];
    case 'boolean':
      return ['yes', '1', 'y'.repeat(TEN_KB)];
    case 'enum':
    case 'enumList':
      return ['abc', '-1', 'unknown-value', 'v'.repeat(TEN_KB)];
    case 'url':
      // A bare name is not malformed: it gets http:// (with a note) and is used. A 10 KB name is left out here: see
      // the todo below.
      return ['ftp://collector:21', 'http://bad host:4318', 'http://[::1', 'http://collector:99999'];
    case 'file':
      return [join(tmpdir(), 'otel-facade-no-such-dir', 'missing.pem'), 'f'.repeat(TEN_KB)];
    case 'text':
      return ['x'.repeat(kind.maxLength + 1), 'x'.repeat(TEN_KB)];
    case 'stringMap':
      return ['abc', '-1', '=1', 'k'.repeat(TEN_KB)];
    default:
      return [];
  }
}

describe('the field table\'s variables', () => {
  it('are all distinct and all start with OTEL_', () => {
    const variables = FIELDS.flatMap((field) => field.env ?? []);
    expect(variables.length).toBeGreaterThan(40);
    expect(new Set(variables).size).toBe(variables.length);
    for (const variable of variables) expect(variable).toMatch(/^OTEL_[A-Z0-9_]+$/);
  });

  it('each land somewhere in the resolved configuration (this test knows where)', () => {
    expect(ENV_FIELDS.map((field) => field.path).filter((path) => READERS[path] === undefined)).toEqual([]);
  });
});

describe('a valid value of every variable is used', () => {
  it.each(ROWS.map((row) => [label(row), row] as const))('%s', (_label, row) => {
    const companion = COMPANIONS[row.field.path] ?? {};
    const baseline = resolve(companion);
    expect(baseline.notes).toEqual([]);
    const before = read(row, baseline.config);
    const { raw, expected } = validSample(row, before);
    const expectedEverywhere = before.map(() => expected);
    expect(before).not.toEqual(expectedEverywhere); // the sample changes something, so this test can fail

    const env: NodeJS.ProcessEnv = { ...companion, [row.variable]: raw };
    const { config, notes } = resolve(env);
    expect(read(row, config)).toEqual(expectedEverywhere);
    expect(notes).toEqual([]);
    // readEnvironment says which variable set it
    if (!INVERTED.has(row.variable)) expect(readEnvironment(env).values.get(row.field.path)?.variable).toBe(row.variable);
  });
});

describe('a malformed value of every variable is warned about once, by name, and ignored', () => {
  const cases = ROWS.flatMap((row) => malformedSamples(row).map((raw) => [label(row), raw.length > 40 ? `${raw.slice(0, 12)}... (${raw.length} characters)` : raw, row, raw] as const));

  it('covers every variable', () => {
    expect(new Set(cases.map(([, , row]) => row.variable)).size).toBe(ROWS.length);
  });

  it.each(cases)('%s = %s', (_label, _shown, row, raw) => {
    const companion = COMPANIONS[row.field.path] ?? {};
    const baseline = resolve(companion);
    let resolution: ConfigResolution | undefined;
    expect(() => {
      resolution = resolve({ ...companion, [row.variable]: raw });
    }).not.toThrow();
    const { config, notes, adjusted } = resolution as ConfigResolution;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(row.variable);
    // a key=value list leaves out the bad entry (the rest of the list is used); every other kind ignores the value
    expect(notes[0]).toContain(row.field.kind.type === 'stringMap' ? 'it was left out' : 'it was ignored');
    expect(notes[0].length).toBeLessThan(1000); // a long value is cut in the message
    expect(read(row, config)).toEqual(read(row, baseline.config));
    expect(adjusted).toEqual(baseline.adjusted);
  });

  it('a 10 KB OTEL_EXPORTER_OTLP_ENDPOINT is ignored with one short note', () => {
    const baseline = resolve({});
    const { config, notes } = resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'a'.repeat(10240) });
    expect(config.endpoint).toBe(baseline.config.endpoint);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^OTEL_EXPORTER_OTLP_ENDPOINT="a+\.\.\." is not a usable URL \(an http:\/\/ or https:\/\/ URL of at most 2048 characters\); it was ignored\.$/);
    expect(notes[0].length).toBeLessThan(400);
  });

  it.each(['OTEL_EXPORTER_OTLP_CERTIFICATE', 'OTEL_EXPORTER_OTLP_CLIENT_KEY', 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE'])(
    '%s naming a directory, a device or a file over 1 MiB is ignored with one note, never read', (variable) => {
      const big = join(mkdtempSync(join(tmpdir(), 'pem-')), 'big.pem');
      writeFileSync(big, Buffer.alloc(1024 * 1024 + 1, 0x41));
      try {
        for (const [path, why] of [[tmpdir(), 'a directory'], ['/dev/zero', 'not a regular file'], [big, 'a PEM file is at most 1048576']]) {
          const { notes } = resolve({ [variable]: path });
          expect(notes).toEqual([expect.stringContaining(`${variable}=${JSON.stringify(path)} names no readable PEM file (`)]);
          expect(notes[0]).toContain(why);
        }
      } finally {
        rmSync(dirname(big), { recursive: true, force: true });
      }
    });

  it('a malformed first variable of a field falls back to the next one, saying so', () => {
    const { config, notes } = resolve({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: 'abc', OTEL_ATTRIBUTE_COUNT_LIMIT: '7' });
    expect(config.spanLimits.attributeCountLimit).toBe(7);
    expect(notes).toEqual(['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="abc" is not a whole number from 1 to 10000; it was ignored.']);
    const endpoint = resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x:21', OTEL_FACADE_ENDPOINT: 'http://facade:4318' });
    expect(endpoint.config.endpoint).toBe('http://facade:4318');
    expect(endpoint.notes).toHaveLength(1);
    // and the first one wins when both are good
    expect(resolve({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '9', OTEL_ATTRIBUTE_COUNT_LIMIT: '7' }).config.spanLimits.attributeCountLimit).toBe(9);
  });

  it('the timing variables say they take milliseconds without a unit', () => {
    for (const variable of ['OTEL_METRIC_EXPORT_INTERVAL', 'OTEL_METRIC_EXPORT_TIMEOUT', 'OTEL_BSP_SCHEDULE_DELAY', 'OTEL_BSP_EXPORT_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT']) {
      const { notes } = resolve({ [variable]: '5s' });
      expect(notes).toEqual([expect.stringMatching(new RegExp(`^${variable}="5s" is not a whole number from \\d+ to \\d+ \\(milliseconds, without a unit\\); it was ignored\\.$`))]);
    }
    // a count is not a duration
    expect(resolve({ OTEL_BSP_MAX_QUEUE_SIZE: '5k' }).notes[0]).not.toContain('milliseconds');
  });

  it('any value of any variable never throws (property)', () => {
    const variables = [...ROWS.map((row) => row.variable), 'OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG'];
    const value = fc.oneof(fc.string({ maxLength: 50 }), fc.string({ unit: 'binary', maxLength: 50 }), fc.integer().map(String),
      fc.constantFrom('none', 'otlp,console', 'http://x:4317', 'a=%ZZ,=b', 'true', 'TRUE', ' , ', '%0A=x', 'prometheus'));
    fc.assert(fc.property(fc.dictionary(fc.constantFrom(...variables), value, { maxKeys: 6 }), (env) => {
      let resolution: ConfigResolution | undefined;
      expect(() => {
        resolution = resolve(env);
      }).not.toThrow();
      expect(resolution?.config.exportTimeoutMs).toBeLessThanOrEqual(resolution?.config.exportIntervalMs ?? 0);
      expect(resolution?.config.spanBatch.maxExportBatchSize).toBeLessThanOrEqual(resolution?.config.spanBatch.maxQueueSize ?? 0);
    }), { numRuns: 500 });
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('true (any case) disables telemetry, even over an explicit enabled: true', () => {
    for (const raw of ['true', 'TRUE', ' True ']) {
      const { config, notes } = resolve({ OTEL_SDK_DISABLED: raw }, { enabled: true });
      expect(config.enabled).toBe(false);
      expect(notes).toEqual([]);
    }
  });

  it('false leaves telemetry on, and does not override an explicit enabled: false', () => {
    expect(resolve({ OTEL_SDK_DISABLED: 'false' }).config.enabled).toBe(true);
    expect(resolve({ OTEL_SDK_DISABLED: 'false' }, { enabled: false }).config.enabled).toBe(false);
  });

  it('anything else is warned about by name and ignored: telemetry stays on', () => {
    const { config, notes } = resolve({ OTEL_SDK_DISABLED: 'garbage' });
    expect(config.enabled).toBe(true);
    expect(notes).toEqual(['OTEL_SDK_DISABLED="garbage" is neither true nor false; it was ignored (telemetry stays on).']);
  });
});

describe('OTEL_RESOURCE_ATTRIBUTES', () => {
  it('percent-decodes keys and values, leaves out a bad entry with a note, and keeps the rest', () => {
    const { config, notes } = resolve({ OTEL_RESOURCE_ATTRIBUTES: 'region=eu%2Dwest,team=a%20b%2Cc,bad,deploy%2Eid=42,raw=%ZZ' });
    expect(config.resourceAttributes).toEqual({ 'service.name': 'svc', region: 'eu-west', team: 'a b,c', 'deploy.id': '42', raw: '%ZZ' });
    expect(notes).toEqual(['OTEL_RESOURCE_ATTRIBUTES: the entry "bad" is not key=value; it was left out.']);
  });

  it('explicit resourceAttributes are merged over it, key by key', () => {
    const { config } = resolveConfig({ logger: quiet, resourceAttributes: { team: 'mine' } }, { OTEL_RESOURCE_ATTRIBUTES: 'team=env,region=eu,service.name=from-attrs' });
    expect(config.resourceAttributes).toEqual({ team: 'mine', region: 'eu', 'service.name': 'from-attrs' });
    expect(config.serviceName).toBe('from-attrs');
  });
});

describe('OTEL_EXPORTER_OTLP_HEADERS', () => {
  it.each([
    ['a percent-encoded newline', 'good=1,bad=a%0Ab'],
    ['a raw newline', 'good=1,bad=a\nb'],
    ['a carriage return', 'good=1,bad=a\r\nInjected: yes'],
  ])('a header holding %s is left out with a note; the others are sent', (_what, raw) => {
    const { config, notes } = resolve({ OTEL_EXPORTER_OTLP_HEADERS: raw });
    expect(config.metrics.headers).toEqual({ good: '1' });
    expect(config.traces.headers).toEqual({ good: '1' });
    expect(notes).toEqual(['OTEL_EXPORTER_OTLP_HEADERS: the header "bad" was left out: its value holds characters HTTP headers cannot carry (such as a newline, or non-Latin-1 text).']);
  });

  it('a header with an invalid name is left out with a note', () => {
    const { config, notes } = resolve({ OTEL_EXPORTER_OTLP_HEADERS: 'good=1,bad name=2' });
    expect(config.metrics.headers).toEqual({ good: '1' });
    expect(notes).toEqual(['OTEL_EXPORTER_OTLP_HEADERS: the header "bad" was left out: its name is not a valid HTTP header name.']);
  });
});

describe('values the specification has and this library does not', () => {
  it.each([
    ['OTEL_TRACES_EXPORTER', 'zipkin', 'otlp, console, none'],
    ['OTEL_METRICS_EXPORTER', 'jaeger', 'otlp, prometheus, console, none'],
    ['OTEL_PROPAGATORS', 'xray', 'tracecontext, baggage, b3, b3multi, jaeger, none'],
    ['OTEL_TRACES_SAMPLER', 'jaeger_remote', 'always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio'],
  ])('%s=%s says it is not supported by this library, and is ignored', (variable, raw, accepted) => {
    const baseline = resolve({});
    const { config, notes } = resolve({ [variable]: raw });
    expect(notes).toEqual([`${variable}=${JSON.stringify(raw)}: '${raw.toLowerCase()}' is not supported by this library (accepted: ${accepted}); it was ignored.`]);
    expect({ ...config, logger: undefined }).toEqual({ ...baseline.config, logger: undefined });
  });

  it('OTEL_EXPORTER_OTLP_PROTOCOL=grpc (any case) is taken, not warned about: both signals go over gRPC to port 4317', () => {
    const { config, notes } = resolve({ OTEL_EXPORTER_OTLP_PROTOCOL: 'GRPC' });
    expect(notes).toEqual([]);
    expect([config.metrics.protocol, config.traces.protocol]).toEqual(['grpc', 'grpc']);
    expect([config.metrics.url, config.traces.url]).toEqual(['http://localhost:4317', 'http://localhost:4317']);
  });

  it('an unknown value says it is not a value the variable takes (not "unsupported")', () => {
    const { notes } = resolve({ OTEL_TRACES_EXPORTER: 'carrier-pigeon' });
    expect(notes).toEqual(["OTEL_TRACES_EXPORTER=\"carrier-pigeon\": 'carrier-pigeon' is not a value it takes (accepted: otlp, console, none); it was ignored."]);
  });
});

describe('lists', () => {
  it('OTEL_PROPAGATORS keeps the order given, drops duplicates, and none wins, said when other names are listed', () => {
    expect(resolve({ OTEL_PROPAGATORS: 'b3,tracecontext' }).config.propagators).toEqual(['b3', 'tracecontext']);
    expect(resolve({ OTEL_PROPAGATORS: ' jaeger , B3MULTI ,jaeger' }).config.propagators).toEqual(['jaeger', 'b3multi']);
    expect(resolve({ OTEL_PROPAGATORS: 'none' })).toMatchObject({ config: { propagators: ['none'] }, notes: [] });
    for (const raw of ['b3,none', 'none,tracecontext']) {
      const { config, notes } = resolve({ OTEL_PROPAGATORS: raw });
      expect(config.propagators).toEqual(['none']);
      expect(notes).toEqual([expect.stringContaining('lists none with other names; none wins')]);
    }
    const exporters = resolve({ OTEL_METRICS_EXPORTER: 'none,prometheus' });
    expect(exporters.config.metrics).toMatchObject({ exporter: 'none', prometheus: undefined });
    expect(exporters.notes).toEqual([expect.stringContaining('OTEL_METRICS_EXPORTER="none,prometheus" lists none with other names; none wins, so prometheus is not used.')]);
  });

  it('OTEL_PROPAGATORS with one unknown entry keeps the known ones and names the unknown one', () => {
    const { config, notes } = resolve({ OTEL_PROPAGATORS: 'tracecontext,xray,baggage' });
    expect(config.propagators).toEqual(['tracecontext', 'baggage']);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^OTEL_PROPAGATORS="tracecontext,xray,baggage": 'xray' is not supported by this library/);
  });

  it('OTEL_TRACES_EXPORTER=otlp,console uses otlp, with a note', () => {
    const { config, notes } = resolve({ OTEL_TRACES_EXPORTER: 'otlp,console' });
    expect(config.traces.exporter).toBe('otlp');
    expect(notes).toEqual(['OTEL_TRACES_EXPORTER lists otlp, console; only one is used here: otlp.']);
    expect(resolve({ OTEL_TRACES_EXPORTER: 'logging' }).config.traces.exporter).toBe('console');
  });

  it('OTEL_METRICS_EXPORTER=otlp,prometheus gives both, without a note', () => {
    const { config, notes } = resolve({ OTEL_METRICS_EXPORTER: 'otlp,prometheus' });
    expect(config.metrics.exporter).toBe('otlp');
    expect(config.metrics.prometheus).toEqual({ port: 9464, host: '127.0.0.1', endpoint: '/metrics' });
    expect(notes).toEqual([]);
    const production = resolve({ OTEL_METRICS_EXPORTER: 'prometheus', OTEL_FACADE_PROFILE: 'production', OTEL_EXPORTER_PROMETHEUS_PORT: '9999' });
    expect(production.config.metrics.exporter).toBe('none');
    expect(production.config.metrics.prometheus).toEqual({ port: 9999, host: '0.0.0.0', endpoint: '/metrics' });
  });

  it('OTEL_METRICS_EXPORTER=otlp,console uses otlp, with a note', () => {
    const { config, notes } = resolve({ OTEL_METRICS_EXPORTER: 'otlp,console' });
    expect(config.metrics.exporter).toBe('otlp');
    expect(notes).toEqual(['OTEL_METRICS_EXPORTER lists both otlp and console; metrics have one push exporter, so otlp is used.']);
  });
});

describe('case', () => {
  it('OTEL_LOG_LEVEL=DEBUG is debug', () => {
    const { config, notes } = resolve({ OTEL_LOG_LEVEL: 'DEBUG' });
    expect(config.logLevel).toBe('debug');
    expect(notes).toEqual([]);
  });

  it('enum values are read in any case', () => {
    const { config } = resolve({ OTEL_EXPORTER_OTLP_COMPRESSION: 'NONE', OTEL_TRACES_EXPORTER: 'Console', OTEL_FACADE_PROFILE: 'Production', OTEL_EXPORTER_OTLP_PROTOCOL: 'HTTP/JSON' });
    expect(config.metrics.compression).toBe('none');
    expect(config.traces.exporter).toBe('console');
    expect(config.profile).toBe('production');
    expect(config.metrics.protocol).toBe('http/json');
  });
});

describe('the most specific setting wins', () => {
  const signals = ['METRICS', 'TRACES'] as const;

  it.each(signals)('OTEL_EXPORTER_OTLP_%s_COMPRESSION beats OTEL_EXPORTER_OTLP_COMPRESSION and an explicit compression', (signal) => {
    const own = signal === 'METRICS' ? 'metrics' : 'traces';
    const other = signal === 'METRICS' ? 'traces' : 'metrics';
    const env = { [`OTEL_EXPORTER_OTLP_${signal}_COMPRESSION`]: 'none', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' };
    const fromEnv = resolve(env);
    expect(fromEnv.config[own].compression).toBe('none');
    expect(fromEnv.config[other].compression).toBe('gzip');
    const overShared = resolve(env, { compression: 'gzip' });
    expect(overShared.config[own].compression).toBe('none');
    expect(overShared.config[other].compression).toBe('gzip');
    // but an explicit per-signal value beats its variable
    const explicit = resolve(env, { [own]: { compression: 'gzip' } });
    expect(explicit.config[own].compression).toBe('gzip');
  });

  it('the same for the request timeout, the protocol and the endpoint', () => {
    const env = {
      OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '1234', OTEL_EXPORTER_OTLP_TIMEOUT: '5678',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics-env:1/m',
    };
    const shared = resolve(env, { timeoutMs: 9999, protocol: 'http/protobuf', endpoint: 'http://explicit:4318' });
    expect(shared.config.metrics.requestTimeoutMs).toBe(1234);
    expect(shared.config.traces.requestTimeoutMs).toBe(9999);
    expect(shared.config.traces.protocol).toBe('http/json');
    expect(shared.config.metrics.protocol).toBe('http/protobuf');
    expect(shared.config.metrics.url).toBe('http://metrics-env:1/m');
    expect(shared.config.traces.url).toBe('http://explicit:4318/v1/traces');
    const own = resolve(env, { metrics: { timeoutMs: 42, endpoint: 'http://mine:2/m' }, traces: { protocol: 'http/protobuf' } });
    expect(own.config.metrics.requestTimeoutMs).toBe(42);
    expect(own.config.metrics.url).toBe('http://mine:2/m');
    expect(own.config.traces.protocol).toBe('http/protobuf');
    expect(own.config.traces.requestTimeoutMs).toBe(5678);
  });

  it('headers merge from the shared variable up to the explicit per-signal ones', () => {
    const { config } = resolve(
      { OTEL_EXPORTER_OTLP_HEADERS: 'k=env-shared,a=env-shared', OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'k=env-metrics,b=env-metrics' },
      { headers: { k: 'config-shared', c: 'config-shared' } },
    );
    expect(config.metrics.headers).toEqual({ k: 'env-metrics', a: 'env-shared', b: 'env-metrics', c: 'config-shared' });
    expect(config.traces.headers).toEqual({ k: 'config-shared', a: 'env-shared', c: 'config-shared' });
    const own = resolve({ OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'k=env-metrics' }, { metrics: { headers: { k: 'config-metrics' } } });
    expect(own.config.metrics.headers).toEqual({ k: 'config-metrics' });
  });

  it('a per-signal certificate variable beats an explicit shared one', () => {
    const shared = pemFile('SHARED_EXPLICIT');
    const metrics = pemFile('OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE_SPECIFIC');
    const { config } = resolve({ OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: metrics.path }, { certificate: shared.path });
    expect(text(config.metrics.tls.ca)).toBe(metrics.contents);
    expect(text(config.traces.tls.ca)).toBe(shared.contents);
  });

  it('an explicit value beats the variable of the same field', () => {
    const { config, notes } = resolve({ OTEL_SERVICE_NAME: 'env', OTEL_BSP_SCHEDULE_DELAY: '777', OTEL_LOG_LEVEL: 'debug' },
      { serviceName: 'explicit', spanBatch: { scheduledDelayMs: 333 }, logLevel: 'warn' });
    expect(config.serviceName).toBe('explicit');
    expect(config.spanBatch.scheduledDelayMs).toBe(333);
    expect(config.logLevel).toBe('warn');
    // an operator who set a variable the code overrides is told, once per variable
    expect(notes).toEqual([
      'OTEL_SERVICE_NAME="env" is overridden by serviceName = "explicit" set in the config.',
      'OTEL_BSP_SCHEDULE_DELAY=777 is overridden by spanBatch.scheduledDelayMs = 333 set in the config.',
      'OTEL_LOG_LEVEL="debug" is overridden by logLevel = "warn" set in the config.',
    ]);
    // the same value in both says nothing
    expect(resolve({ OTEL_SERVICE_NAME: 'same' }, { serviceName: 'same' }).notes).toEqual([]);
  });

  it('an endpoint variable the config overrides is named without its credentials', () => {
    const { notes } = resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://op:s3cret@collector.observability:4318' }, { endpoint: 'http://127.0.0.1:4318' });
    expect(notes).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT=http://***@collector.observability:4318 is overridden by endpoint = http://127.0.0.1:4318 set in the config.']);
  });

  it('a per-signal endpoint without a path is warned about: it is used as given', () => {
    const { config, notes } = resolve({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318' });
    expect(config.traces.url).toBe('http://tempo:4318');
    expect(notes).toEqual([expect.stringContaining("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT 'http://tempo:4318' has no path, and a per-signal endpoint is used as given: exports go to '/'. The usual path is /v1/traces")]);
  });

  it('a header entry that is not key=value is quoted without its value', () => {
    const { config, notes } = resolve({ OTEL_EXPORTER_OTLP_HEADERS: 'Authorization: Bearer s3cr3t-token,x-tenant=acme' });
    expect(config.metrics.headers).toEqual({ 'x-tenant': 'acme' });
    expect(notes).toEqual(['OTEL_EXPORTER_OTLP_HEADERS: the entry #1 (not shown: it may hold a secret) is not key=value; it was left out.']);
    expect(notes.join('')).not.toContain('s3cr3t');
  });
});

describe('OTEL_FACADE_PROFILE', () => {
  it('=production picks the production profile and counts as naming it', () => {
    const { config, notes } = resolve({ OTEL_FACADE_PROFILE: 'production' });
    expect(config).toMatchObject({ profile: 'production', profileNamed: true, samplingRate: 0.001, exportIntervalMs: 30000, piiRedaction: true });
    expect(notes).toEqual([]);
  });

  it('without it the development profile is used, not named', () => {
    const { config } = resolve({});
    expect(config).toMatchObject({ profile: 'development', profileNamed: false, samplingRate: 1, exportIntervalMs: 5000 });
  });

  it('an explicit profile beats it', () => {
    expect(resolve({ OTEL_FACADE_PROFILE: 'production' }, { profile: 'staging' }).config).toMatchObject({ profile: 'staging', profileNamed: true });
  });

  it('an unknown name is warned about and ignored', () => {
    const { config, notes } = resolve({ OTEL_FACADE_PROFILE: 'prod' });
    expect(config).toMatchObject({ profile: 'development', profileNamed: false });
    expect(notes).toEqual(["OTEL_FACADE_PROFILE=\"prod\": 'prod' is not a value it takes (accepted: development, staging, production); it was ignored."]);
  });
});
