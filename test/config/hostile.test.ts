import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as telemetry from '../../src/index';
import { displayUrl, signalUrl, trimTrailingSlashes } from '../../src/config/endpoint';
import { useProfile } from '../../src/config/profiles';
import { resolveConfig, type ConfigResolution } from '../../src/config/resolveConfig';
import type { TelemetryConfig } from '../../src/config/TelemetryConfig';
import { CapturingLogger } from '../support/CapturingLogger';
import { configError } from '../support/configError';

/**
 * The configuration attacked: hostile environments and config objects. The environment never fails boot and never
 * takes long or much memory; a hostile config object is a TelemetryConfigError naming its field; no secret and no
 * control character reaches a message.
 */

const quiet = { warn: (): void => undefined, info: (): void => undefined };
const resolve = (env: NodeJS.ProcessEnv, config: TelemetryConfig = {}): ConfigResolution =>
  resolveConfig({ serviceName: 'hostile', logger: quiet, ...config }, env);

const MB = 'x'.repeat(1024 * 1024);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostile-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a hostile environment', () => {
  it('a long run of slashes in an endpoint is trimmed in linear time', () => {
    const slashes = '/'.repeat(200_000);
    expect(trimTrailingSlashes(`http://h${slashes}`)).toBe('http://h');
    expect(trimTrailingSlashes(`http://h${slashes}x`)).toBe(`http://h${slashes}x`);
    // 100,000 slashes and a letter (the regular expression this replaced took seconds on it): too long to be an
    // endpoint, so ignored with one short note; one that fits is trimmed.
    const long = resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://h/${'/'.repeat(100_000)}x` });
    expect(long.config.endpoint).toBe('http://localhost:4318');
    expect(long.notes).toEqual([expect.stringContaining('is not a usable URL (an http:// or https:// URL of at most 2048 characters); it was ignored.')]);
    expect(long.notes[0].length).toBeLessThan(400);
    expect(resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://h/otlp${'/'.repeat(2000)}` }).config.metrics.url).toBe('http://h/otlp/v1/metrics');
  });

  it('a certificate variable naming a FIFO is not read (it would block boot forever)', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const { config, notes } = resolve({ OTEL_EXPORTER_OTLP_CERTIFICATE: fifo });
    expect(config.metrics.tls.ca).toBeUndefined();
    expect(notes).toEqual([`OTEL_EXPORTER_OTLP_CERTIFICATE=${JSON.stringify(fifo)} names no readable PEM file (not a regular file); it was ignored.`]);
  });

  it('a certificate file that is not PEM is refused at start, not at every export', () => {
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    expect(resolve({ OTEL_EXPORTER_OTLP_CERTIFICATE: garbage }).notes).toEqual([expect.stringContaining('not PEM: no -----BEGIN line')]);
    expect(configError(() => resolve({}, { certificate: garbage })).message).toContain('not PEM: no -----BEGIN line');
  });

  it('every note stays short, whatever the length of the value', () => {
    const { notes } = resolve({
      OTEL_EXPORTER_OTLP_ENDPOINT: `a${MB}`,
      OTEL_TRACES_SAMPLER: 'traceidratio',
      OTEL_TRACES_SAMPLER_ARG: MB,
      OTEL_PROPAGATORS: `${MB},b3`,
      OTEL_LOG_LEVEL: MB,
      OTEL_SERVICE_NAME: MB,
    });
    expect(notes.length).toBeGreaterThanOrEqual(5);
    for (const note of notes) expect(note.length).toBeLessThan(1000);
  });

  it('a service name from OTEL_RESOURCE_ATTRIBUTES is held to 255 characters, as serviceName is', () => {
    const { config, notes } = resolveConfig({ logger: quiet }, { OTEL_RESOURCE_ATTRIBUTES: `service.name=${'s'.repeat(100_000)}` });
    expect(config.serviceName).toBe('s'.repeat(255));
    expect(notes).toContain('service.name from OTEL_RESOURCE_ATTRIBUTES or resourceAttributes is 100000 characters long; its first 255 are used.');
  });

  it('a list with many bad entries is one note, and later variables are still warned about', () => {
    const { notes } = resolve({
      OTEL_RESOURCE_ATTRIBUTES: Array.from({ length: 60 }, (_, i) => `bad${i}`).join(','),
      OTEL_METRIC_EXPORT_INTERVAL: '30s',
      OTEL_PROPAGATORS: 'xray',
      OTEL_LOG_LEVEL: 'a,b,c',
    });
    expect(notes).toEqual(expect.arrayContaining([
      'OTEL_RESOURCE_ATTRIBUTES: 60 entries are not key=value, such as "bad0"; "bad1"; "bad2"; and 57 more; they were left out.',
      expect.stringContaining('OTEL_METRIC_EXPORT_INTERVAL="30s"'),
      expect.stringContaining("OTEL_PROPAGATORS=\"xray\": 'xray' is not supported by this library"),
      expect.stringContaining("OTEL_LOG_LEVEL=\"a,b,c\": 'a', 'b', 'c' are not a value it takes"),
    ]));
    expect(notes).toHaveLength(4);
  });

  it('past 30 notes, one line says how many more there were', () => {
    const env: NodeJS.ProcessEnv = {};
    const numeric = ['OTEL_METRIC_EXPORT_INTERVAL', 'OTEL_METRIC_EXPORT_TIMEOUT', 'OTEL_BSP_SCHEDULE_DELAY', 'OTEL_BSP_EXPORT_TIMEOUT',
      'OTEL_BSP_MAX_QUEUE_SIZE', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 'OTEL_EXPORTER_OTLP_TIMEOUT', 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT',
      'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
      'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_EVENT_COUNT_LIMIT', 'OTEL_SPAN_LINK_COUNT_LIMIT',
      'OTEL_EXPORTER_PROMETHEUS_PORT'];
    for (const variable of numeric) env[variable] = 'soon';
    for (const variable of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
      'OTEL_EXPORTER_OTLP_COMPRESSION', 'OTEL_EXPORTER_OTLP_METRICS_COMPRESSION', 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION',
      'OTEL_PROPAGATORS', 'OTEL_LOG_LEVEL', 'OTEL_TRACES_EXPORTER', 'OTEL_METRICS_EXPORTER', 'OTEL_FACADE_PROFILE', 'OTEL_TRACES_SAMPLER',
      'OTEL_EXPORTER_OTLP_CERTIFICATE', 'OTEL_EXPORTER_OTLP_CLIENT_KEY', 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE', 'OTEL_SDK_DISABLED']) {
      env[variable] = 'nonsense';
    }
    const { notes } = resolve(env);
    expect(notes).toHaveLength(30);
    expect(notes[29]).toMatch(/^\d+ more configuration warnings were left out; fix the ones above, and they will show\.$/);
  });

  it('a polluted Object.prototype is not the environment', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://evil.example:4318';
    proto.OTEL_METRIC_EXPORT_INTERVAL = 5000;
    proto.OTEL_SDK_DISABLED = true;
    try {
      const { config, notes } = resolve({ ...process.env });
      expect(config.endpoint).toBe('http://localhost:4318');
      expect(config.enabled).toBe(true);
      expect(notes).toEqual([]);
      // and a non-string own value is not read either
      expect(() => resolve({ OTEL_METRIC_EXPORT_INTERVAL: 5000 as never })).not.toThrow();
    } finally {
      delete proto.OTEL_EXPORTER_OTLP_ENDPOINT;
      delete proto.OTEL_METRIC_EXPORT_INTERVAL;
      delete proto.OTEL_SDK_DISABLED;
    }
  });
});

