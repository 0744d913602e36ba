import { metrics } from '@opentelemetry/api';
import * as telemetry from '../../src/index';
import { GLOBAL_SLOT_KEY, globalSlot } from '../../src/global/GlobalSlot';
import { startTestBed } from '../support/telemetry';
import { CapturingLogger } from '../support/CapturingLogger';
import { runDueUntil, settled, useFakeClock } from '../support/time';

afterEach(() => telemetry.shutdown({ timeoutMs: 1000 }));

describe('before initialize()', () => {
  it('drops calls cheaply, counts them and says once what to do', () => {
    const logger = new CapturingLogger();
    globalSlot().runtime.carried.diagnostics.useLogger(logger);
    const before = telemetry.getHealth().droppedByReason.not_initialized ?? 0;
    telemetry.counter('early.total', 'a', 'b');
    telemetry.histogram('early.duration_ms', 5);
    telemetry.gauge('early.gauge', 1);
    const health = telemetry.getHealth();
    expect(health.initialized).toBe(false);
    expect(health.enabled).toBe(false);
    expect(health.droppedByReason.not_initialized).toBe(before + 3);
    expect(logger.matching('Call initialize() at startup')).toHaveLength(before === 0 ? 1 : 0);
  });

  it('forceFlush() and shutdown() resolve without doing anything', async () => {
    await expect(telemetry.forceFlush()).resolves.toBeUndefined();
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
  });
});

describe('the global slot', () => {
  it('lives on globalThis under a Symbol.for key carrying the major version', () => {
    expect(GLOBAL_SLOT_KEY).toBe(Symbol.for('otel-facade.api.v0'));
    expect((globalThis as Record<symbol, unknown>)[GLOBAL_SLOT_KEY]).toBe(globalSlot());
  });

  it('is shared by two copies of the package in one process', async () => {
    let copy: typeof telemetry | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      copy = require('../../src/index') as typeof telemetry;
    });
    expect(copy).toBeDefined();
    expect(copy!.counter).not.toBe(telemetry.counter);
    const bed = await startTestBed();
    copy!.counter('shared.total');
    copy!.counter('shared.total');
    telemetry.counter('shared.total');
    expect(telemetry.getHealth().metricsEmitted).toBe(3);
    await copy!.forceFlush();
    expect(bed.receiver.latest('shared.total')[0].value).toBe(3);
    await copy!.shutdown();
    expect(telemetry.getHealth().initialized).toBe(false);
    await bed.stop();
  });
});

describe('initialize()', () => {
  it('runs once: a second call changes nothing and says so', async () => {
    const bed = await startTestBed({ serviceName: 'first' });
    telemetry.initialize({ serviceName: 'second', logger: bed.logger });
    telemetry.initialize({ serviceName: 'third', logger: bed.logger });
    expect(telemetry.getHealth().serviceName).toBe('first');
    expect(bed.logger.matching('initialize() changed nothing')).toHaveLength(1);
    await bed.stop();
  });

  it('may run again after shutdown() completes, and calls in between are reported', async () => {
    const first = await startTestBed({ serviceName: 'one' });
    telemetry.counter('cycle.total');
    await first.stop();
    const dropped = telemetry.getHealth().droppedByReason.not_initialized ?? 0;
    telemetry.counter('cycle.total');
    expect(telemetry.getHealth().droppedByReason.not_initialized).toBe(dropped + 1);
    const second = await startTestBed({ serviceName: 'two' });
    expect(telemetry.getHealth()).toMatchObject({ initialized: true, serviceName: 'two', metricsEmitted: 0 });
    telemetry.counter('cycle.total');
    await telemetry.forceFlush();
    expect(second.receiver.latest('cycle.total')[0].value).toBe(1);
    await second.stop();
  });

  it('throws a TelemetryConfigError for impossible configuration and stays uninitialized', () => {
    expect(() => telemetry.initialize({ samplingRate: 2 })).toThrow(telemetry.TelemetryConfigError);
    expect(() => telemetry.initialize('nope' as never)).toThrow(/one of development, staging, production/);
    expect(telemetry.getHealth().initialized).toBe(false);
  });

  it('with enabled: false makes every call a no-op and reports it', async () => {
    const logger = new CapturingLogger();
    telemetry.initialize({ serviceName: 'off', enabled: false, logger });
    telemetry.counter('off.total');
    const health = telemetry.getHealth();
    expect(health).toMatchObject({ initialized: true, enabled: false, serviceName: 'off', metricsEmitted: 0 });
    expect(logger.matching('telemetry is disabled')).toHaveLength(1);
    await telemetry.shutdown();
    expect(telemetry.getHealth().initialized).toBe(false);
  });

  it('honours OTEL_SDK_DISABLED=true', async () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    try {
      telemetry.initialize({ serviceName: 'env-off', logger: new CapturingLogger() });
      expect(telemetry.getHealth().enabled).toBe(false);
    } finally {
      delete process.env.OTEL_SDK_DISABLED;
    }
  });

  it('registers its providers as the OpenTelemetry globals, so the app\'s own instruments are exported too', async () => {
    const bed = await startTestBed();
    metrics.getMeter('app').createCounter('app.own.total').add(7);
    await telemetry.forceFlush();
    expect(bed.receiver.latest('app.own.total')[0].value).toBe(7);
    await bed.stop();
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
  });

  it('leaves the globals alone with registerGlobal: false', async () => {
    const bed = await startTestBed({ registerGlobal: false });
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
    await bed.stop();
  });
});

