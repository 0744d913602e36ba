import * as telemetry from '../../src/index';
import { initializeWith } from '../../src/api/lifecycle';
import { globalSlot } from '../../src/global/GlobalSlot';
import type { MetricStore } from '../../src/metrics/MetricStore';
import { FLAG_REDACTED, leafFlags, MISS, type SeriesLocator } from '../../src/metrics/SeriesLocator';
import { CapturingLogger } from '../support/CapturingLogger';
import { startTestBed, type TestBed } from '../support/telemetry';

const NO_RATE_LIMIT = { enabled: false, callsPerSecond: 1, burst: 1 };

describe('label keys that are object members', () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'])(
    "'%s' is an ordinary label in every profile, limited or not, and survives export", async (key) => {
      bed = await startTestBed({ profile: 'production', rateLimit: NO_RATE_LIMIT, cardinalityLimits: { user_id: 2 } });
      telemetry.counter('members.total', key, 'x');
      telemetry.counter('members.total', { [key]: 'y' });
      telemetry.counter('members.total', key, 'x');
      await telemetry.forceFlush();
      const health = telemetry.getHealth();
      expect(health).toMatchObject({ metricsEmitted: 3, errors: 0, droppedByReason: {} });
      expect(bed.logger.matching('internal error')).toEqual([]);
      const points = bed.receiver.latest('members.total');
      expect(points.map((p) => [Object.keys(p.attributes), p.attributes[key], p.value]).sort()).toEqual([
        [[key], 'x', 2],
        [[key], 'y', 1],
      ]);
    });

  it('a per-label limit named like an object member limits only that label', async () => {
    bed = await startTestBed({ cardinalityLimits: { constructor: 1 } });
    telemetry.counter('limited.total', 'constructor', 'a');
    telemetry.counter('limited.total', 'constructor', 'b');
    telemetry.counter('limited.total', 'toString', 'c');
    await telemetry.forceFlush();
    expect(bed.receiver.latest('limited.total').map((p) => JSON.stringify(p.attributes)).sort())
      .toEqual(['{"constructor":"a"}', '{"constructor":"other"}', '{"toString":"c"}']);
    expect(telemetry.getHealth().foldedByReason).toEqual({ label_limit: 1 });
  });
});