describe('secrets never reach a message', () => {
  it('credentials and query values in URLs are masked', () => {
    expect(displayUrl('http://user:pass@host:4318/v1?token=abc&x=1#access_token=f')).toBe('http://***@host:4318/v1?token=***&x=***#***');
    expect(displayUrl('user:pass@host:4318')).toBe('***@host:4318');
    expect(displayUrl('http:/user:pass@host:4318')).toBe('http:/***@host:4318'); // the URL parser reads credentials here too
    expect(displayUrl('http://user:SEK?RIT@host')).toBe('http://***@host');
    expect(displayUrl('http://host/a@b')).toBe('http://***@b'); // conservative: anything before the last @ may be credentials
    // linear: long runs of the characters it looks for
    for (const c of ['?', '&', '=', '@', '/', '#']) expect(displayUrl(`http://h/${c.repeat(200_000)}x`).length).toBeLessThan(300);
    const { notes } = resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'user:SECRET6@127.0.0.1:4317?token=SECRET8' });
    expect(notes.join('\n')).not.toMatch(/SECRET/);
    expect(notes).toHaveLength(2); // no scheme, and port 4317
    // `http:/user:pw@host` has a scheme (the URL parser says so): its credentials are credentials, not a path
    const oneSlash = resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http:/user:SEKRIT@collector:4318' });
    expect(oneSlash.config.endpoint).toBe('http://user:SEKRIT@collector:4318');
    expect(oneSlash.notes).toEqual([]);
  });

  it('what a collector echoes of our headers, credentials and query is masked in failures', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end(`denied ${req.headers.authorization ?? ''} for ${req.url ?? ''} ${req.headers['x-api-key'] ?? ''}`);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    const logger = new CapturingLogger();
    try {
      telemetry.initialize({
        serviceName: 'echo', logger, traces: { exporter: 'none' },
        endpoint: `http://ops:PASSWORD1@127.0.0.1:${port}/otlp?token=QUERYSECRET`,
        headers: { authorization: 'Bearer TOKENSECRET', 'x-api-key': 'KEYSECRET' },
      });
      telemetry.counter('echo.requests.total');
      await telemetry.forceFlush();
      const said = `${logger.lines.map((line) => line.message).join('\n')}\n${JSON.stringify(telemetry.getHealth())}`;
      expect(said).toContain('HTTP 401');
      expect(said).toContain('denied ***');
      expect(said).not.toMatch(/PASSWORD1|QUERYSECRET|TOKENSECRET|KEYSECRET/);
      expect(said).toContain('(the headers field, or OTEL_EXPORTER_OTLP_HEADERS)');
    } finally {
      await telemetry.shutdown({ timeoutMs: 1000 });
      await new Promise((done) => server.close(done));
    }
  });

  it.each([
    ['Authorization: Bearer SECRET1'],
    ['=SECRET2'],
    ['x-api-key SECRET3'],
    ['Authorization: Basic dXNlcjpTRUNSRVQ9PQ=='],
  ])('OTEL_EXPORTER_OTLP_HEADERS=%s is left out without quoting the secret', (raw) => {
    const { config, notes } = resolve({ OTEL_EXPORTER_OTLP_HEADERS: raw });
    expect(config.metrics.headers).toEqual({});
    expect(notes).toHaveLength(1);
    expect(notes[0]).not.toMatch(/SECRET|dXNlcjpTRUNSRVQ9PQ/);
  });

  it('a header value set in the config is named by its header, never shown', () => {
    const error = configError(() => resolve({}, { headers: { Authorization: 'Bearer SECRET-IN-ERROR\n' } }));
    expect(error.field).toBe('headers.Authorization');
    expect(error.message).not.toContain('SECRET');
    const typed = configError(() => resolve({}, { traces: { headers: { 'x-api-key': 1234567890 as never } } }));
    expect(typed.field).toBe('traces.headers.x-api-key');
    expect(typed.message).not.toContain('1234567890');
  });

  it('control characters from user input cannot forge log lines', async () => {
    const logger = new CapturingLogger();
    telemetry.initialize({ serviceName: "svc\notel-facade: started 'fake'\u001b[31m", exporter: 'none', logger });
    try {
      const started = logger.matching('started ');
      expect(started).toHaveLength(1);
      expect(started[0]).toContain("svc\\u000aotel-facade: started 'fake'\\u001b[31m");
      expect(logger.lines.every((line) => !/[\u0000-\u001f]/.test(line.message))).toBe(true);
    } finally {
      await telemetry.shutdown({ timeoutMs: 1000 });
    }
  });
});

