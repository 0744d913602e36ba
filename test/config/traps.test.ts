import { deadPort } from '../support/net';
import { configError } from '../support/configError';
import fc from 'fast-check';
import * as telemetry from '../../src/index';
import { resolveConfig, type ConfigResolution } from '../../src/config/resolveConfig';
import { PROFILE_NAMES, useProfile } from '../../src/config/profiles';
import type { ProfileName, TelemetryConfig } from '../../src/config/TelemetryConfig';
import { CapturingLogger } from '../support/CapturingLogger';
import { startTestBed } from '../support/telemetry';

/**
 * The configuration traps of the issue: each one resolved by resolveConfig() (values, and the exact adjusted or note
 * text), and each one through the real initialize() path, which must start without throwing and say once, as an
 * info line, what it adjusted.
 */

const quiet = { warn: (): void => undefined, info: (): void => undefined };

/** resolveConfig with a service name and a silent logger, and only the environment given. */
const resolve = (config: TelemetryConfig, env: NodeJS.ProcessEnv = {}): ConfigResolution =>
  resolveConfig({ serviceName: 'traps', logger: quiet, ...config }, env);



const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// initialize() reads process.env: the OTEL_* variables of the machine running the tests must not leak in, and the
// ones a test sets must not leak out.
const savedEnv = { ...process.env };
function clearOtelEnv(): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];
}
beforeEach(clearOtelEnv);
afterEach(async () => {
  await telemetry.shutdown({ timeoutMs: 1000 });
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

/** The info lines of a logger, without the `started ...` line every initialize() says. */
const infoLines = (logger: CapturingLogger): string[] =>
  logger.lines.filter((line) => line.level === 'info' && !line.message.includes(': started ')).map((line) => line.message);
const warnLines = (logger: CapturingLogger): string[] => logger.lines.filter((line) => line.level === 'warn').map((line) => line.message);

/** Starts the real runtime with `config` (exporters off unless the config says otherwise) and returns its logger. */
function start(config: TelemetryConfig): CapturingLogger {
  const logger = new CapturingLogger();
  expect(() => telemetry.initialize({ serviceName: 'traps', exporter: 'none', ...config, logger })).not.toThrow();
  const health = telemetry.getHealth();
  expect(health).toMatchObject({ initialized: true, enabled: true, serviceName: 'traps' });
  return logger;
}

describe('exportIntervalMs below the profile\'s exportTimeoutMs', () => {
  const LOWERED = 'exportTimeoutMs 4000 (the development profile) was lowered to 1000 to fit exportIntervalMs = 1000 (set in the config).';

  it('development, exportIntervalMs: 1000: the inherited timeout is lowered to 1000, said once as adjusted', () => {
    const { config, notes, adjusted } = resolve(useProfile('development', { exportIntervalMs: 1000 }));
    expect(config).toMatchObject({ profile: 'development', exportIntervalMs: 1000, exportTimeoutMs: 1000 });
    expect(config.metrics).toMatchObject({ intervalMs: 1000, timeoutMs: 1000 });
    expect(adjusted).toEqual([LOWERED]);
    expect(notes).toEqual([]);
  });

  it('through initialize(): starts, exports every 1 s, and says the adjustment once as info', async () => {
    const endpoint = `http://127.0.0.1:${await deadPort()}`;
    const logger = start(useProfile('development', { exportIntervalMs: 1000, exporter: 'otlp', endpoint }));
    expect(infoLines(logger)).toEqual([`otel-facade: ${LOWERED}`]);
    expect(logger.matching(/: started 'traps' \(development profile\): metrics → otlp http:\/\/127\.0\.0\.1:\d+\/v1\/metrics every 1 s;/)).toHaveLength(1);
    expect(warnLines(logger)).toEqual([]);
  });

  it('production, exportIntervalMs: 5000: the production timeout 10000 is lowered to 5000', () => {
    const { config, notes, adjusted } = resolve(useProfile('production', { exportIntervalMs: 5000 }));
    expect(config).toMatchObject({ profile: 'production', exportIntervalMs: 5000, exportTimeoutMs: 5000 });
    expect(adjusted).toEqual(['exportTimeoutMs 10000 (the production profile) was lowered to 5000 to fit exportIntervalMs = 5000 (set in the config).']);
    expect(notes).toEqual([]);
  });

  it('production, exportIntervalMs: 5000 through initialize()', () => {
    const logger = start(useProfile('production', { exportIntervalMs: 5000 }));
    expect(telemetry.getHealth().profile).toBe('production');
    expect(infoLines(logger)).toEqual([
      'otel-facade: exportTimeoutMs 10000 (the production profile) was lowered to 5000 to fit exportIntervalMs = 5000 (set in the config).',
    ]);
  });
});

describe('exportTimeoutMs above the profile\'s exportIntervalMs', () => {
  const RAISED = 'exportIntervalMs 30000 (the production profile) was raised to 60000 so that exportTimeoutMs = 60000 (set in the config) fits.';

  it('production, exportTimeoutMs: 60000: the inherited interval is raised to 60000, said once as adjusted', () => {
    const { config, notes, adjusted } = resolve(useProfile('production', { exportTimeoutMs: 60000 }));
    expect(config).toMatchObject({ exportIntervalMs: 60000, exportTimeoutMs: 60000 });
    expect(config.metrics).toMatchObject({ intervalMs: 60000, timeoutMs: 60000 });
    expect(adjusted).toEqual([RAISED]);
    expect(notes).toEqual([]);
  });

  it('through initialize(): starts, exports every 60 s', async () => {
    const endpoint = `http://127.0.0.1:${await deadPort()}`;
    const logger = start(useProfile('production', { exportTimeoutMs: 60000, exporter: 'otlp', endpoint }));
    expect(infoLines(logger)).toEqual([`otel-facade: ${RAISED}`]);
    expect(logger.matching(/: started 'traps' \(production profile\): metrics → otlp \S+ every 60 s;/)).toHaveLength(1);
  });
});

describe('cardinalityLimit below the profile\'s per-label limits', () => {
  const LOWERED = "the agent_id: 100, capability: 50, error_type: 50, user_id: 100 of the production profile's cardinalityLimits were " +
    "lowered to 49 so that, with 'other', each fits cardinalityLimit = 50 (set in the config).";

  it('production, cardinalityLimit: 50: the per-label limits are lowered to 49, leaving room for \'other\'', () => {
    const { config, notes, adjusted } = resolve(useProfile('production', { cardinalityLimit: 50 }));
    expect(config.cardinalityLimit).toBe(50);
    expect(config.cardinalityLimits).toEqual({ agent_id: 49, capability: 49, error_type: 49, user_id: 49 });
    expect(adjusted).toEqual([LOWERED]);
    expect(notes).toEqual([]);
  });

  it('through initialize(): the store holds 50 series per metric plus the overflow one', () => {
    const logger = start(useProfile('production', { cardinalityLimit: 50 }));
    expect(telemetry.getHealth().cardinalityMax).toBe(51);
    expect(infoLines(logger)).toEqual([`otel-facade: ${LOWERED}`]);
  });

  it('the lowered per-label limit leaves room for \'other\' within the series limit: 3000 user ids give 49 values and other', async () => {
    const bed = await startTestBed(useProfile('production', { cardinalityLimit: 50, registerGlobal: false }));
    try {
      for (let i = 0; i < 3000; i++) telemetry.counter('logins.total', 'user_id', `u${i}`);
      await telemetry.forceFlush();
      const points = bed.receiver.latest('logins.total');
      expect(points).toHaveLength(50);
      expect(points.filter((point) => point.attributes['otel.metric.overflow'] !== undefined)).toEqual([]);
      expect(points.find((point) => point.attributes.user_id === 'other')?.value).toBe(3000 - 49);
      expect(points.reduce((sum, point) => sum + (point.value ?? 0), 0)).toBe(3000);
    } finally {
      await bed.stop();
    }
  });

  it('production, cardinalityLimits: {} replaces the profile\'s per-label limits, with nothing to say', () => {
    const { config, notes, adjusted } = resolve(useProfile('production', { cardinalityLimits: {} }));
    expect(config.cardinalityLimits).toEqual({});
    expect(config.cardinalityLimit).toBe(2000);
    expect(adjusted).toEqual([]);
    expect(notes).toEqual([]);
    // and together with a low cardinalityLimit there is nothing left to lower
    const both = resolve(useProfile('production', { cardinalityLimit: 50, cardinalityLimits: {} }));
    expect(both.config.cardinalityLimits).toEqual({});
    expect(both.adjusted).toEqual([]);
  });

  it('production, cardinalityLimits: {} through initialize()', () => {
    const logger = start(useProfile('production', { cardinalityLimits: {} }));
    expect(infoLines(logger)).toEqual([]);
    expect(warnLines(logger)).toEqual([]);
  });

  it('a per-label limit above the inherited cardinalityLimit raises it', () => {
    const { config, adjusted } = resolve({ cardinalityLimits: { tenant: 5000 } });
    expect(config.cardinalityLimit).toBe(5001);
    expect(adjusted).toEqual(["cardinalityLimit 2000 (the development profile) was raised to 5001 so that cardinalityLimits.tenant = 5000 (set in the config) fits, with 'other'."]);
  });

  it('a raise for several per-label limits names the label that holds the highest one', () => {
    const { config, adjusted } = resolve({ cardinalityLimits: { a: 3000, b: 5000, c: 4000 } });
    expect(config.cardinalityLimit).toBe(5001);
    expect(adjusted).toEqual(["cardinalityLimit 2000 (the development profile) was raised to 5001 so that cardinalityLimits.b = 5000 (set in the config) fits, with 'other'."]);
  });
});

describe('spanBatch.maxQueueSize below the profile\'s maxExportBatchSize', () => {
  const LOWERED = 'spanBatch.maxExportBatchSize 512 (the development profile) was lowered to 256 to fit spanBatch.maxQueueSize = 256 (set in the config).';

  it('spanBatch: { maxQueueSize: 256 } lowers the inherited batch size to 256', () => {
    const { config, notes, adjusted } = resolve({ spanBatch: { maxQueueSize: 256 } });
    expect(config.spanBatch).toMatchObject({ maxQueueSize: 256, maxExportBatchSize: 256 });
    expect(adjusted).toEqual([LOWERED]);
    expect(notes).toEqual([]);
  });

  it('through initialize(): the traces pipeline sends at most 256 spans per request', () => {
    const logger = start({ spanBatch: { maxQueueSize: 256 } });
    expect(telemetry.getHealth().signals.traces.maxItemsPerRequest).toBe(256);
    expect(infoLines(logger)).toEqual([`otel-facade: ${LOWERED}`]);
  });

  it('an explicit batch size above the inherited queue raises the queue', () => {
    const { config, adjusted } = resolve({ spanBatch: { maxExportBatchSize: 4096 } });
    expect(config.spanBatch).toMatchObject({ maxQueueSize: 4096, maxExportBatchSize: 4096 });
    expect(adjusted).toEqual(['spanBatch.maxQueueSize 2048 (the development profile) was raised to 4096 so that spanBatch.maxExportBatchSize = 4096 (set in the config) fits.']);
  });
});

describe('the export interval and timeout from the environment', () => {
  const LOWERED = 'exportTimeoutMs 4000 (the development profile) was lowered to 1000 to fit exportIntervalMs = 1000 (from OTEL_METRIC_EXPORT_INTERVAL).';

  it('OTEL_METRIC_EXPORT_INTERVAL=1000 is used, and the inherited timeout adapts', () => {
    const { config, notes, adjusted } = resolve({}, { OTEL_METRIC_EXPORT_INTERVAL: '1000' });
    expect(config).toMatchObject({ exportIntervalMs: 1000, exportTimeoutMs: 1000 });
    expect(adjusted).toEqual([LOWERED]);
    expect(notes).toEqual([]);
  });

  it('OTEL_METRIC_EXPORT_INTERVAL=1000 through initialize()', async () => {
    process.env.OTEL_METRIC_EXPORT_INTERVAL = '1000';
    const endpoint = `http://127.0.0.1:${await deadPort()}`;
    const logger = start({ exporter: 'otlp', endpoint });
    expect(infoLines(logger)).toEqual([`otel-facade: ${LOWERED}`]);
    expect(logger.matching(/metrics → otlp \S+ every 1 s;/)).toHaveLength(1);
  });

  it('OTEL_METRIC_EXPORT_INTERVAL=30s is warned about by name, as milliseconds without a unit, and ignored', () => {
    const { config, notes, adjusted } = resolve({}, { OTEL_METRIC_EXPORT_INTERVAL: '30s' });
    expect(config).toMatchObject({ exportIntervalMs: 5000, exportTimeoutMs: 4000 });
    expect(notes).toEqual(['OTEL_METRIC_EXPORT_INTERVAL="30s" is not a whole number from 100 to 3600000 (milliseconds, without a unit); it was ignored.']);
    expect(adjusted).toEqual([]);
  });

  it('OTEL_METRIC_EXPORT_INTERVAL=30s through initialize(): one warning, the profile\'s interval', async () => {
    process.env.OTEL_METRIC_EXPORT_INTERVAL = '30s';
    const endpoint = `http://127.0.0.1:${await deadPort()}`;
    const logger = start({ exporter: 'otlp', endpoint });
    expect(warnLines(logger)).toEqual([
      'otel-facade: OTEL_METRIC_EXPORT_INTERVAL="30s" is not a whole number from 100 to 3600000 (milliseconds, without a unit); it was ignored.',
    ]);
    expect(infoLines(logger)).toEqual([]);
    expect(logger.matching(/metrics → otlp \S+ every 5 s;/)).toHaveLength(1);
  });

  it('OTEL_METRIC_EXPORT_TIMEOUT=20000 with an explicit exportIntervalMs: 5000: the environment yields, with a note', () => {
    const { config, notes, adjusted } = resolve({ exportIntervalMs: 5000 }, { OTEL_METRIC_EXPORT_TIMEOUT: '20000' });
    expect(config).toMatchObject({ exportIntervalMs: 5000, exportTimeoutMs: 5000 });
    expect(notes).toEqual(['exportTimeoutMs 20000 (from OTEL_METRIC_EXPORT_TIMEOUT) was lowered to 5000 to fit exportIntervalMs = 5000 (set in the config).']);
    expect(adjusted).toEqual([]);
  });

  it('OTEL_METRIC_EXPORT_TIMEOUT=20000 with exportIntervalMs: 5000 through initialize(): a warning, no throw', () => {
    process.env.OTEL_METRIC_EXPORT_TIMEOUT = '20000';
    const logger = start({ exportIntervalMs: 5000 });
    expect(warnLines(logger)).toEqual([
      'otel-facade: exportTimeoutMs 20000 (from OTEL_METRIC_EXPORT_TIMEOUT) was lowered to 5000 to fit exportIntervalMs = 5000 (set in the config).',
    ]);
    expect(infoLines(logger)).toEqual([]);
  });

  it('OTEL_METRIC_EXPORT_TIMEOUT alone above the profile\'s interval raises the inherited interval (adjusted)', () => {
    const { config, notes, adjusted } = resolve({}, { OTEL_METRIC_EXPORT_TIMEOUT: '20000' });
    expect(config).toMatchObject({ exportIntervalMs: 20000, exportTimeoutMs: 20000 });
    expect(adjusted).toEqual(['exportIntervalMs 5000 (the development profile) was raised to 20000 so that exportTimeoutMs = 20000 (from OTEL_METRIC_EXPORT_TIMEOUT) fits.']);
    expect(notes).toEqual([]);
  });

  it('two contradicting variables never throw: the timeout yields, with a note', () => {
    const env = { OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_METRIC_EXPORT_TIMEOUT: '5000' };
    let resolution: ConfigResolution | undefined;
    expect(() => {
      resolution = resolve({}, env);
    }).not.toThrow();
    expect(resolution?.config).toMatchObject({ exportIntervalMs: 1000, exportTimeoutMs: 1000 });
    expect(resolution?.notes).toEqual(['exportTimeoutMs 5000 (from OTEL_METRIC_EXPORT_TIMEOUT) was lowered to 1000 to fit exportIntervalMs = 1000 (from OTEL_METRIC_EXPORT_INTERVAL).']);
    expect(resolution?.adjusted).toEqual([]);
    // in every profile
    for (const profile of PROFILE_NAMES) expect(resolve({ profile }, env).config).toMatchObject({ exportIntervalMs: 1000, exportTimeoutMs: 1000 });
  });

  it('two contradicting variables through initialize(): starts, one warning', () => {
    process.env.OTEL_METRIC_EXPORT_INTERVAL = '1000';
    process.env.OTEL_METRIC_EXPORT_TIMEOUT = '5000';
    const logger = start(useProfile('production'));
    expect(warnLines(logger)).toEqual([
      'otel-facade: exportTimeoutMs 5000 (from OTEL_METRIC_EXPORT_TIMEOUT) was lowered to 1000 to fit exportIntervalMs = 1000 (from OTEL_METRIC_EXPORT_INTERVAL).',
    ]);
  });

  it('two contradicting OTEL_BSP_* variables never throw either: the batch size yields', () => {
    const { config, notes } = resolve({}, { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '200' });
    expect(config.spanBatch).toMatchObject({ maxQueueSize: 100, maxExportBatchSize: 100 });
    expect(notes).toEqual(['spanBatch.maxExportBatchSize 200 (from OTEL_BSP_MAX_EXPORT_BATCH_SIZE) was lowered to 100 to fit spanBatch.maxQueueSize = 100 (from OTEL_BSP_MAX_QUEUE_SIZE).']);
  });
});

describe('the sampler from the environment', () => {
  const SAMPLER_LIST = 'always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio';

  it('OTEL_TRACES_SAMPLER=always-on is warned about with the accepted list, and ignored', () => {
    const { config, notes } = resolve({}, { OTEL_TRACES_SAMPLER: 'always-on' });
    expect(config.sampler).toEqual({ type: 'parentbased_traceidratio', ratio: 1 });
    expect(notes).toEqual([`OTEL_TRACES_SAMPLER="always-on": 'always-on' is not a value it takes (accepted: ${SAMPLER_LIST}); it was ignored.`]);
  });

  it('OTEL_TRACES_SAMPLER=always-on through initialize(): one warning, the profile\'s sampler', () => {
    process.env.OTEL_TRACES_SAMPLER = 'always-on';
    const logger = start(useProfile('production'));
    expect(warnLines(logger)).toEqual([`otel-facade: OTEL_TRACES_SAMPLER="always-on": 'always-on' is not a value it takes (accepted: ${SAMPLER_LIST}); it was ignored.`]);
    expect(logger.matching(/sampling 0\.1% of traces \(parent-based\)/)).toHaveLength(1);
  });

  it('OTEL_TRACES_SAMPLER=always_on with OTEL_TRACES_SAMPLER_ARG=5 works, and the argument is not mentioned', () => {
    const { config, notes } = resolve(useProfile('production'), { OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: '5' });
    expect(config.sampler.type).toBe('always_on');
    expect(notes).toEqual([]);
  });

  it('always_on with an argument through initialize(): no warning, every trace', () => {
    process.env.OTEL_TRACES_SAMPLER = 'always_on';
    process.env.OTEL_TRACES_SAMPLER_ARG = '5';
    const logger = start(useProfile('production'));
    expect(warnLines(logger)).toEqual([]);
    expect(logger.matching(/sampling every trace/)).toHaveLength(1);
  });

  it('OTEL_TRACES_SAMPLER=traceidratio with OTEL_TRACES_SAMPLER_ARG=5 gives a note and ratio 1', () => {
    const { config, notes } = resolve({}, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '5' });
    expect(config.sampler).toEqual({ type: 'traceidratio', ratio: 1 });
    expect(notes).toEqual(['OTEL_TRACES_SAMPLER_ARG="5" is not a ratio from 0 to 1; traceidratio samples everything (1.0).']);
  });

  it('traceidratio with ARG=5 through initialize(): one warning, every trace sampled', () => {
    process.env.OTEL_TRACES_SAMPLER = 'traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG = '5';
    const logger = start(useProfile('production'));
    expect(warnLines(logger)).toEqual(['otel-facade: OTEL_TRACES_SAMPLER_ARG="5" is not a ratio from 0 to 1; traceidratio samples everything (1.0).']);
    expect(logger.matching(/sampling 100% of traces[;.]/)).toHaveLength(1);
  });

  it('OTEL_TRACES_SAMPLER=traceidratio with OTEL_TRACES_SAMPLER_ARG=0.25 samples a quarter', () => {
    const { config, notes } = resolve(useProfile('production'), { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' });
    expect(config.sampler).toEqual({ type: 'traceidratio', ratio: 0.25 });
    expect(notes).toEqual([]);
    const parentBased = resolve({}, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' });
    expect(parentBased.config.sampler).toEqual({ type: 'parentbased_traceidratio', ratio: 0.25 });
  });

  it('traceidratio 0.25 through initialize()', () => {
    process.env.OTEL_TRACES_SAMPLER = 'traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG = '0.25';
    const logger = start({});
    expect(warnLines(logger)).toEqual([]);
    expect(logger.matching(/sampling 25% of traces\./)).toHaveLength(1);
  });

  it('an explicit samplingRate beats OTEL_TRACES_SAMPLER', () => {
    const { config } = resolve(useProfile('production', { samplingRate: 0.5 }), { OTEL_TRACES_SAMPLER: 'always_off' });
    expect(config.sampler).toEqual({ type: 'parentbased_traceidratio', ratio: 0.5 });
    expect(config.samplingRate).toBe(0.5);
    // without it, the variable beats the profile's rate
    expect(resolve(useProfile('production'), { OTEL_TRACES_SAMPLER: 'always_off' }).config.sampler.type).toBe('always_off');
  });

  it('an explicit samplingRate beats OTEL_TRACES_SAMPLER through initialize()', () => {
    process.env.OTEL_TRACES_SAMPLER = 'always_off';
    const logger = start(useProfile('production', { samplingRate: 0.5 }));
    expect(logger.matching(/sampling 50% of traces \(parent-based\)/)).toHaveLength(1);
  });
});

describe('contradictory explicit values still throw', () => {
  it('exportTimeoutMs above exportIntervalMs', () => {
    const error = configError(() => resolve({ exportIntervalMs: 1000, exportTimeoutMs: 5000 }));
    expect(error.field).toBe('exportTimeoutMs');
    expect(error.value).toBe(5000);
    expect(error.message).toBe('otel-facade: invalid configuration: exportTimeoutMs = 5000; allowed: at most exportIntervalMs = 1000 (both were given; make them agree)');
  });

  it('spanBatch.maxExportBatchSize above spanBatch.maxQueueSize', () => {
    const error = configError(() => resolve({ spanBatch: { maxQueueSize: 100, maxExportBatchSize: 200 } }));
    expect(error.field).toBe('spanBatch.maxExportBatchSize');
    expect(error.value).toBe(200);
    expect(error.message).toBe('otel-facade: invalid configuration: spanBatch.maxExportBatchSize = 200; allowed: at most spanBatch.maxQueueSize = 100 (both were given; make them agree)');
  });

  it('a per-label limit above cardinalityLimit', () => {
    const error = configError(() => resolve({ cardinalityLimit: 10, cardinalityLimits: { x: 20 } }));
    expect(error.field).toBe('cardinalityLimits.x');
    expect(error.value).toBe(20);
    expect(error.message).toBe('otel-facade: invalid configuration: cardinalityLimits.x = 20; allowed: at most cardinalityLimit = 10 (both were given; make them agree)');
  });

  it('in every profile, and through initialize() without starting anything', () => {
    for (const profile of PROFILE_NAMES) {
      expect(configError(() => resolve(useProfile(profile, { exportIntervalMs: 1000, exportTimeoutMs: 5000 }))).field).toBe('exportTimeoutMs');
    }
    expect(() => telemetry.initialize({ serviceName: 'traps', exportIntervalMs: 1000, exportTimeoutMs: 5000, logger: quiet }))
      .toThrow(/exportTimeoutMs = 5000; allowed: at most exportIntervalMs = 1000/);
    expect(telemetry.getHealth().initialized).toBe(false);
  });
});

describe('misspelt fields', () => {
  const cases: [string, TelemetryConfig, string, string][] = [
    ['top-level', { exportInterval: 1000 } as TelemetryConfig, 'exportInterval', 'unknown field exportInterval; did you mean exportIntervalMs?'],
    ['spanBatch', { spanBatch: { maxQueSize: 10 } } as TelemetryConfig, 'spanBatch.maxQueSize', 'unknown field spanBatch.maxQueSize; did you mean spanBatch.maxQueueSize?'],
    ['metrics', { metrics: { endpont: 'http://x:4318' } } as TelemetryConfig, 'metrics.endpont', 'unknown field metrics.endpont; did you mean metrics.endpoint?'],
    ['circuitBreaker', { circuitBreaker: { maxFailure: 3 } } as TelemetryConfig, 'circuitBreaker.maxFailure', 'unknown field circuitBreaker.maxFailure; did you mean circuitBreaker.maxFailures?'],
  ];

  it.each(cases)('%s: names the field and suggests the closest one', (_where, config, field, message) => {
    const error = configError(() => resolve(config));
    expect(error.field).toBe(field);
    expect(error.message).toContain(message);
    expect(error.message).toBe(`otel-facade: invalid configuration: ${message}`);
    expect(() => telemetry.initialize({ serviceName: 'traps', logger: quiet, ...config })).toThrow(new RegExp(escape(message)));
    expect(telemetry.getHealth().initialized).toBe(false);
  });

  it('a group given a non-object throws naming the group and what it holds', () => {
    const error = configError(() => resolve({ spanBatch: 5 } as unknown as TelemetryConfig));
    expect(error.field).toBe('spanBatch');
    expect(error.value).toBe(5);
    expect(error.message).toBe('otel-facade: invalid configuration: spanBatch = 5; allowed: an object with maxQueueSize, maxExportBatchSize, scheduledDelayMs, exportTimeoutMs');
    for (const [group, value] of [['metrics', 'otlp'], ['circuitBreaker', true], ['rateLimit', [1]], ['spanLimits', null]] as const) {
      expect(configError(() => resolve({ [group]: value } as unknown as TelemetryConfig)).field).toBe(group);
    }
    expect(configError(() => resolve({ metrics: { circuitBreaker: 3 } } as unknown as TelemetryConfig)).field).toBe('metrics.circuitBreaker');
  });
});

describe('inherited values always adapt (property)', () => {
  const profile = fc.constantFrom<ProfileName>(...PROFILE_NAMES);
  const checked = <T>(run: () => T): T => {
    let result: T | undefined;
    expect(() => {
      result = run();
    }).not.toThrow();
    return result as T;
  };

  it('any explicit exportIntervalMs in any profile: never throws, and the timeout fits the interval', () => {
    fc.assert(fc.property(profile, fc.integer({ min: 100, max: 3_600_000 }), (name, exportIntervalMs) => {
      const { config, adjusted, notes } = checked(() => resolve(useProfile(name, { exportIntervalMs })));
      expect(config.exportIntervalMs).toBe(exportIntervalMs);
      expect(config.exportTimeoutMs).toBeLessThanOrEqual(exportIntervalMs);
      expect(config.metrics.timeoutMs).toBe(config.exportTimeoutMs);
      expect(adjusted.length).toBe(config.exportTimeoutMs < resolve({ profile: name }).config.exportTimeoutMs ? 1 : 0);
      expect(notes).toEqual([]);
    }), { numRuns: 300 });
  });

  it('any explicit exportIntervalMs with any valid OTEL_METRIC_EXPORT_* variables: never throws, the config wins', () => {
    const variable = fc.option(fc.integer({ min: 100, max: 3_600_000 }).map(String), { nil: undefined });
    fc.assert(fc.property(profile, fc.integer({ min: 100, max: 3_600_000 }), variable, variable, (name, exportIntervalMs, interval, timeout) => {
      const env: NodeJS.ProcessEnv = {};
      if (interval !== undefined) env.OTEL_METRIC_EXPORT_INTERVAL = interval;
      if (timeout !== undefined) env.OTEL_METRIC_EXPORT_TIMEOUT = timeout;
      const { config } = checked(() => resolve(useProfile(name, { exportIntervalMs }), env));
      expect(config.exportIntervalMs).toBe(exportIntervalMs);
      expect(config.exportTimeoutMs).toBeLessThanOrEqual(exportIntervalMs);
    }), { numRuns: 300 });
  });

  it('any cardinalityLimit in any profile: never throws, every per-label limit fits', () => {
    fc.assert(fc.property(profile, fc.integer({ min: 1, max: 1_000_000 }), (name, cardinalityLimit) => {
      const { config } = checked(() => resolve(useProfile(name, { cardinalityLimit })));
      expect(config.cardinalityLimit).toBe(cardinalityLimit);
      for (const limit of Object.values(config.cardinalityLimits)) expect(limit).toBeLessThanOrEqual(cardinalityLimit);
      expect(Object.keys(config.cardinalityLimits)).toEqual(Object.keys(resolve({ profile: name }).config.cardinalityLimits));
    }), { numRuns: 300 });
  });

  it('any spanBatch.maxQueueSize in any profile: never throws, the batch fits the queue', () => {
    fc.assert(fc.property(profile, fc.integer({ min: 1, max: 1_000_000 }), (name, maxQueueSize) => {
      const { config } = checked(() => resolve(useProfile(name, { spanBatch: { maxQueueSize } })));
      expect(config.spanBatch.maxQueueSize).toBe(maxQueueSize);
      expect(config.spanBatch.maxExportBatchSize).toBeLessThanOrEqual(maxQueueSize);
      expect(config.spanBatch.maxExportBatchSize).toBe(Math.min(512, maxQueueSize));
    }), { numRuns: 300 });
  });
});
