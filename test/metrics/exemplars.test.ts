import { Diagnostics } from '../../src/diagnostics/Diagnostics';
import { DropCounters } from '../../src/health/DropCounters';
import { EXPONENTIAL_EXEMPLARS, ExemplarReservoirs, type Exemplar, type ExemplarSampler } from '../../src/metrics/ExemplarReservoirs';
import { MetricStore, type MetricView, type StoreLimits } from '../../src/metrics/MetricStore';
import type { SeriesTable } from '../../src/metrics/SeriesTable';
import { SeriesTable as Table } from '../../src/metrics/SeriesTable';
import { CapturingLogger } from '../support/CapturingLogger';
import { TEST_STORE_LIMITS } from '../support/storeLimits';
import { ManualClock } from '../support/time';

/** A sampler whose active span the test sets: `enter(n)` makes span n active (sampled), `leave()` none. */
class ScriptedSampler implements ExemplarSampler {
  open = 1;
  traceId = '';
  spanId = '';
  sampled = false;
  samples = 0;

  enter(n: number): void {
    this.traceId = n.toString(16).padStart(32, '0');
    this.spanId = n.toString(16).padStart(16, '0');
    this.sampled = true;
  }

  leave(): void {
    this.traceId = '';
    this.spanId = '';
    this.sampled = false;
  }

  sample(): boolean {
    this.samples++;
    return this.sampled;
  }
}

const LIMITS = TEST_STORE_LIMITS;

function storeWith(limits: Partial<StoreLimits> = {}) {
  const clock = new ManualClock();
  let clockReads = 0;
  const now = () => {
    clockReads++;
    return clock.now();
  };
  const sampler = new ScriptedSampler();
  const store = new MetricStore({ ...LIMITS, ...limits }, new DropCounters(), new Diagnostics(new CapturingLogger()), new Map(), null, now, null, sampler);
  const push = store.addReader('push', true);
  const record = (kind: 'counter' | 'gauge' | 'histogram', name: string, value: number, ...labels: string[]) =>
    store.recordList(kind, name, value, labels, undefined, 1);
  return { store, clock, sampler, push, record, clockReads: () => clockReads };
}

