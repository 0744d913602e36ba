import { Diagnostics } from '../../src/diagnostics/Diagnostics';
import { DropCounters } from '../../src/health/DropCounters';
import { MetricStore, type MetricView, type StoreLimits } from '../../src/metrics/MetricStore';
import type { SeriesTable } from '../../src/metrics/SeriesTable';
import { CapturingLogger } from '../support/CapturingLogger';
import { TEST_STORE_LIMITS } from '../support/storeLimits';
import { ManualClock } from '../support/time';

const LIMITS = TEST_STORE_LIMITS;

function storeWith(limits: Partial<StoreLimits> = {}) {
  const clock = new ManualClock();
  const counters = new DropCounters();
  const store = new MetricStore({ ...LIMITS, ...limits }, counters, new Diagnostics(new CapturingLogger()), new Map(), null, clock.now);
  const count = (name: string, ...labels: string[]) =>
    store.recordList('counter', name, 1, labels, undefined, 1);
  return { store, clock, counters, count };
}

/** Every series of one snapshot, as `metric{k=v,...}=value`. */
function snapshot(store: MetricStore): { epoch: number; series: string[] } {
  const cursor = store.beginSnapshot();
  const series: string[] = [];
  const visit = (metric: MetricView, table: SeriesTable, id: number) => {
    const labels = Object.entries(table.attributes[id] ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(',');
    series.push(`${metric.name}{${labels}}=${table.values[id]}`);
  };
  while (cursor.next(3, visit));
  return { epoch: cursor.epoch, series: series.sort() };
}

describe('MetricStore snapshots', () => {
  it('walks every series, the overflow series included, a slice at a time', () => {
    const { store, count } = storeWith({ cardinalityLimit: 4 });
    for (let i = 0; i < 6; i++) count('a.total', 'k', `v${i}`);
    count('b.total');
    const cursor = store.beginSnapshot();
    const slices: number[] = [];
    let more = true;
    while (more) {
      let visited = 0;
      more = cursor.next(2, () => visited++);
      slices.push(visited);
    }
    expect(slices).toEqual([2, 2, 2, 0]);
    expect(snapshot(store).series).toEqual([
      'a.total{k=v0}=1', 'a.total{k=v1}=1', 'a.total{k=v2}=1', 'a.total{k=v3}=1', 'a.total{otel.metric.overflow=true}=2', 'b.total{}=1',
    ]);
  });

  it('advances the epoch at each snapshot; a series stamped after it began is not part of that epoch', () => {
    const { store, count } = storeWith();
    count('a.total');
    const first = store.beginSnapshot();
    count('a.total');
    const second = store.beginSnapshot();
    expect(second.epoch).toBe(first.epoch + 1);
  });
});

describe('eviction by acknowledgement', () => {
  const limited = { cardinalityLimits: { user_id: 2 }, labelValueTtlMs: 60_000 };

  it('evicts an idle series only after every reader acknowledged a snapshot holding its last change', () => {
    const { store, clock, count } = storeWith(limited);
    const otlp = store.addReader('otlp');
    const prometheus = store.addReader('prometheus');
    count('visits.total', 'user_id', 'a');
    count('visits.total', 'user_id', 'b');
    const pushed = store.beginSnapshot(); // OTLP takes a snapshot but has not heard back yet
    clock.advance(61_000);
    const scraped = store.beginSnapshot(); // a scrape advances the epoch...
    store.acknowledge(prometheus, scraped.epoch); // ...and is served
    expect(snapshot(store).series).toHaveLength(2); // OTLP has not delivered: nothing may go
    expect(store.evicted).toBe(0);
    store.acknowledge(otlp, pushed.epoch);
    expect(snapshot(store).series).toEqual([]);
    expect(store.evicted).toBe(2);
  });

  it('keeps a series changed after the acknowledged snapshot, however idle it is later', () => {
    const { store, clock, count } = storeWith(limited);
    const otlp = store.addReader('otlp');
    count('visits.total', 'user_id', 'a');
    const first = store.beginSnapshot();
    count('visits.total', 'user_id', 'a'); // changed after the snapshot began
    store.acknowledge(otlp, first.epoch);
    clock.advance(61_000);
    expect(snapshot(store).series).toEqual(['visits.total{user_id=a}=2']);
    expect(store.evicted).toBe(0);
  });

  it('with Prometheus as the only reader, evicts once a scrape served the last change', () => {
    const { store, clock, count } = storeWith(limited);
    const prometheus = store.addReader('prometheus');
    count('visits.total', 'user_id', 'a');
    expect(snapshot(store).series).toHaveLength(1); // a scrape that was not served (the scraper went away)
    clock.advance(61_000); // idle time counts from the sweep that last saw the series active
    expect(snapshot(store).series).toHaveLength(1);
    const served = store.beginSnapshot();
    store.acknowledge(prometheus, served.epoch);
    expect(snapshot(store).series).toEqual([]);
    expect(store.evicted).toBe(1);
  });

  it('a call between two slices of a sweep never follows a cached path to an evicted id that was handed out again', () => {
    const { store, clock, count } = storeWith(limited);
    const otlp = store.addReader('otlp');
    count('visits.total', 'user_id', 'a');
    count('visits.total', 'user_id', 'b');
    store.acknowledge(otlp, store.beginSnapshot().epoch);
    clock.advance(61_000);
    const cursor = store.beginSnapshot();
    const visited: string[] = [];
    cursor.next(1, (_metric, table, id) => visited.push(String(table.attributes[id]?.user_id)));
    expect(store.evicted).toBe(1); // 'a' went in the first slice; its id is free
    count('visits.total', 'user_id', 'c'); // takes the freed id
    count('visits.total', 'user_id', 'a'); // cached path to the old id: must not land on 'c'
    while (cursor.next(1, () => undefined));
    expect(snapshot(store).series).toEqual(['visits.total{user_id=a}=1', 'visits.total{user_id=c}=1']);
  });

  it('never evicts a series that is still recorded into, nor one without a limited label below the series limit', () => {
    const { store, clock, count } = storeWith(limited);
    const otlp = store.addReader('otlp');
    count('visits.total', 'user_id', 'busy');
    count('config.version', 'build', '7');
    for (let i = 0; i < 3; i++) {
      clock.advance(61_000);
      count('visits.total', 'user_id', 'busy');
      store.acknowledge(otlp, store.beginSnapshot().epoch);
    }
    expect(snapshot(store).series).toEqual(['config.version{build=7}=1', 'visits.total{user_id=busy}=4']);
    expect(store.evicted).toBe(0);
  });
});