describe('a hostile config object', () => {
  const throwing = (): never => {
    throw new Error('getter broke');
  };
  const revoked = (): object => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };

  it.each([
    ['a throwing getter at the top', (): TelemetryConfig => Object.defineProperty({}, 'serviceName', { get: throwing, enumerable: true }), 'serviceName'],
    ['a throwing getter inside a group', (): TelemetryConfig => ({ metrics: Object.defineProperty({}, 'exporter', { get: throwing, enumerable: true }) }), 'metrics.exporter'],
    ['a revoked proxy as the config', (): TelemetryConfig => revoked() as TelemetryConfig, 'config'],
    ['a revoked proxy as a group', (): TelemetryConfig => ({ metrics: revoked() }), 'metrics'],
    ['a proxy whose ownKeys throws', (): TelemetryConfig => new Proxy({}, { ownKeys: throwing }) as TelemetryConfig, 'config'],
    ['a logger with a throwing warn getter', (): TelemetryConfig => ({ logger: Object.defineProperty({ info: () => undefined }, 'warn', { get: throwing, enumerable: true }) as never }), 'logger'],
    ['an array whose member throws', (): TelemetryConfig => ({ piiIpExemptKeys: new Proxy(['a'], { get: (target, key) => (key === '0' ? throwing() : Reflect.get(target, key)) }) }), 'piiIpExemptKeys'],
  ])('%s is a TelemetryConfigError naming the field', (_name, make, field) => {
    const error = configError(() => resolveConfig(make(), {}));
    expect(error.field).toBe(field);
    expect(error.message.length).toBeLessThan(1000);
    // and through initialize(), the same error
    expect(() => telemetry.initialize(make())).toThrow(expect.objectContaining({ name: 'TelemetryConfigError', field }));
  });

  it('useProfile() with a hostile or contradicting overrides object', () => {
    expect(configError(() => useProfile('production', Object.defineProperty({}, 'serviceName', { get: throwing, enumerable: true }))).field).toBe('overrides');
    expect(configError(() => useProfile('production', revoked() as TelemetryConfig)).field).toBe('overrides');
    expect(configError(() => useProfile('production', { profile: 'staging' })).message).toContain("'production', the profile useProfile() was given");
    expect(useProfile('production', { profile: 'production' })).toEqual({ profile: 'production' });
  });

  it('200,000 per-label limits over an inherited cardinalityLimit do not overflow the stack', () => {
    const limits = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`label${i}`, 3000 + i]));
    const { config } = resolve({}, { cardinalityLimits: limits });
    expect(config.cardinalityLimit).toBe(3000 + 199_999 + 1);
  });

  it('a huge value in an error is cut', () => {
    expect(configError(() => resolve({}, { serviceName: 'a'.repeat(10_000_000) })).message.length).toBeLessThan(1000);
    expect(configError(() => resolve({}, { ['k'.repeat(1_000_000)]: 1 } as never)).message.length).toBeLessThan(1000);
  });

  it('a throwing logger cannot fail initialize(), even with telemetry disabled', async () => {
    const logger = { warn: throwing, info: throwing };
    const saved = process.env.OTEL_SDK_DISABLED;
    process.env.OTEL_SDK_DISABLED = 'true';
    try {
      expect(() => telemetry.initialize({ serviceName: 'x', logger })).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env.OTEL_SDK_DISABLED;
      else process.env.OTEL_SDK_DISABLED = saved;
      await telemetry.shutdown({ timeoutMs: 1000 });
    }
  });
});