/** The exemplars of one snapshot, by metric and series labels, as `value@span`. */
function exemplarsOf(store: MetricStore): { epoch: number; exemplars: Record<string, string[]> } {
  const cursor = store.beginSnapshot();
  const after = store.exemplarsDelivered;
  const out: Record<string, string[]> = {};
  const visit = (metric: MetricView, table: SeriesTable, id: number) => {
    const found = table.exemplars(id, after, cursor.epoch);
    if (found === undefined) return;
    const labels = Object.entries(table.attributes[id] ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(',');
    out[`${metric.name}{${labels}}`] = found.map(shown);
  };
  while (cursor.next(100, visit));
  return { epoch: cursor.epoch, exemplars: out };
}

const shown = (exemplar: Exemplar): string => `${exemplar.value}@${exemplar.spanId.replace(/^0+/, '') || '-'}`;

describe('exemplar reservoirs in the store', () => {
  it('histograms keep one exemplar per bucket: the latest span\'s', () => {
    const { store, sampler, record } = storeWith();
    store.ensureMetric('latency_ms', 'histogram', { boundaries: [10, 100] });
    sampler.enter(1);
    record('histogram', 'latency_ms', 5);
    record('histogram', 'latency_ms', 50);
    sampler.enter(2);
    record('histogram', 'latency_ms', 7); // a later span replaces span 1 in the first bucket
    record('histogram', 'latency_ms', 500);
    expect(exemplarsOf(store).exemplars).toEqual({ 'latency_ms{}': ['7@2', '50@1', '500@2'] });
  });

  it('sums and gauges keep the latest span\'s measurement', () => {
    const { store, sampler, record } = storeWith();
    for (let span = 1; span <= 3; span++) {
      sampler.enter(span);
      record('counter', 'jobs.total', span * 10, 'queue', 'a');
      record('gauge', 'queue.depth', span, 'queue', 'a');
    }
    expect(exemplarsOf(store).exemplars).toEqual({ 'jobs.total{queue=a}': ['30@3'], 'queue.depth{queue=a}': ['3@3'] });
  });

  it('within one span, a slot keeps its first measurement and reads no clock for the repeats', () => {
    const { store, sampler, record, clockReads } = storeWith();
    record('counter', 'jobs.total', 1); // creates the series (a clock read for its start)
    sampler.enter(1);
    const before = clockReads();
    for (let i = 0; i < 100; i++) record('counter', 'jobs.total', i + 1);
    expect(clockReads() - before).toBe(1);
    expect(exemplarsOf(store).exemplars).toEqual({ 'jobs.total{}': ['1@1'] });
  });

  it('takes only eligible measurements, and asks the sampler only while it is open', () => {
    const { store, sampler, record } = storeWith();
    sampler.leave();
    record('counter', 'jobs.total', 1); // not eligible (no sampled span)
    sampler.open = 0;
    sampler.enter(1);
    const asked = sampler.samples;
    record('counter', 'jobs.total', 2); // the gate is closed: not even asked
    expect(sampler.samples).toBe(asked);
    const metric = store.metric('jobs.total');
    expect(metric?.table.seriesWithExemplars).toBe(0); // nothing allocated for a series without exemplars
    expect(exemplarsOf(store).exemplars).toEqual({});
  });

  it('bounded: at most one per bucket, one per sum, and 20 per exponential histogram, however many are offered', () => {
    const sums = new ExemplarReservoirs(1, false);
    const buckets = new ExemplarReservoirs(4, false);
    const exponential = new ExemplarReservoirs(EXPONENTIAL_EXEMPLARS, true);
    for (let i = 0; i < 10_000; i++) {
      const span = (i + 1).toString(16).padStart(16, '0');
      sums.offer(0, 0, i, 1, 'a'.repeat(32), span, 0, () => i);
      buckets.offer(0, i % 7, i, 1, 'a'.repeat(32), span, 0, () => i); // slots past the buckets are ignored
      exponential.offer(0, 0, i, 1, 'a'.repeat(32), span, 0, () => i);
    }
    expect(sums.read(0, 0, 1)).toHaveLength(1);
    expect(buckets.read(0, 0, 1)?.map((e) => e.value)).toEqual([9996, 9997, 9998, 9999]);
    expect(exponential.read(0, 0, 1)).toHaveLength(EXPONENTIAL_EXEMPLARS);
  });

  it('a histogram with more buckets than 32 keeps one exemplar per run of adjacent buckets: at most 32 a series', () => {
    const { store, sampler, record } = storeWith();
    store.ensureMetric('wide_ms', 'histogram', { boundaries: Array.from({ length: 999 }, (_, i) => i + 1) }); // 1,000 buckets
    for (let v = 0; v < 1000; v++) {
      sampler.enter(v + 1);
      record('histogram', 'wide_ms', v + 0.5); // bucket v
    }
    const kept = exemplarsOf(store).exemplars['wide_ms{}'].map((e) => Number(e.split('@')[0]));
    expect(kept).toHaveLength(32);
    // Slot k holds buckets floor(1000 k / 32) to floor(1000 (k + 1) / 32) - 1: the latest of each run, in order.
    expect(kept).toEqual(Array.from({ length: 32 }, (_, k) => Math.ceil((1000 * (k + 1)) / 32) - 1 + 0.5));
  });

  it('exponential histograms sample uniformly among the measurements of each epoch (reservoir sampling)', () => {
    const reservoirs = new ExemplarReservoirs(2, true);
    const random = jest.spyOn(Math, 'random');
    try {
      const offer = (value: number, epoch: number, delivered = 0) =>
        reservoirs.offer(0, 0, value, epoch, 'a'.repeat(32), value.toString(16).padStart(16, '0'), delivered, () => value);
      offer(1, 1); // slots 0 and 1 fill first
      offer(2, 1);
      random.mockReturnValueOnce(0.1); // floor(0.1 * 3) = 0: replaces slot 0
      offer(3, 1);
      random.mockReturnValueOnce(0.9); // floor(0.9 * 4) = 3: not kept
      offer(4, 1);
      expect(reservoirs.read(0, 0, 1)?.map((e) => e.value)).toEqual([3, 2]);
      offer(5, 2); // a snapshot began: the count starts again, the first slots fill in order
      expect(random).toHaveBeenCalledTimes(2);
      expect(reservoirs.read(0, 0, 2)?.map((e) => e.value)).toEqual([5, 2]);
      offer(6, 2);
      // The export of epoch 1 is delivered while epoch 2 goes on: the count goes on too, so what came during the
      // export keeps its chance (a count restarted here would let the next two measurements replace both).
      random.mockReturnValueOnce(0.9); // floor(0.9 * 3) = 2: not kept
      offer(7, 2, 1);
      expect(reservoirs.read(0, 1, 2)?.map((e) => e.value)).toEqual([5, 6]);
    } finally {
      random.mockRestore();
    }
  });

  it('exports each exemplar once: cleared when the reader of exemplars acknowledges, not by a reader without them', () => {
    const { store, sampler, record, push } = storeWith();
    const prometheus = store.addReader('prometheus');
    sampler.enter(1);
    record('counter', 'jobs.total', 1);
    const scraped = exemplarsOf(store);
    expect(scraped.exemplars).toEqual({ 'jobs.total{}': ['1@1'] });
    store.acknowledge(prometheus, scraped.epoch); // a scrape carries no exemplars
    const failed = exemplarsOf(store); // an export that failed: never acknowledged, so the exemplars stay
    expect(failed.exemplars).toEqual({ 'jobs.total{}': ['1@1'] });
    const delivered = exemplarsOf(store);
    expect(delivered.exemplars).toEqual({ 'jobs.total{}': ['1@1'] });
    store.acknowledge(push, delivered.epoch);
    expect(exemplarsOf(store).exemplars).toEqual({});
    expect(store.exemplarsDelivered).toBe(delivered.epoch);
  });

  it('a snapshot carries only the exemplars recorded before it began; later ones wait for the next', () => {
    const { store, sampler, record, push } = storeWith();
    sampler.enter(1);
    record('histogram', 'latency_ms', 3);
    const cursor = store.beginSnapshot();
    sampler.enter(2);
    record('histogram', 'latency_ms', 4); // after the snapshot began, into the same bucket (2, 5]
    const after = store.exemplarsDelivered;
    const seen: string[] = [];
    while (cursor.next(10, (_metric, table, id) => seen.push(...(table.exemplars(id, after, cursor.epoch) ?? []).map(shown))));
    expect(seen).toEqual([]); // span 2's replaced span 1's, and is newer than the snapshot
    store.acknowledge(push, cursor.epoch);
    expect(exemplarsOf(store).exemplars).toEqual({ 'latency_ms{}': ['4@2'] });
  });

  it('frees a series\' reservoir once everything in it was delivered', () => {
    const { store, sampler, record, push } = storeWith();
    sampler.enter(1);
    for (let i = 0; i < 10; i++) record('counter', 'jobs.total', 1, 'worker', `w${i}`);
    const table = store.metric('jobs.total')?.table as SeriesTable;
    expect(table.seriesWithExemplars).toBe(10);
    store.acknowledge(push, exemplarsOf(store).epoch);
    exemplarsOf(store); // the next walk finds them delivered
    expect(table.seriesWithExemplars).toBe(0);
  });

  it('an evicted series takes its exemplars with it: the series that reuses its id starts with none', () => {
    const { store, sampler, record, clock, push } = storeWith({ cardinalityLimits: { user_id: 2 } });
    sampler.enter(1);
    record('counter', 'visits.total', 1, 'user_id', 'a');
    const table = store.metric('visits.total')?.table as SeriesTable;
    // Delivered in a snapshot whose walk did not read the exemplars: the reservoir is still held.
    const delivered = store.beginSnapshot();
    while (delivered.next(10, () => undefined));
    store.acknowledge(push, delivered.epoch);
    expect(table.seriesWithExemplars).toBe(1);
    clock.advance(61_000);
    const sweep = store.beginSnapshot();
    while (sweep.next(10, () => undefined)); // evicts 'a': idle, delivered, with a limited label
    expect(store.evicted).toBe(1);
    expect(table.seriesWithExemplars).toBe(0);
    sampler.leave();
    record('counter', 'visits.total', 1, 'user_id', 'b'); // takes the freed id
    expect(exemplarsOf(store).exemplars).toEqual({});
  });

  it('the series table clears a removed id\'s exemplars before handing the id out again', () => {
    const table = new Table(null);
    const hash = table.hashOf(['k'], ['a']);
    const id = table.add(['k'], ['a'], hash, 0);
    table.offerExemplar(id, 42, 1, 'a'.repeat(32), 'b'.repeat(16), 0, () => 5);
    expect(table.exemplars(id, 0, 1)).toEqual([{ value: 42, timeMs: 5, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }]);
    table.remove(id);
    const reused = table.add(['k'], ['b'], table.hashOf(['k'], ['b']), 0);
    expect(reused).toBe(id);
    expect(table.exemplars(reused, 0, 1)).toBeUndefined();
    expect(table.seriesWithExemplars).toBe(0);
  });
});
