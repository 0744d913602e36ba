import { ValueType, type HrTime } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { MetricView } from '../metrics/MetricStore';
import type { HistogramState, SeriesTable } from '../metrics/SeriesTable';
import type { DeltaLedger } from './DeltaLedger';
import type { Exemplar } from '../metrics/ExemplarReservoirs';

/** A data point with the exemplars of its series: the SDK's `DataPoint` has no place for them (see `exemplarSerializers`). */
export type PointWithExemplars<T> = DataPoint<T> & { exemplars?: readonly Exemplar[] };

/** Which exemplars a collection carries: those recorded after epoch `after` (delivered) and up to `upTo` (its snapshot). */
export interface ExemplarWindow {
  readonly after: number;
  readonly upTo: number;
}

/** About what one exemplar costs in OTLP protobuf: tag and length, time, value, span and trace ids. */
const EXEMPLAR_BYTES = 48;

/**
 * Turns the series a snapshot visits into the SDK's `MetricData`, as the SDK's own aggregators would have produced
 * it, one request's worth at a time: `add` is the snapshot's visitor, `take` hands over what was gathered and starts
 * afresh. Cumulative; or, given a ledger, counters and histograms as deltas since what was last delivered of each
 * series (a series with nothing new gives no point), each point held in the ledger with its commit.
 */
export class MetricChunkBuilder {
  private metrics = new Map<MetricView, MetricData>();
  /** Data points gathered since the last `take()`. */
  points = 0;
  /** A cheap estimate of their encoded size, to bound requests by bytes before encoding them. */
  bytes = 0;

  /** The end time of every point of this collection. */
  private readonly endTime: HrTime;

  constructor(
    /** The end of this collection's points (ms since epoch); a delivered delta's next window starts there exactly. */
    private readonly endMs: number,
    /** The exemplars this collection carries; none when undefined (a reader that cannot export them). */
    private readonly exemplars?: ExemplarWindow,
    /** Where delta points are held until delivered; undefined: everything is cumulative. */
    private readonly ledger?: DeltaLedger,
  ) {
    this.endTime = millisToHrTime(endMs);
  }

  /** Adds one series as a data point of its metric (under delta, when it changed since its last delivery). */
  readonly add = (metric: MetricView, table: SeriesTable, id: number): void => {
    const delta = this.ledger !== undefined && table.tracksDeltas;
    const point: PointWithExemplars<unknown> | undefined = delta ? this.deltaPoint(metric, table, id) : toPoint(metric, table, id, this.endTime);
    if (point === undefined) return;
    let data = this.metrics.get(metric);
    if (data === undefined) {
      data = emptyMetricData(metric, delta);
      this.metrics.set(metric, data);
    }
    const window = this.exemplars;
    const exemplars = window === undefined ? undefined : table.exemplars(id, window.after, window.upTo);
    if (exemplars !== undefined) point.exemplars = exemplars;
    (data.dataPoints as DataPoint<unknown>[]).push(point);
    this.points++;
    this.bytes += estimateBytes(table, id) + (exemplars === undefined ? 0 : exemplars.length * EXEMPLAR_BYTES);
  };

  private deltaPoint(metric: MetricView, table: SeriesTable, id: number): DataPoint<unknown> | undefined {
    const delta = table.deltaOf(id);
    if (delta === undefined) return undefined;
    const { commit, histogram, exponential } = delta;
    // Series are dated by the store's clock, collections by the high-resolution one, which may lag it a little: a
    // window never ends before it starts.
    const startTime = millisToHrTime(Math.min(table.deltaStartMs(id), this.endMs));
    const attributes = commit.attributes;
    let value: unknown = delta.value;
    if (exponential !== undefined) {
      value = exponential;
    } else if (histogram !== undefined) {
      value = histogramValue(metric, histogram);
    }
    const point: DataPoint<unknown> = { startTime, endTime: this.endTime, attributes, value };
    const endMs = this.endMs;
    (this.ledger as DeltaLedger).hold(point, () => table.commit(commit, endMs));
    return point;
  }