describe('shutdown()', () => {
  it('flushes what was recorded', async () => {
    const bed = await startTestBed();
    telemetry.counter('final.total');
    await telemetry.shutdown();
    expect(bed.receiver.latest('final.total')[0].value).toBe(1);
    await bed.receiver.stop();
  });

  it('is idempotent: concurrent calls share one shutdown', async () => {
    const bed = await startTestBed();
    const a = telemetry.shutdown();
    const b = telemetry.shutdown();
    telemetry.initialize({ serviceName: 'too-early', logger: bed.logger });
    expect(bed.logger.matching('shutdown() is still running')).toHaveLength(1);
    await Promise.all([a, b]);
    await telemetry.shutdown();
    expect(telemetry.getHealth().initialized).toBe(false);
    await bed.receiver.stop();
  });

  it('returns at its deadline when the collector accepts and never answers, and says so', async () => {
    useFakeClock();
    try {
      const bed = await startTestBed({ exportTimeoutMs: 1000 });
      bed.receiver.mode = { kind: 'hang' };
      telemetry.counter('stuck.total');
      const done = settled(telemetry.shutdown({ timeoutMs: 300 })); // the export alone would wait 1000 ms
      await bed.receiver.nextRequest(); // the last export reached the collector, which never answers
      // The last attempt's own deadline comes just before shutdown's (270 of 300 ms), so its cause is recorded.
      await jest.advanceTimersByTimeAsync(269);
      expect(done()).toBe(false);
      await jest.advanceTimersByTimeAsync(31);
      await runDueUntil(done, 'shutdown() to resolve');
      expect(bed.logger.matching(/the last metrics export at shutdown, to .*, failed: no complete answer within 270 ms \(timeout\); .*shutdown\(\)'s timeoutMs/)).toHaveLength(1);
      expect(telemetry.getHealth().signals.metrics.lastError).toMatch(/no complete answer within 270 ms \(timeout\)/);
      await bed.receiver.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('the @opentelemetry/api peer', () => {
  const KEY = Symbol.for('opentelemetry.js.api.1');
  const holder = globalThis as Record<symbol, unknown>;

  it('reports our API version and no mismatch in a normal install', async () => {
    const bed = await startTestBed();
    const { otelApi } = telemetry.getHealth();
    expect(otelApi.version).toMatch(/^1\.9\./);
    expect(otelApi).toMatchObject({ globalVersion: otelApi.version, mismatch: false });
    await bed.stop();
  });

  it('reports a duplicate API copy that owns the globals, in getHealth() and once in the log', async () => {
    const saved = holder[KEY];
    holder[KEY] = { version: '1.7.0' }; // what another copy of @opentelemetry/api leaves behind
    try {
      const bed = await startTestBed();
      expect(telemetry.getHealth().otelApi).toMatchObject({ globalVersion: '1.7.0', mismatch: true });
      expect(bed.logger.matching('two copies of the API are installed')).toHaveLength(1);
      await bed.stop();
    } finally {
      if (saved === undefined) delete holder[KEY];
      else holder[KEY] = saved;
    }
  });
});