describe('hostile objects are user errors, counted by reason, never internal errors', () => {
  let bed: TestBed;
  beforeEach(async () => {
    bed = await startTestBed();
  });
  afterEach(() => bed.stop());

  const throwing = () => { throw new Error('boom'); };

  it('labels with a throwing getter, a throwing proxy, a proxy posing as an array: dropped as invalid_label', () => {
    const getter = Object.defineProperty({}, 'route', { enumerable: true, get: throwing });
    const proxy = new Proxy({}, { ownKeys: throwing, get: throwing, getOwnPropertyDescriptor: throwing });
    const arrayProxy = new Proxy(['k', 'v'], { get: throwing });
    expect(() => {
      telemetry.counter('hostile.total', getter as never);
      telemetry.counter('hostile.total', proxy as never);
      telemetry.emitWithOptions('hostile.total', 1, { labels: proxy as never });
      telemetry.recordError('hostile.errors', 'E', proxy as never);
      telemetry.recordBytes('hostile.bytes', 3, getter as never);
      telemetry.emitWithOptions('hostile.total', 1, { type: 'counter', labels: arrayProxy as never });
    }).not.toThrow();
    const health = telemetry.getHealth();
    expect(health.droppedByReason).toEqual({ invalid_label: 6 });
    expect(health.errors).toBe(0);
    expect(bed.logger.matching('internal error')).toEqual([]);
    expect(bed.logger.matching('could not be read').length).toBeGreaterThan(0);
  });

  it('a name whose toString throws, a symbol, a proxy: dropped as invalid_name', () => {
    const evil = { toString: throwing, [Symbol.toPrimitive]: throwing };
    expect(() => {
      telemetry.counter(evil as never);
      telemetry.histogram(Symbol('x') as never, 1);
      telemetry.gauge(new Proxy({}, { get: throwing }) as never, 1);
      telemetry.recordLatency(evil as never, 5, 'k', 'v');
      telemetry.traceOperation(evil as never, () => 1);
    }).not.toThrow();
    expect(telemetry.getHealth().droppedByReason).toEqual({ invalid_name: 5 });
    expect(bed.logger.matching('internal error')).toEqual([]);
  });

  it('values that are hostile objects: dropped as invalid_value, their valueOf never run', () => {
    const value = { valueOf: throwing, [Symbol.toPrimitive]: throwing };
    expect(() => {
      telemetry.counter('values.total');
      telemetry.histogram('values.duration_ms', value as never);
      telemetry.recordLatency('values.latency', value as never, 'k', 'v');
      telemetry.upDownCounter('values.queued', value as never);
      telemetry.emitWithOptions('values.total', value as never);
    }).not.toThrow();
    expect(telemetry.getHealth().droppedByReason).toEqual({ invalid_value: 4 });
  });

  it('options whose getters throw: the call is dropped, counted once', () => {
    const options = Object.defineProperty({}, 'labels', { get: throwing });
    expect(() => telemetry.emitWithOptions('opts.total', 1, options as never)).not.toThrow();
    expect(telemetry.getHealth().droppedByReason).toEqual({ invalid_value: 1 });
  });

  it('recordLatency() with an invalid name counts one drop, not two', () => {
    telemetry.recordLatency('9 bad name', 5);
    telemetry.recordLatency('9 bad name', 5, 'k', 'v', 'k2', 'v2', 'k3', 'v3', 'k4', 'v4');
    expect(telemetry.getHealth().droppedByReason).toEqual({ invalid_name: 2 });
  });

  it('a call dropped for its value takes no rate-limiter token from the valid ones', async () => {
    await bed.stop();
    bed = await startTestBed({ rateLimit: { enabled: true, callsPerSecond: 1, burst: 2 } });
    telemetry.histogram('limited.duration_ms', Number.NaN);
    telemetry.histogram('limited.duration_ms', -1);
    telemetry.histogram('limited.duration_ms', 1);
    telemetry.histogram('limited.duration_ms', 2);
    expect(telemetry.getHealth()).toMatchObject({ metricsEmitted: 2, droppedByReason: { invalid_value: 2 } });
  });

  it('past maxMetricNames, one warning for the first name turned away, not one per name', async () => {
    await bed.stop();
    bed = await startTestBed({ maxMetricNames: 2 });
    for (let i = 0; i < 50; i++) telemetry.counter(`generated.${i}.total`);
    expect(telemetry.getHealth().droppedByReason).toEqual({ metric_limit: 48 });
    expect(bed.logger.matching('maxMetricNames')).toEqual([expect.stringContaining("metric 'generated.2.total' was dropped")]);
  });

  it('negative histogram values are dropped as invalid_value, as the SDK does', () => {
    telemetry.histogram('latency.duration_ms', -1);
    telemetry.recordLatency('latency.other', -5);
    telemetry.duration('latency.third', performance.now() + 1000);
    expect(telemetry.getHealth().droppedByReason).toEqual({ invalid_value: 3 });
    expect(bed.logger.matching('histograms take finite numbers >= 0').length).toBeGreaterThan(0);
  });

  it('setBaggage and withBaggage skip entries that are not strings, numbers or booleans, and never throw', () => {
    const proxy = new Proxy({}, { ownKeys: throwing });
    expect(() => telemetry.withBaggage(proxy as never, () => undefined)).not.toThrow();
    const ctx = telemetry.setBaggage(telemetry.setBaggage(
      (jest.requireActual('@opentelemetry/api') as typeof import('@opentelemetry/api')).context.active(),
      'ok', 'yes', 'n', 5 as never, 'bad', {} as never, Symbol('k') as never, 'v',
    ));
    const entries = (jest.requireActual('@opentelemetry/api') as typeof import('@opentelemetry/api')).propagation.getBaggage(ctx)?.getAllEntries();
    expect(entries?.map(([k, e]) => [k, e.value])).toEqual([['ok', 'yes'], ['n', '5']]);
  });
});