  /** The metrics gathered since the last call. */
  take(): MetricData[] {
    const metrics = [...this.metrics.values()];
    this.metrics = new Map();
    this.points = 0;
    this.bytes = 0;
    return metrics;
  }
}

/**
 * Hands out the points of already collected `ScopeMetrics` (the SDK instruments of the MeterProvider) in slices of
 * at most a given number of points, keeping scope and metric descriptors.
 */
export class ScopeMetricsSlicer {
  private scope = 0;
  private metric = 0;
  private point = 0;

  constructor(private readonly scopes: readonly ScopeMetrics[]) {}

  /** Up to `limit` points, or an empty list when every point was handed out. */
  take(limit: number): ScopeMetrics[] {
    const out: ScopeMetrics[] = [];
    let taken = 0;
    while (taken < limit && this.scope < this.scopes.length) {
      const scope = this.scopes[this.scope];
      if (this.metric >= scope.metrics.length) {
        this.scope++;
        this.metric = 0;
        this.point = 0;
        continue;
      }
      const metric = scope.metrics[this.metric];
      const points = metric.dataPoints as DataPoint<unknown>[];
      const slice = points.slice(this.point, this.point + (limit - taken));
      this.point += slice.length;
      taken += slice.length;
      if (slice.length > 0) {
        let target = out[out.length - 1];
        if (target?.scope !== scope.scope) out.push((target = { scope: scope.scope, metrics: [] }));
        target.metrics.push({ ...metric, dataPoints: slice } as MetricData);
      }
      if (this.point >= points.length) {
        this.metric++;
        this.point = 0;
      }
    }
    return out;
  }
}

/** About what a series costs in OTLP protobuf: its attributes, two timestamps and a value, or a histogram's fields. */
function estimateBytes(table: SeriesTable, id: number): number {
  let bytes = 32;
  const attributes = table.attributes[id] ?? {};
  for (const key in attributes) bytes += key.length + String(attributes[key]).length + 8;
  if (table.bucketCount !== 0) bytes += 32 + table.bucketCount * 18;
  if (table.isExponential) bytes += 32 + 160 * 2;
  return bytes;
}

function emptyMetricData(metric: MetricView, delta: boolean): MetricData {
  const descriptor = { name: metric.name, description: metric.description, unit: metric.plan.unit, valueType: ValueType.DOUBLE };
  const aggregationTemporality = delta ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  switch (metric.plan.kind) {
    case 'counter':
    case 'upDownCounter':
      return { descriptor, aggregationTemporality, dataPointType: DataPointType.SUM, isMonotonic: metric.plan.kind === 'counter', dataPoints: [] };
    case 'gauge':
      return { descriptor, aggregationTemporality, dataPointType: DataPointType.GAUGE, dataPoints: [] };
    case 'histogram':
      return metric.plan.exponential === true
        ? { descriptor, aggregationTemporality, dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM, dataPoints: [] }
        : { descriptor, aggregationTemporality, dataPointType: DataPointType.HISTOGRAM, dataPoints: [] };
  }
}

function toPoint(metric: MetricView, table: SeriesTable, id: number, endTime: HrTime): DataPoint<unknown> {
  const startTime = millisToHrTime(table.startTimeMs(id));
  const attributes = table.attributes[id] ?? {};
  const exponential = table.exponentialPoint(id);
  if (exponential !== undefined) {
    const { min, max, ...rest } = exponential;
    return { startTime, endTime, attributes, value: { ...rest, min: rest.count > 0 ? min : undefined, max: rest.count > 0 ? max : undefined } };
  }
  const histogram = table.histogram(id);
  if (histogram === undefined) return { startTime, endTime, attributes, value: table.values[id] };
  return { startTime, endTime, attributes, value: histogramValue(metric, histogram) };
}

/**
 * An explicit-bucket histogram's point value: min and max only when there were observations and they are known (a
 * delta's are NaN: they cannot be taken apart).
 */
function histogramValue(metric: MetricView, { counts, count, sum, min, max }: HistogramState): Histogram {
  const known = count > 0 && !Number.isNaN(min);
  return {
    buckets: { boundaries: metric.plan.boundaries as number[], counts },
    count,
    sum,
    min: known ? min : undefined,
    max: known ? max : undefined,
  };
}