describe('endpoints with a query or a fragment', () => {
  it('the signal path goes into the path; the query is kept and the fragment dropped', () => {
    expect(signalUrl('http://h:4318/otlp?tenant=a', 'v1/metrics')).toBe('http://h:4318/otlp/v1/metrics?tenant=a');
    const { config } = resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://h:4318/otlp#frag' });
    expect(config.metrics.url).toBe('http://h:4318/otlp/v1/metrics');
  });

  it('healthStatus() takes what is not a health object as no health object', () => {
    expect(telemetry.healthStatus(1 as never).code).toBe(200);
  });
});

describe('the second attacker round', () => {
  const throwing = (): never => {
    throw new Error('getter broke');
  };

  it('a huge or deep value in an error is described within bounds, never stringified whole', () => {
    const shared = 'x'.repeat(1 << 20);
    const wide = configError(() => resolve({}, { samplingRate: Array.from({ length: 9999 }, () => shared) as never }));
    expect(wide.field).toBe('samplingRate');
    expect(wide.message.length).toBeLessThan(1000);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 26; i++) deep = { a: deep, b: deep };
    expect(configError(() => resolve({}, { samplingRate: deep as never })).message.length).toBeLessThan(1000);
  });

  it('secrets given in the wrong shape stay out of the error and its value', () => {
    const asString = configError(() => resolve({}, { headers: 'Authorization=Bearer SEKRIT' as never }));
    expect(`${asString.message} ${String(asString.value)}`).not.toContain('SEKRIT');
    const asList = configError(() => resolve({}, { metrics: { headers: ['Bearer SEKRIT'] as never } }));
    expect(`${asList.message} ${String(asList.value)}`).not.toContain('SEKRIT');
    const urlObject = configError(() => resolve({}, { endpoint: new URL('http://user:SEKRIT@collector:4318/?token=SEKRIT2') as never }));
    expect(`${urlObject.message} ${String(urlObject.value)}`).not.toContain('SEKRIT');
    const urlList = configError(() => resolve({}, { traces: { endpoint: ['https://u:SEKRIT@h:4318'] as never } }));
    expect(`${urlList.message} ${String(urlList.value)}`).not.toContain('SEKRIT');
    const { notes } = resolve({ OTEL_EXPORTER_OTLP_HEADERS: 'api-key=part1,SEKRITpart2,x-api-key%3DSEKRIT' });
    expect(notes.join('\n')).not.toContain('SEKRIT');
  });

  it('a map that is not a plain object is refused, not read as no entries', () => {
    expect(configError(() => resolve({}, { headers: new Map([['authorization', 'x']]) as never })).field).toBe('headers');
    const sneaky = Object.create({}) as Record<string, string>;
    let reads = 0;
    Object.defineProperty(sneaky, 'authorization', { enumerable: true, get: () => (++reads > 1 ? throwing() : 'Bearer x') });
    expect(configError(() => resolve({}, { headers: sneaky })).field).toBe('headers');
    expect(configError(() => resolve({}, { cardinalityLimits: Object.create({ user_id: 5 }) as never })).field).toBe('cardinalityLimits');
  });

  it('what is read is read once: a getter that changes its answer cannot slip a bad header past the check', () => {
    let reads = 0;
    const headers = Object.defineProperty({}, 'authorization', { enumerable: true, get: () => (++reads > 1 ? 'bad\r\nInjected: yes' : 'Bearer x') });
    const { config } = resolve({}, { headers });
    expect(config.metrics.headers).toEqual({ authorization: 'Bearer x' });
    expect(reads).toBe(1);
  });

  it('throwing patterns, thrown proxies and errors with throwing getters are TelemetryConfigErrors', () => {
    const pattern = /x/;
    Object.defineProperty(pattern, 'source', { get: throwing });
    expect(configError(() => resolve({}, { piiPatterns: [pattern] })).field).toBe('piiPatterns');
    const hostileError = new Proxy(new Error('x'), { get: throwing, getPrototypeOf: throwing });
    expect(configError(() => resolveConfig(Object.defineProperty({}, 'endpoint', { enumerable: true, get: () => { throw hostileError; } }), {})).field).toBe('endpoint');
    const messageGetter = Object.defineProperty(new Error(), 'message', { get: throwing });
    expect(configError(() => useProfile('production', Object.defineProperty({}, 'serviceName', { enumerable: true, get: () => { throw messageGetter; } }))).field).toBe('overrides');
  });

  it('control characters never reach an error message', () => {
    const cases: TelemetryConfig[] = [
      { ['evil\nforged line']: 1 } as never,
      { metrics: { ['a\r\nb']: 1 } } as never,
      { cardinalityLimits: { ['k\u001b[31m']: 0 } },
      { serviceName: 'a\u0085b\u2028c\u0000'.repeat(100) },
      { profile: 'prod\u007f\u009b' as never },
    ];
    for (const config of cases) {
      expect(configError(() => resolve({}, config)).message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    }
  });

  it('an async logger that rejects cannot end the process', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason);
    };
    process.on('unhandledRejection', onRejection);
    try {
      telemetry.initialize({ serviceName: 'async-logger', exporter: 'none', logger: { warn: async () => { throw new Error('log sink down'); }, info: async () => undefined } });
      telemetry.counter('bad name');
      await new Promise((done) => setImmediate(done));
      await new Promise((done) => setImmediate(done));
      expect(rejections).toEqual([]);
      expect(telemetry.getHealth().droppedByReason.invalid_name).toBe(1);
    } finally {
      process.off('unhandledRejection', onRejection);
      await telemetry.shutdown({ timeoutMs: 1000 });
    }
  });

  it('a second initialize() with a config that could never work throws, though it changes nothing', async () => {
    telemetry.initialize({ serviceName: 'first', exporter: 'none', logger: quiet });
    try {
      expect(configError(() => telemetry.initialize({ bogus: 1 } as never)).message).toContain('unknown field bogus');
      expect(telemetry.getHealth().serviceName).toBe('first');
    } finally {
      await telemetry.shutdown({ timeoutMs: 1000 });
    }
  });
});

