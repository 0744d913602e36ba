import { configError } from '../support/configError';
import { resolveConfig, DEFAULT_ENDPOINT } from '../../src/config/resolveConfig';
import { TelemetryConfigError } from '../../src/config/TelemetryConfigError';
import { useProfile, loadProfile, PROFILE_NAMES } from '../../src/config/profiles';
import type { TelemetryConfig } from '../../src/config/TelemetryConfig';

const quiet = { warn: () => undefined, info: () => undefined };
const resolve = (config: TelemetryConfig | undefined, env: NodeJS.ProcessEnv = {}) =>
  resolveConfig({ serviceName: 'svc', logger: quiet, ...config }, env);


describe('endpoint priority', () => {
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otlp-env:4318',
    OTEL_FACADE_ENDPOINT: 'http://facade-env:4318',
  };

  it('prefers the explicit config over the shared variables, and the most specific setting over both', () => {
    const { config } = resolve({ endpoint: 'http://explicit:4318' }, { ...env, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m:1/x' });
    expect(config.metrics.url).toBe('http://m:1/x');
    expect(config.traces.url).toBe('http://explicit:4318/v1/traces');
    const own = resolve({ endpoint: 'http://explicit:4318', metrics: { endpoint: 'http://mine:1/m' } }, { ...env, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m:1/x' });
    expect(own.config.metrics.url).toBe('http://mine:1/m');
  });

  it('prefers OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, used as given, for metrics', () => {
    const { config } = resolve({}, { ...env, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics-env:9999/custom/path' });
    expect(config.metrics.url).toBe('http://metrics-env:9999/custom/path');
    expect(config.traces.url).toBe('http://otlp-env:4318/v1/traces');
  });

  it('then OTEL_EXPORTER_OTLP_ENDPOINT, then OTEL_FACADE_ENDPOINT, then the profile, then the default', () => {
    expect(resolve({}, env).config.metrics.url).toBe('http://otlp-env:4318/v1/metrics');
    expect(resolve({}, { OTEL_FACADE_ENDPOINT: 'http://facade-env:4318' }).config.metrics.url).toBe('http://facade-env:4318/v1/metrics');
    expect(resolve({}, {}).config.endpoint).toBe(loadProfile('development').endpoint);
    expect(DEFAULT_ENDPOINT).toBe('http://localhost:4318');
  });

  it('adds http:// to an endpoint without a scheme and says so', () => {
    const { config, notes } = resolve({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318' });
    expect(config.metrics.url).toBe('http://otel-collector:4318/v1/metrics');
    expect(notes.join('\n')).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT 'otel-collector:4318' has no scheme/);
  });

  it('warns about the gRPC port 4317 when the signals go over HTTP, once for both', () => {
    const { notes } = resolve({ endpoint: 'http://collector:4317' });
    expect(notes).toEqual(["endpoint 'http://collector:4317' uses port 4317, the OTLP/gRPC port, but metrics and traces are sent over OTLP/HTTP, " +
      "which collectors serve on 4318. Exports will fail unless that port really speaks OTLP/HTTP; for gRPC set protocol: 'grpc' (OTEL_EXPORTER_OTLP_PROTOCOL=grpc)."]);
  });
});

describe('the endpoint over OTLP/gRPC', () => {
  it('is used as it is, without /v1/...; unset, it is gRPC\'s own port 4317', () => {
    expect(resolve({ protocol: 'grpc' }).config.metrics).toMatchObject({ url: 'http://localhost:4317', urlSource: 'the OTLP/gRPC default' });
    const { config, notes } = resolve({ protocol: 'grpc', endpoint: 'https://collector:4317' });
    expect([config.metrics.url, config.traces.url]).toEqual(['https://collector:4317', 'https://collector:4317']);
    expect(notes).toEqual([]);
  });

  it('per signal: gRPC for one, HTTP for the other, from one base endpoint', () => {
    const { config, notes } = resolve({ endpoint: 'http://collector:4318', metrics: { protocol: 'grpc', endpoint: 'http://collector:4317' } });
    expect(config.metrics).toMatchObject({ protocol: 'grpc', url: 'http://collector:4317' });
    expect(config.traces).toMatchObject({ protocol: 'http/protobuf', url: 'http://collector:4318/v1/traces' });
    expect(notes).toEqual([]);
  });

  it('says when the port is OTLP/HTTP\'s, naming the signals sent there', () => {
    const { notes } = resolve({ traces: { protocol: 'grpc' } }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(notes).toEqual(["OTEL_EXPORTER_OTLP_ENDPOINT 'http://collector:4318' uses port 4318, the OTLP/HTTP port, but traces are sent over OTLP/gRPC, " +
      'which collectors serve on 4317. Exports will fail unless that port really speaks OTLP/gRPC.']);
  });

  it('says that a path is not used (gRPC calls the service at host:port)', () => {
    const { config, notes } = resolve({ protocol: 'grpc', metrics: { endpoint: 'http://collector:4317/v1/metrics' } });
    expect(config.metrics.url).toBe('http://collector:4317/v1/metrics');
    expect(notes).toEqual(["metrics.endpoint 'http://collector:4317/v1/metrics' has a path, which OTLP/gRPC does not use: metrics go to the " +
      'MetricsService at collector:4317. Give the collector\'s host and port only (usually port 4317).']);
  });

  it('rejects a protocol it does not know, naming what it takes', () => {
    expect(configError(() => resolve({ protocol: 'grpc/json' as never })).allowed).toBe("one of 'http/protobuf', 'http/json', 'grpc'");
  });

  it('rejects an endpoint that is not an http URL', () => {
    expect(configError(() => resolve({ endpoint: 'ftp://x:21' })).field).toBe('endpoint');
    expect(configError(() => resolve({ endpoint: 'http://bad host:4318' })).field).toBe('endpoint');
  });
});

describe('environment variables', () => {
  it('reads the service name, resource attributes and headers', () => {
    const { config } = resolveConfig({ logger: quiet }, {
      OTEL_SERVICE_NAME: 'from-env',
      OTEL_RESOURCE_ATTRIBUTES: 'team=payments,service.version=1.2.3,region=eu%2Dwest',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=secret,x-tenant=acme',
    });
    expect(config.serviceName).toBe('from-env');
    expect(config.serviceVersion).toBe('1.2.3');
    expect(config.resourceAttributes).toMatchObject({ team: 'payments', region: 'eu-west' });
    expect(config.metrics.headers).toEqual({ 'api-key': 'secret', 'x-tenant': 'acme' });
  });

  it('lets explicit values win over the environment', () => {
    const { config } = resolveConfig({ serviceName: 'explicit', headers: { 'api-key': 'mine' }, logger: quiet }, {
      OTEL_SERVICE_NAME: 'env',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=env,other=1',
    });
    expect(config.serviceName).toBe('explicit');
    expect(config.metrics.headers).toEqual({ 'api-key': 'mine', other: '1' });
  });

  it('reads the export interval and timeout, below explicit values and above the profile', () => {
    const env = { OTEL_METRIC_EXPORT_INTERVAL: '20000', OTEL_METRIC_EXPORT_TIMEOUT: '7000' };
    expect(resolve({}, env).config).toMatchObject({ exportIntervalMs: 20000, exportTimeoutMs: 7000 });
    expect(resolve({ exportIntervalMs: 9000, exportTimeoutMs: 3000 }, env).config).toMatchObject({ exportIntervalMs: 9000, exportTimeoutMs: 3000 });
    const malformed = resolve({}, { OTEL_METRIC_EXPORT_INTERVAL: 'soon' });
    expect(malformed.config.exportIntervalMs).toBe(5000);
    expect(malformed.notes.join('\n')).toMatch(/OTEL_METRIC_EXPORT_INTERVAL="soon" is not a whole number .* \(milliseconds, without a unit\); it was ignored/);
  });

  it('OTEL_SDK_DISABLED=true disables everything, even over an explicit enabled: true', () => {
    expect(resolve({ enabled: true }, { OTEL_SDK_DISABLED: 'true' }).config.enabled).toBe(false);
    expect(resolve({ enabled: true }, { OTEL_SDK_DISABLED: 'false' }).config.enabled).toBe(true);
  });

  it('falls back to unknown_service:node and says how to name the service', () => {
    const { config, notes } = resolveConfig({ logger: quiet }, {});
    expect(config.serviceName).toBe('unknown_service:node');
    expect(notes.join('\n')).toMatch(/Set serviceName or OTEL_SERVICE_NAME/);
  });
});

describe('profiles', () => {
  it('carry GoMind-derived values', () => {
    const dev = resolve({ profile: 'development' }).config;
    const staging = resolve({ profile: 'staging' }).config;
    const prod = resolve({ profile: 'production' }).config;
    expect(dev.samplingRate).toBe(1);
    expect(dev.metrics.circuitBreaker.enabled).toBe(false);
    expect(dev.rateLimit.enabled).toBe(false);
    expect(staging.samplingRate).toBe(0.1);
    expect(staging.metrics.circuitBreaker).toMatchObject({ enabled: true, maxFailures: 10, recoveryTimeMs: 15000 });
    expect(prod.samplingRate).toBe(0.001);
    expect(prod.metrics.circuitBreaker).toMatchObject({ enabled: true, maxFailures: 10, recoveryTimeMs: 30000 });
    expect(prod.cardinalityLimits).toEqual({ agent_id: 100, capability: 50, error_type: 50, user_id: 100 });
    expect(prod.piiRedaction).toBe(true);
    for (const config of [dev, staging, prod]) expect(config.exportTimeoutMs).toBeLessThanOrEqual(config.exportIntervalMs);
  });

  it('useProfile keeps overrides above the profile', () => {
    const config = useProfile('production', { serviceName: 'weather', samplingRate: 0.5 });
    expect(config).toEqual({ profile: 'production', serviceName: 'weather', samplingRate: 0.5 });
    expect(resolveConfig({ ...config, logger: quiet }, {}).config).toMatchObject({ profile: 'production', samplingRate: 0.5, cardinalityLimit: 2000 });
  });

  it('a profile name alone is a configuration', () => {
    expect(resolveConfig('staging', { OTEL_SERVICE_NAME: 's' }).config.profile).toBe('staging');
  });

  it('an unknown profile throws and lists the valid ones (GoMind silently used development)', () => {
    const error = configError(() => useProfile('prod' as never));
    expect(error.field).toBe('profile');
    expect(error.message).toContain(PROFILE_NAMES.join(', '));
    expect(configError(() => resolve({ profile: 'qa' as never })).message).toContain("'development', 'staging', 'production'");
  });
});

describe('validation', () => {
  const cases: [string, TelemetryConfig, string][] = [
    ['samplingRate', { samplingRate: 1.5 }, 'a number from 0 to 1'],
    ['samplingRate', { samplingRate: Number.NaN }, 'a number from 0 to 1'],
    ['exportIntervalMs', { exportIntervalMs: 0 }, 'a whole number from 100'],
    ['exportTimeoutMs', { exportIntervalMs: 1000, exportTimeoutMs: 5000 }, 'at most exportIntervalMs = 1000 (both were given; make them agree)'],
    ['cardinalityLimit', { cardinalityLimit: -5 }, 'a whole number from 1'],
    ['cardinalityLimits.user_id', { cardinalityLimits: { user_id: 0 } }, 'a whole number from 1'],
    ['circuitBreaker.maxFailures', { circuitBreaker: { maxFailures: 0 } as never }, 'a whole number from 1 to 1000'],
    ['circuitBreaker.recoveryTimeMs', { circuitBreaker: { recoveryTimeMs: 1.5 } as never }, 'a whole number'],
    ['rateLimit.callsPerSecond', { rateLimit: { callsPerSecond: 0 } as never }, 'a whole number from 1'],
    ['compression', { compression: 'brotli' as never }, "one of 'gzip', 'none'"],
    ['enabled', { enabled: 'yes' as never }, 'true or false'],
    ['serviceName', { serviceName: '' }, 'a non-empty string'],
    ['logger', { logger: {} as never }, 'warn(message) and info(message)'],
    ['samplingrate', { samplingrate: 1 } as never, 'unknown field samplingrate; did you mean samplingRate?'],
  ];

  it.each(cases)('%s: names the field, the value and the allowed range', (field, config, allowed) => {
    const error = configError(() => resolve(config));
    expect(error).toBeInstanceOf(TelemetryConfigError);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).toContain(allowed);
  });
});

describe('help for near misses', () => {
  it('a list field given one name holds that name (propagators: \'b3multi\' from JavaScript)', () => {
    expect(resolve({ propagators: 'b3multi' as never }).config.propagators).toEqual(['b3multi']);
    expect(resolve({ propagators: 'none' as never }).config.propagators).toEqual(['none']);
  });

  it('a known field in the wrong place is pointed to where it belongs', () => {
    expect(configError(() => resolve({ traces: { samplingRate: 0.5 } } as never)).message)
      .toContain('unknown field traces.samplingRate; did you mean samplingRate?');
    expect(configError(() => resolve({ metrics: { exportIntervalMs: 1000 } } as never)).message)
      .toContain('did you mean exportIntervalMs?');
    expect(configError(() => resolve({ maxQueueSize: 10 } as never)).message).toContain('did you mean spanBatch.maxQueueSize?');
  });

  it("exporter: 'prometheus' says that prometheus is a metrics exporter", () => {
    const error = configError(() => resolve({ exporter: 'prometheus' as never }));
    expect(error.field).toBe('exporter');
    expect(error.message).toContain("prometheus serves metrics only: metrics: { exporter: 'prometheus' }");
  });

  it('an explicit samplingRate over OTEL_TRACES_SAMPLER is said, and samplingRate follows the sampler in use', () => {
    const overridden = resolve({ samplingRate: 0.5 }, { OTEL_TRACES_SAMPLER: 'always_off' });
    expect(overridden.config.sampler).toEqual({ type: 'parentbased_traceidratio', ratio: 0.5 });
    expect(overridden.notes).toContain('OTEL_TRACES_SAMPLER=always_off yields to samplingRate = 0.5 set in the config (parent-based, by trace ID).');
    expect(resolve({}, { OTEL_TRACES_SAMPLER: 'always_off' }).config.samplingRate).toBe(0);
    expect(resolve({}, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).config.samplingRate).toBe(0.25);
    const hex = resolve({}, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0x1' });
    expect(hex.config.sampler.ratio).toBe(1);
    expect(hex.notes).toEqual([expect.stringContaining('OTEL_TRACES_SAMPLER_ARG="0x1" is not a ratio from 0 to 1')]);
  });

  it('OTEL_EXPORTER_PROMETHEUS_PORT without the prometheus exporter is said to do nothing', () => {
    const { config, notes } = resolve({}, { OTEL_EXPORTER_PROMETHEUS_PORT: '9999' });
    expect(config.metrics.prometheus).toBeUndefined();
    expect(notes).toEqual([expect.stringContaining('OTEL_EXPORTER_PROMETHEUS_PORT is set, but metrics do not go to prometheus')]);
    expect(resolve({}, { OTEL_EXPORTER_PROMETHEUS_PORT: '9999', OTEL_METRICS_EXPORTER: 'prometheus' }).config.metrics.prometheus?.port).toBe(9999);
  });

  it('URL credentials never reach a message', () => {
    const noScheme = resolve({ endpoint: 'user:s3cret@collector:4317' });
    expect(noScheme.notes.join('\n')).not.toContain('s3cret');
    expect(noScheme.notes.join('\n')).toContain('***@collector:4317');
    const error = configError(() => resolve({ endpoint: 'ftp://user:s3cret@collector:21' }));
    expect(error.message).not.toContain('s3cret');
  });
});