describe('accounting: every recording call lands in exactly one count', () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it('calls skipped by sampleRate are counted as sampled out', async () => {
    bed = await startTestBed();
    for (let i = 0; i < 10_000; i++) telemetry.emitWithOptions('sampled.total', 1, { type: 'counter', sampleRate: 0.25 });
    const health = telemetry.getHealth();
    expect(health.metricsEmitted + health.sampledOut + health.metricsDropped).toBe(10_000);
    expect(health.sampledOut).toBeGreaterThan(7000);
    expect(health.metricsDropped).toBe(0);
  });

  it('values folded into other or the overflow series are emitted and counted apart; strict health stays 200', async () => {
    bed = await startTestBed({ profile: 'production', rateLimit: NO_RATE_LIMIT, cardinalityLimit: 200 });
    for (let i = 0; i < 10_000; i++) telemetry.counter('users.total', 'user_id', `u${i}`);
    for (let i = 0; i < 300; i++) telemetry.counter('pages.total', 'page', `p${i}`);
    const health = telemetry.getHealth();
    expect(health).toMatchObject({ metricsEmitted: 10_300, metricsDropped: 0, foldedByReason: { label_limit: 9_900, series_limit: 100 } });
    expect(telemetry.healthStatus(health, { strict: true }).code).toBe(200);
    await telemetry.forceFlush();
    expect(bed.receiver.latest('users.total').reduce((sum, p) => sum + (p.value ?? 0), 0)).toBe(10_000);
  });
});

describe('the path cache', () => {
  it('caches redacted paths only while half full: 20,000 redacted e-mails never make it start over and lose a hot path', async () => {
    const bed = await startTestBed({ piiRedaction: true });
    try {
      const store = globalSlot().recorder as MetricStore;
      telemetry.counter('logins.total', 'method', 'password', 'region', 'eu');
      const locator = store.metric('logins.total')?.locator as SeriesLocator;
      let largest = 0;
      for (let i = 0; i < 20_000; i++) {
        telemetry.counter('logins.total', 'method', `user${i}@example.com`, 'region', 'eu');
        largest = Math.max(largest, locator.size);
      }
      expect(locator.hasRoomToSpare()).toBe(false); // the redacted paths filled half of it, and no more
      expect(locator.findList(['method', 'password', 'region', 'eu'], 0)).not.toBe(MISS);
      expect(locator.size).toBe(largest); // never started over
      await telemetry.forceFlush();
      expect(bed.receiver.latest('logins.total').map((p) => [p.attributes.method, p.value]).sort())
        .toEqual([['[REDACTED]', 20_000], ['password', 1]]);
    } finally {
      await bed.stop();
    }
  });

  it('serves a repeated redacted value from the cache and still counts every redaction', async () => {
    const bed = await startTestBed({ piiRedaction: true });
    try {
      const store = globalSlot().recorder as MetricStore;
      for (let i = 0; i < 3; i++) telemetry.counter('logins.total', 'user', 'jane.doe@example.com');
      const locator = store.metric('logins.total')?.locator as SeriesLocator;
      const leaf = locator.findList(['user', 'jane.doe@example.com'], 0);
      expect(leaf).not.toBe(MISS);
      expect(leafFlags(leaf) & FLAG_REDACTED).toBe(FLAG_REDACTED);
      expect(telemetry.getHealth().sanitizedByReason).toMatchObject({ pii_redacted: 3 });
      await telemetry.forceFlush();
      expect(bed.receiver.latest('logins.total').map((p) => [p.attributes.user, p.value])).toEqual([['[REDACTED]', 3]]);
    } finally {
      await bed.stop();
    }
  });
});

describe('shutdown() with odd arguments', () => {
  it.each([null, { timeoutMs: Number.NaN }, { timeoutMs: -1 }, { timeoutMs: Infinity }, { timeoutMs: 'soon' }, 42])(
    'shutdown(%p) uses the default deadline, never leaves the library half shut, and initialize() works afterwards', async (argument) => {
      const bed = await startTestBed();
      telemetry.counter('odd.total');
      await expect(telemetry.shutdown(argument as never)).resolves.toBeUndefined();
      expect(bed.receiver.latest('odd.total')[0].value).toBe(1); // the final export was made, not given up in 1 ms
      expect(telemetry.getHealth().initialized).toBe(false);
      initializeWith({ serviceName: 'again', endpoint: bed.receiver.url, logger: new CapturingLogger() }, {});
      telemetry.counter('odd.total');
      expect(telemetry.getHealth()).toMatchObject({ initialized: true, metricsEmitted: 1 });
      await bed.stop();
    });
});
