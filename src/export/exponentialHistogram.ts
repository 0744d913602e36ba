import type { ExponentialAccumulator } from '../metrics/SeriesTable';

/** Most buckets per sign, as the specification's default and the issue ask. */
const MAX_SIZE = 160;

interface SdkAggregator {
  createAccumulation(startTime: [number, number]): ExponentialAccumulator;
}

let aggregator: SdkAggregator | undefined;

/**
 * A series' base-2 exponential histogram, aggregated by the SDK's own `ExponentialHistogramAccumulation` (at most
 * 160 buckets, the scale starting at 20 and lowered as the data's range needs; exact count, sum, min and max), so
 * the buckets are the SDK's to the bit. Loaded when the first exponential histogram is created: the module is
 * internal to `@opentelemetry/sdk-metrics`, whose exact version is pinned.
 */
export function exponentialAccumulator(): ExponentialAccumulator {
  aggregator ??= new ((require('@opentelemetry/sdk-metrics/build/src/aggregator/ExponentialHistogram') as
    { ExponentialHistogramAggregator: new (maxSize: number, recordMinMax: boolean) => SdkAggregator }).ExponentialHistogramAggregator)(MAX_SIZE, true);
  return aggregator.createAccumulation([0, 0]);
}
