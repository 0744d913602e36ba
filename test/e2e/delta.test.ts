import { metrics } from '@opentelemetry/api';
import type { ReceivedPoint } from '../../examples/collector/local-collector';
import * as telemetry from '../../src/index';
import { deadPort } from '../support/net';
import { startTestBed, type TestBed } from '../support/telemetry';
import { ManualClock } from '../support/time';

const DELTA = 'AGGREGATION_TEMPORALITY_DELTA';
const CUMULATIVE = 'AGGREGATION_TEMPORALITY_CUMULATIVE';
const RECOVERY_MS = 30_000;

/** Every point of `metric` the collector received, in order. */
function received(bed: TestBed, metric: string): ReceivedPoint[] {
  return bed.receiver.allPoints().filter((p) => p.metric === metric);
}

/** Sum of the received values (sums) or counts (histograms) of `metric`, per series key. */
function totals(bed: TestBed, metric: string, key: (p: ReceivedPoint) => string = (p) => JSON.stringify(p.attributes)): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of received(bed, metric)) out.set(key(p), (out.get(key(p)) ?? 0) + (p.kind === 'sum' ? p.value ?? 0 : p.count ?? 0));
  return out;
}

/** Bucket counts summed over every received point of a histogram metric. */
function bucketTotals(bed: TestBed, metric: string): number[] {
  const sums: number[] = [];
  for (const p of received(bed, metric)) (p.bucketCounts ?? []).forEach((n, i) => { sums[i] = (sums[i] ?? 0) + n; });
  return sums;
}

/** Each series' points start where its previous one ended: the windows tile time, with no gap and no overlap. */
function expectContiguous(bed: TestBed, metric: string): void {
  const last = new Map<string, string>();
  for (const p of received(bed, metric)) {
    const key = JSON.stringify(p.attributes);
    const previousEnd = last.get(key);
    if (previousEnd !== undefined) expect(p.startTimeUnixNano).toBe(previousEnd);
    expect(BigInt(p.timeUnixNano) >= BigInt(p.startTimeUnixNano)).toBe(true);
    last.set(key, p.timeUnixNano);
  }
}