describe('the third trial round', () => {
  it("'none' with other names in a config list is a contradiction: it throws, as two values that disagree do", () => {
    expect(configError(() => resolve({}, { propagators: ['b3', 'none'] })).field).toBe('propagators');
    expect(configError(() => resolve({}, { metrics: { exporter: ['none', 'prometheus'] } })).field).toBe('metrics.exporter');
    expect(resolve({}, { propagators: 'b3' }).config.propagators).toEqual(['b3']);
  });

  it('secret-looking text in any wrong value is masked where it is quoted', () => {
    const planted = 'http://user:ZZSECRETU@h:4318/p?tok=ZZSECRETQ,Authorization=Bearer ZZSECRETH';
    const env: NodeJS.ProcessEnv = {};
    for (const variable of ['OTEL_SERVICE_NAME', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_COMPRESSION', 'OTEL_EXPORTER_OTLP_TIMEOUT',
      'OTEL_BSP_SCHEDULE_DELAY', 'OTEL_PROPAGATORS', 'OTEL_SDK_DISABLED', 'OTEL_TRACES_SAMPLER', 'OTEL_EXPORTER_OTLP_CERTIFICATE']) env[variable] = planted;
    const { notes } = resolve(env);
    expect(notes.length).toBeGreaterThanOrEqual(8);
    expect(notes.join('\n')).not.toMatch(/ZZSECRET/i);
    const fullWidth = resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://u:ZZSECRET\uff20h:4318' });
    expect(fullWidth.notes.join('\n')).not.toContain('ZZSECRET');
    expect(configError(() => resolve({}, { endpoint: 'http://u:ZZSECRET\uff20h:4318' })).message).not.toContain('ZZSECRET');
    expect(displayUrl('http://h:4318?ZZBARE')).toBe('http://h:4318?***');
  });

  it('a config header over the same header from a variable is said, without either value', () => {
    const { config, notes } = resolve({ OTEL_EXPORTER_OTLP_HEADERS: 'a=ENVVALUE', OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'b=ENV2' }, { headers: { a: 'CONFIGVALUE' }, metrics: { headers: { b: 'CONFIG2' } } });
    expect(config.metrics.headers).toEqual({ a: 'CONFIGVALUE', b: 'CONFIG2' });
    expect(notes).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS\'s header "a" is overridden by headers.a set in the config (values not shown).',
      'OTEL_EXPORTER_OTLP_METRICS_HEADERS\'s header "b" is overridden by metrics.headers.b set in the config (values not shown).',
    ]);
  });

  it('cardinalityLimit: 1 says that other does not fit, rather than that it does', () => {
    const { adjusted } = resolve({}, useProfile('production', { cardinalityLimit: 1 }));
    expect(adjusted).toEqual([expect.stringContaining("lowered to 1 to fit cardinalityLimit = 1 (set in the config); with one series there is no room for 'other', so values past the limit go to the overflow series.")]);
  });

  it('bidirectional overrides and zero-width characters are escaped in messages', async () => {
    const logger = new CapturingLogger();
    telemetry.initialize({ serviceName: 'svc\u202egnp.exe\u200b', exporter: 'none', logger });
    try {
      expect(logger.matching('started ')[0]).toContain('svc\\u202egnp.exe\\u200b');
    } finally {
      await telemetry.shutdown({ timeoutMs: 1000 });
    }
  });
});
