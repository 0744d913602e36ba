import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';

const total = (points: { value?: number }[]) => points.reduce((sum, p) => sum + (p.value ?? 0), 0);

describe('cardinality protection', () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it("folds values past a label's limit into 'other', keeping the other labels and the totals", async () => {
    bed = await startTestBed({ cardinalityLimits: { user_id: 3 } });
    for (let i = 0; i < 10; i++) telemetry.counter('logins.total', 'user_id', `u${i}`, 'method', 'GET');
    telemetry.counter('logins.total', 'user_id', 'u0', 'method', 'GET');
    await telemetry.forceFlush();
    const points = bed.receiver.latest('logins.total');
    expect(points.map((p) => [p.attributes.user_id, p.attributes.method, p.value]).sort()).toEqual([
      ['other', 'GET', 7],
      ['u0', 'GET', 2],
      ['u1', 'GET', 1],
      ['u2', 'GET', 1],
    ]);
    expect(telemetry.getHealth().foldedByReason.label_limit).toBe(7);
    expect(telemetry.getHealth().droppedByReason).toEqual({});
    expect(telemetry.getHealth().metricsEmitted).toBe(11);
    expect(bed.logger.matching("label 'user_id' exceeded its limit of 3 distinct values")).toHaveLength(1);
  });

  it('folds series past cardinalityLimit into one series with otel.metric.overflow=true, so totals stay right', async () => {
    bed = await startTestBed({ cardinalityLimit: 5 });
    for (let i = 0; i < 20; i++) telemetry.histogram('render.duration_ms', i, 'page', `p${i}`);
    for (let i = 0; i < 20; i++) telemetry.counter('views.total', 'page', `p${i}`);
    await telemetry.forceFlush();
    const views = bed.receiver.latest('views.total');
    expect(views).toHaveLength(6);
    expect(views.find((p) => p.attributes['otel.metric.overflow'] === true)?.value).toBe(15);
    expect(total(views)).toBe(20);
    const renders = bed.receiver.latest('render.duration_ms');
    expect(renders.reduce((sum, p) => sum + (p.count ?? 0), 0)).toBe(20);
    expect(renders.find((p) => p.attributes['otel.metric.overflow'] === true)).toMatchObject({ count: 15, min: 5, max: 19 });
    expect(telemetry.getHealth()).toMatchObject({ cardinalityUsed: 6, cardinalityMax: 6 });
  });

  it('keeps recording into existing series once the limit is reached', async () => {
    bed = await startTestBed({ cardinalityLimit: 2 });
    telemetry.counter('a.total', 'k', '1');
    telemetry.counter('a.total', 'k', '2');
    telemetry.counter('a.total', 'k', '3');
    telemetry.counter('a.total', 'k', '1');
    await telemetry.forceFlush();
    expect(bed.receiver.latest('a.total').map((p) => [p.attributes.k ?? 'overflow', p.value]).sort()).toEqual([
      ['1', 2], ['2', 1], ['overflow', 1],
    ]);
  });

  it('evicts series with a limited label idle past labelValueTtlMs, once their totals were exported', async () => {
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      bed = await startTestBed({ cardinalityLimits: { user_id: 2 }, labelValueTtlMs: 60_000, exportIntervalMs: 3_600_000 });
      telemetry.counter('visits.total', 'user_id', 'old1');
      telemetry.counter('visits.total', 'user_id', 'old2');
      await telemetry.forceFlush();
      telemetry.counter('visits.total', 'user_id', 'new1'); // folded: pressure
      jest.advanceTimersByTime(61_000); // runs timers too: lru-cache caches its clock for 1 ms behind a timer
      telemetry.counter('visits.total', 'user_id', 'old2'); // old2 stays active
      await telemetry.forceFlush(); // old1 idle 61 s, exported, under pressure: evicted
      telemetry.counter('visits.total', 'user_id', 'new2'); // old1's place is free again
      await telemetry.forceFlush();
      const points = bed.receiver.latest('visits.total');
      expect(points.map((p) => [p.attributes.user_id, p.value]).sort()).toEqual([['new2', 1], ['old2', 2], ['other', 1]]);
      expect(telemetry.getHealth().seriesEvicted).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('evicts idle, exported series of a metric at its series limit, so new combinations get room again', async () => {
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      bed = await startTestBed({ cardinalityLimit: 2, labelValueTtlMs: 60_000, exportIntervalMs: 3_600_000 });
      telemetry.counter('jobs.done.total', 'job', 'a');
      telemetry.counter('jobs.done.total', 'job', 'b');
      telemetry.counter('jobs.done.total', 'job', 'c'); // overflow
      await telemetry.forceFlush();
      jest.advanceTimersByTime(61_000);
      telemetry.counter('jobs.done.total', 'job', 'b'); // b stays active
      await telemetry.forceFlush(); // a: idle, exported, the metric is full: evicted
      telemetry.counter('jobs.done.total', 'job', 'd');
      await telemetry.forceFlush();
      expect(bed.receiver.latest('jobs.done.total').map((p) => [p.attributes.job ?? 'overflow', p.value]).sort())
        .toEqual([['b', 2], ['d', 1], ['overflow', 1]]);
      expect(telemetry.getHealth().seriesEvicted).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('never evicts idle series of a metric without limited labels and below its series limit (a gauge set once stays)', async () => {
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      bed = await startTestBed({ labelValueTtlMs: 60_000, exportIntervalMs: 3_600_000 });
      telemetry.gauge('config.version', 7);
      await telemetry.forceFlush();
      jest.advanceTimersByTime(10 * 60_000);
      await telemetry.forceFlush();
      expect(bed.receiver.latest('config.version')[0].value).toBe(7);
      expect(bed.receiver.metricRequests).toHaveLength(2);
      expect(telemetry.getHealth().seriesEvicted).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  describe('1,000,000 distinct user_id values over 10 export intervals', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    const heapAfterGc = () => {
      for (let i = 0; i < 3; i++) gc!();
      return process.memoryUsage().heapUsed;
    };

    it.each([
      ['a per-label limit (production)', { profile: 'production' as const, rateLimit: { enabled: false, callsPerSecond: 1, burst: 1 } }, 101],
      ['the series limit only (development)', { profile: 'development' as const }, 2001],
    ])('with %s: at most limit + 1 series and at most 5 MB of heap growth', async (_name, config, bound) => {
      if (gc === undefined) throw new Error('run jest with node --expose-gc (npm test does)');
      bed = await startTestBed(config);
      const record = (from: number, to: number) => {
        for (let i = from; i < to; i++) telemetry.counter('requests.total', 'user_id', `user-${i}`, 'method', 'GET');
      };
      record(0, 2_000);
      bed.receiver.metricRequests.length = 0;
      await telemetry.forceFlush();
      const before = heapAfterGc();
      for (let interval = 0; interval < 10; interval++) {
        record(2_000 + interval * 99_800, 2_000 + (interval + 1) * 99_800);
        bed.receiver.metricRequests.length = 0; // the receiver runs in this process: keep only the last export
        await telemetry.forceFlush();
        expect(bed.receiver.latest('requests.total').length).toBeLessThanOrEqual(bound);
      }
      const growth = heapAfterGc() - before;
      const points = bed.receiver.latest('requests.total');
      expect(points.length).toBe(bound);
      expect(total(points)).toBe(1_000_000);
      expect(telemetry.getHealth().cardinalityUsed).toBe(bound);
      expect(growth).toBeLessThanOrEqual(5 * 1024 * 1024);
    });
  });
});