describe('delta temporality against the loopback collector', () => {
  let bed: TestBed;
  let clock: ManualClock;

  afterEach(async () => {
    await bed.stop();
  });

  async function start(temporality: 'delta' | 'lowmemory' = 'delta', extra: telemetry.TelemetryConfig = {}): Promise<void> {
    clock = new ManualClock();
    bed = await startTestBed({
      exportIntervalMs: 3_600_000, // exports are driven by forceFlush() below
      exportTimeoutMs: 500,
      metrics: { temporality },
      circuitBreaker: { enabled: true, maxFailures: 3, recoveryTimeMs: RECOVERY_MS, halfOpenMax: 1 },
      ...extra,
    }, { now: clock.now });
  }

  it('sends counters and histograms as deltas, each series only when it changed; up-down counters and gauges as before', async () => {
    await start();
    telemetry.counter('jobs.total', 'queue', 'a');
    telemetry.counter('jobs.total', 'queue', 'a');
    telemetry.counter('jobs.total', 'queue', 'b');
    telemetry.histogram('job.duration_ms', 3, 'queue', 'a');
    telemetry.upDownCounter('jobs.active', 2);
    telemetry.gauge('queue.depth', 7);
    await telemetry.forceFlush();
    let [request] = bed.receiver.metricRequests;
    const byMetric = (r: typeof request, name: string) => r.points.filter((p) => p.metric === name);
    expect(byMetric(request, 'jobs.total').map((p) => [p.attributes.queue, p.value, p.temporality])).toEqual([['a', 2, DELTA], ['b', 1, DELTA]]);
    const [latency] = byMetric(request, 'job.duration_ms');
    expect(latency).toMatchObject({ temporality: DELTA, count: 1, sum: 3 });
    // Min and max cannot be taken apart: a delta goes without them.
    expect(latency.min).toBeUndefined();
    expect(latency.max).toBeUndefined();
    expect(byMetric(request, 'jobs.active')).toMatchObject([{ temporality: CUMULATIVE, value: 2 }]);
    expect(byMetric(request, 'queue.depth')).toMatchObject([{ kind: 'gauge', value: 7 }]);

    telemetry.counter('jobs.total', 'queue', 'b', 'region', 'eu');
    telemetry.counter('jobs.total', 'queue', 'b');
    telemetry.counter('jobs.total', 'queue', 'b');
    telemetry.upDownCounter('jobs.active', -1);
    await telemetry.forceFlush();
    request = bed.receiver.metricRequests[1];
    // Queue a and the histogram did not change: no point. Queue b gained 2.
    expect(byMetric(request, 'jobs.total').map((p) => [JSON.stringify(p.attributes), p.value])).toEqual([
      ['{"queue":"b"}', 2], ['{"queue":"b","region":"eu"}', 1],
    ]);
    expect(byMetric(request, 'job.duration_ms')).toEqual([]);
    expect(byMetric(request, 'jobs.active')).toMatchObject([{ temporality: CUMULATIVE, value: 1 }]);
    expectContiguous(bed, 'jobs.total');
    // Said where it started, and shown in health, so an operator can check it without a collector.
    expect(bed.logger.matching('started')[0]).toContain(`${bed.receiver.url}/v1/metrics every 3600 s, as deltas;`);
    expect(telemetry.getHealth().signals.metrics.temporality).toBe('delta');
  });

  it('across a 2 s outage, an open breaker and its recovery, the deltas add up to exactly what was recorded', async () => {
    await start();
    const recorded = new Map<string, number>();
    const buckets = [0, 0, 0, 0]; // job.duration_ms with buckets [10, 100, 1000]
    let observations = 0;
    let round = 0;
    const record = () => {
      round++;
      for (let i = 0; i < 50; i++) {
        const queue = `q${(i + round) % 7}`;
        const n = 1 + (i % 3);
        telemetry.emit('jobs.total', n, 'queue', queue);
        recorded.set(queue, (recorded.get(queue) ?? 0) + n);
        const ms = (i * 37 + round) % 1500;
        telemetry.histogram('job.duration_ms', ms, 'queue', 'all');
        buckets[ms <= 10 ? 0 : ms <= 100 ? 1 : ms <= 1000 ? 2 : 3]++;
        observations++;
      }
    };
    telemetry.declareMetrics('test', { metrics: [{ name: 'job.duration_ms', type: 'histogram', buckets: [10, 100, 1000] }] });

    record();
    await telemetry.forceFlush();
    // The outage: 2 s of a collector answering 503 while the application records and exports every 500 ms.
    bed.receiver.mode = { kind: 'status', status: 503 };
    for (let i = 0; i < 4; i++) {
      clock.advance(500);
      record();
      await telemetry.forceFlush();
    }
    // Three failures opened the breaker; the fourth export was skipped.
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ circuitState: 'open', exportFailures: 3, exportsSkipped: 1 });
    bed.receiver.mode = { kind: 'ok' };
    record();
    await telemetry.forceFlush(); // still open: skipped
    clock.advance(RECOVERY_MS);
    await telemetry.forceFlush(); // the probe carries everything since the last delivery
    expect(telemetry.getHealth().signals.metrics.circuitState).toBe('closed');
    record();
    await telemetry.forceFlush();

    expect(Object.fromEntries(totals(bed, 'jobs.total', (p) => String(p.attributes.queue)))).toEqual(Object.fromEntries(recorded));
    expect(bucketTotals(bed, 'job.duration_ms')).toEqual(buckets);
    expect([...totals(bed, 'job.duration_ms').values()]).toEqual([observations]);
    expect(received(bed, 'jobs.total').every((p) => p.temporality === DELTA)).toBe(true);
    expectContiguous(bed, 'jobs.total');
    expectContiguous(bed, 'job.duration_ms');
  });

  it('a collection half delivered (the collector fails after its first request) resends only the other half', async () => {
    await start('delta', { metrics: { temporality: 'delta', maxPointsPerRequest: 4 } });
    const recorded = new Map<string, number>();
    const record = (round: number) => {
      for (let i = 0; i < 10; i++) {
        telemetry.emit('jobs.total', i + round, 'queue', `q${i}`);
        recorded.set(`q${i}`, (recorded.get(`q${i}`) ?? 0) + i + round);
      }
    };
    record(1);
    bed.receiver.once('request', () => {
      bed.receiver.mode = { kind: 'status', status: 503 };
    });
    await telemetry.forceFlush();
    expect(bed.receiver.metricRequests).toHaveLength(1);
    const first = new Set(bed.receiver.metricRequests[0].points.map((p) => p.attributes.queue));
    expect(first.size).toBe(4);
    bed.receiver.mode = { kind: 'ok' };
    record(100);
    await telemetry.forceFlush();
    // The four delivered series carry only what came since; the six others everything.
    for (const p of bed.receiver.metricRequests.slice(1).flatMap((r) => r.points)) {
      const i = Number(String(p.attributes.queue).slice(1));
      expect(p.value).toBe(first.has(p.attributes.queue) ? i + 100 : 2 * i + 101);
    }
    expect(Object.fromEntries(totals(bed, 'jobs.total', (p) => String(p.attributes.queue)))).toEqual(Object.fromEntries(recorded));
  });

  it('requests the collector refuses as too large (413) are split, and every half delivered commits its own points', async () => {
    await start('delta', { compression: 'none' });
    const recorded = new Map<string, number>();
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 60; i++) {
        const key = `customer-${'x'.repeat(40)}-${i}`;
        telemetry.emit('orders.total', round, 'customer', key);
        recorded.set(key, (recorded.get(key) ?? 0) + round);
      }
      bed.receiver.mode = round === 2 ? { kind: 'limit', maxBytes: 2500 } : { kind: 'ok' };
      await telemetry.forceFlush();
    }
    expect(bed.receiver.log.some((entry) => entry.status === 413)).toBe(true);
    expect(telemetry.getHealth().signals.metrics.exportFailures).toBe(0);
    expect(Object.fromEntries(totals(bed, 'orders.total', (p) => String(p.attributes.customer)))).toEqual(Object.fromEntries(recorded));
    expectContiguous(bed, 'orders.total');
  });

  it('a point left out as too large keeps what it gained, and delivers it once the collector takes it', async () => {
    await start('delta', { compression: 'none', maxLabelValueLength: 8192 });
    const note = 'x'.repeat(6000); // over 4 KB: an outlier, not a sign that the collector refuses everything
    bed.receiver.mode = { kind: 'limit', maxBytes: 2000 };
    telemetry.emit('orders.total', 5, 'note', note);
    for (let i = 0; i < 20; i++) telemetry.emit('orders.total', 1, 'note', `small-${i}`);
    await telemetry.forceFlush();
    // The small ones went; the large one was refused alone, left out and counted.
    expect(received(bed, 'orders.total')).toHaveLength(20);
    expect(telemetry.getHealth().lostByReason.export_too_large).toBe(1);
    // The collector's limit is raised; once the refusal is forgotten (10 minutes) the point goes, with all it gained.
    bed.receiver.mode = { kind: 'ok' };
    telemetry.emit('orders.total', 2, 'note', note);
    clock.advance(11 * 60_000);
    await telemetry.forceFlush();
    expect(received(bed, 'orders.total').filter((p) => p.attributes.note === note).map((p) => p.value)).toEqual([7]);
  });

  it('an exponential histogram is sent as deltas whose buckets add up to the cumulative histogram', async () => {
    await start();
    telemetry.declareMetrics('test', { metrics: [{ name: 'payload.bytes', type: 'histogram', aggregation: 'exponential' }] });
    const values: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 1; i <= 40; i++) {
        // The range widens each round, so the scale drops between deltas.
        const v = i * 10 ** round;
        telemetry.histogram('payload.bytes', v);
        values.push(v);
      }
      if (round === 1) bed.receiver.mode = { kind: 'status', status: 503 };
      await telemetry.forceFlush();
      bed.receiver.mode = { kind: 'ok' };
    }
    const points = received(bed, 'payload.bytes');
    expect(points.map((p) => p.temporality)).toEqual([DELTA, DELTA]);
    expect(points.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(values.length);
    expect(points.reduce((n, p) => n + (p.sum ?? 0), 0)).toBeCloseTo(values.reduce((a, b) => a + b, 0), 6);
    // Re-bucketed at the coarsest scale, the deltas' buckets sum to the buckets of all values at that scale.
    const scale = Math.min(...points.map((p) => p.scale ?? 0));
    const merged = new Map<number, number>();
    for (const p of points) {
      const shift = (p.scale ?? 0) - scale;
      (p.positive?.bucketCounts ?? []).forEach((n, i) => {
        const index = Math.floor(((p.positive?.offset ?? 0) + i) / 2 ** shift);
        merged.set(index, (merged.get(index) ?? 0) + n);
      });
    }
    const expected = new Map<number, number>();
    for (const v of values) {
      // Base-2 exponential bucket of v at `scale`: the index i with base^i < v <= base^(i+1), base = 2^(2^-scale).
      const index = Math.ceil(Math.log2(v) * 2 ** scale) - 1;
      expected.set(index, (expected.get(index) ?? 0) + 1);
    }
    expect([...merged].filter(([, n]) => n !== 0).sort((a, b) => a[0] - b[0])).toEqual([...expected].sort((a, b) => a[0] - b[0]));
  });

  it("the application's own SDK instruments are converted to deltas against what was delivered too", async () => {
    await start();
    const meter = metrics.getMeter('app-instruments');
    const requests = meter.createCounter('http.requests');
    const sizes = meter.createHistogram('http.sizes', { advice: { explicitBucketBoundaries: [100, 1000] } });
    const active = meter.createUpDownCounter('http.active');
    requests.add(5, { route: '/a' });
    sizes.record(50);
    active.add(3);
    await telemetry.forceFlush();
    bed.receiver.mode = { kind: 'status', status: 503 };
    requests.add(7, { route: '/a' });
    sizes.record(500);
    await telemetry.forceFlush();
    bed.receiver.mode = { kind: 'ok' };
    requests.add(1, { route: '/a' });
    await telemetry.forceFlush();
    await telemetry.forceFlush(); // nothing new: no points of the counter or the histogram
    expect(received(bed, 'http.requests').map((p) => [p.value, p.temporality])).toEqual([[5, DELTA], [8, DELTA]]);
    expect(received(bed, 'http.sizes').map((p) => [p.count, p.bucketCounts, p.temporality])).toEqual([[1, [1, 0, 0], DELTA], [1, [0, 1, 0], DELTA]]);
    expect(received(bed, 'http.active').map((p) => [p.value, p.temporality])).toEqual([[3, CUMULATIVE], [3, CUMULATIVE], [3, CUMULATIVE]]);
    expectContiguous(bed, 'http.requests');
  });

  it('the Prometheus endpoint stays cumulative beside a delta push pipeline', async () => {
    const port = await deadPort();
    await start('delta', { metrics: { temporality: 'delta', exporter: ['otlp', 'prometheus'] }, prometheus: { port, host: '127.0.0.1' } });
    telemetry.emit('jobs.total', 4, 'queue', 'a');
    await telemetry.forceFlush();
    telemetry.emit('jobs.total', 1, 'queue', 'a');
    await telemetry.forceFlush();
    await bed.receiver.waitFor(() => telemetry.getHealth().signals.metrics.prometheus?.listening === true).catch(() => undefined);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^jobs_total\{queue="a",[^}]*\} 5$/m);
    expect(received(bed, 'jobs.total').map((p) => p.value)).toEqual([4, 1]);
  });

  it('lowmemory: counters and histograms as deltas; observable counters, the library\'s and the application\'s, stay cumulative', async () => {
    await start('lowmemory', { metrics: { temporality: 'lowmemory' }, selfMetrics: true });
    const meter = metrics.getMeter('app-lowmemory', '1.0.0');
    const sync = meter.createCounter('app.sync.total');
    let observed = 0;
    meter.createObservableCounter('app.observed.total').addCallback((result) => result.observe((observed += 10)));
    telemetry.counter('jobs.total', 'queue', 'a');
    sync.add(2);
    await telemetry.forceFlush();
    telemetry.counter('jobs.total', 'queue', 'a');
    sync.add(3);
    await telemetry.forceFlush();
    expect(received(bed, 'jobs.total').map((p) => [p.value, p.temporality])).toEqual([[1, DELTA], [1, DELTA]]);
    // The application's own: a counter goes delta, an observable counter stays cumulative (told by the SDK's registry).
    expect(received(bed, 'app.sync.total').map((p) => [p.value, p.temporality])).toEqual([[2, DELTA], [3, DELTA]]);
    expect(received(bed, 'app.observed.total').map((p) => [p.value, p.temporality])).toEqual([[10, CUMULATIVE], [20, CUMULATIVE]]);
    const emitted = received(bed, 'otel.facade.recording.emitted');
    expect(emitted.length).toBeGreaterThanOrEqual(2);
    expect(emitted.every((p) => p.temporality === CUMULATIVE)).toBe(true);
  });
});
