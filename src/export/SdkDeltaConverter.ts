import type { HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { DeltaLedger } from './DeltaLedger';
import { instrumentKey } from './observableCounters';

/** What was last delivered of one SDK series. */
interface Baseline {
  /** A sum's value, or a histogram's count. */
  value: number;
  /** A histogram's sum. */
  sum: number;
  /** A histogram's bucket counts. */
  counts: readonly number[] | undefined;
  /** The end of the delivered window: the start of the next delta. */
  end: HrTime;
  /** The conversion that last saw this series, to forget the ones that are gone. */
  seen: number;
}

/** Conversions a series may go unseen before its baseline is forgotten. */
const FORGET_AFTER = 10;

/**
 * Turns the cumulative points of the SDK's instruments (the application's own, the instrumentations', the runtime
 * and self metrics) into deltas against what was last delivered of each series, the way the store does for its
 * own series: the SDK reader stays cumulative, and a point's baseline moves only when the request holding it was
 * delivered (see `DeltaLedger`), so nothing is lost to a failed export.
 *
 * Which instruments, by the specification's preferences: under `delta` monotonic sums and explicit-bucket histograms
 * (non-monotonic sums stay cumulative, gauges have no temporality); under `lowmemory` the same but observable
 * counters, which stay cumulative: they are told apart by the MeterProvider's instrument registry (see
 * `observableCounters`), or, should that not be readable, by scopes known to hold only observable counters.
 * Exponential histograms of the SDK (views) stay cumulative: their buckets are only exposed as exported points.
 */
export class SdkDeltaConverter {
  private readonly baselines = new Map<string, Baseline>();
  private generation = 0;

  constructor(
    private readonly preference: 'delta' | 'lowmemory',
    /** Scopes whose monotonic sums are all observable counters (the library's runtime and self metrics). */
    private readonly observableScopes: ReadonlySet<string>,
    /** The observable counters by `instrumentKey`, read at each conversion; undefined when they cannot be told. */
    private readonly observableCounters: () => ReadonlySet<string> | undefined = () => undefined,
  ) {}

  /** The collection's scopes with every delta-eligible point turned into a delta; series unchanged since are left out. */
  convert(scopes: readonly ScopeMetrics[], ledger: DeltaLedger): ScopeMetrics[] {
    const generation = ++this.generation;
    const observable = this.preference === 'lowmemory' ? this.observableCounters() : undefined;
    const out: ScopeMetrics[] = [];
    for (const scope of scopes) {
      const metrics: MetricData[] = [];
      for (const metric of scope.metrics) {
        const converted = this.eligible(scope.scope.name, scope.scope.version, metric, observable)
          ? this.convertMetric(`${instrumentKey(scope.scope.name, scope.scope.version, metric.descriptor.name)}\u0000`, metric, ledger, generation)
          : metric;
        if (converted.dataPoints.length > 0) metrics.push(converted);
      }
      if (metrics.length > 0) out.push({ scope: scope.scope, metrics });
    }
    for (const [key, baseline] of this.baselines) if (generation - baseline.seen > FORGET_AFTER) this.baselines.delete(key);
    return out;
  }

  private eligible(scope: string, version: string | undefined, metric: MetricData, observable: ReadonlySet<string> | undefined): boolean {
    if (metric.aggregationTemporality !== AggregationTemporality.CUMULATIVE) return false;
    if (metric.dataPointType === DataPointType.HISTOGRAM) return true;
    if (metric.dataPointType !== DataPointType.SUM || !metric.isMonotonic) return false;
    if (this.preference === 'delta') return true;
    return observable !== undefined ? !observable.has(instrumentKey(scope, version, metric.descriptor.name)) : !this.observableScopes.has(scope);
  }

  private convertMetric(prefix: string, metric: MetricData, ledger: DeltaLedger, generation: number): MetricData {
    const points: DataPoint<unknown>[] = [];
    for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) {
      const key = prefix + attributesKey(point.attributes);
      const baseline = this.baselines.get(key);
      if (baseline !== undefined) baseline.seen = generation;
      const delta = typeof point.value === 'number' ? sumDelta(point as DataPoint<number>, baseline) : histogramDelta(point as DataPoint<Histogram>, baseline);
      if (delta === undefined) continue;
      points.push(delta.point);
      ledger.hold(delta.point, () => {
        this.baselines.set(key, { ...delta.state, end: point.endTime, seen: generation });
      });
    }
    return { ...metric, aggregationTemporality: AggregationTemporality.DELTA, dataPoints: points } as MetricData;
  }
}

type Delta = { point: DataPoint<unknown>; state: Pick<Baseline, 'value' | 'sum' | 'counts'> } | undefined;

function sumDelta(point: DataPoint<number>, baseline: Baseline | undefined): Delta {
  // A value below the baseline is a series that started over (an instrument made anew): all of it is new.
  const since = baseline !== undefined && point.value >= baseline.value ? baseline : undefined;
  const value = point.value - (since?.value ?? 0);
  if (since !== undefined && value === 0) return undefined;
  return {
    point: { startTime: since?.end ?? point.startTime, endTime: point.endTime, attributes: point.attributes, value },
    state: { value: point.value, sum: 0, counts: undefined },
  };
}

function histogramDelta(point: DataPoint<Histogram>, baseline: Baseline | undefined): Delta {
  const { count, sum = 0, buckets } = point.value;
  const counts = buckets.counts;
  const since = baseline !== undefined && count >= baseline.value && baseline.counts?.length === counts.length ? baseline : undefined;
  if (since !== undefined && count === since.value) return undefined;
  const base = since?.counts;
  return {
    point: {
      startTime: since?.end ?? point.startTime,
      endTime: point.endTime,
      attributes: point.attributes,
      value: {
        buckets: { boundaries: buckets.boundaries, counts: base === undefined ? counts.slice() : counts.map((n, i) => n - base[i]) },
        count: count - (since?.value ?? 0),
        sum: sum - (since?.sum ?? 0),
        // Min and max cannot be taken apart by subtraction: a delta goes without them.
        min: undefined,
        max: undefined,
      } satisfies Histogram,
    },
    state: { value: count, sum, counts: counts.slice() },
  };
}

/** The identity of an attribute set, whatever order its keys come in. */
function attributesKey(attributes: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(attributes).sort();
  let key = '';
  for (const name of keys) key += `${name.length}:${name}=${JSON.stringify(attributes[name]) ?? 'undefined'};`;
  return key;
}
