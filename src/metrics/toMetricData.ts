import { ValueType, type HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import type { MetricState } from './MetricState';
import type { Series } from './Series';

/**
 * Converts one metric's pre-aggregated series into the SDK's MetricData, cumulative, as the SDK's own
 * aggregators would have produced it. Returns undefined for a metric without series.
 */
export function toMetricData(metric: MetricState, endTime: HrTime): MetricData | undefined {
  if (metric.seriesCount === 0) return undefined;
  const descriptor = {
    name: metric.name,
    description: metric.description,
    unit: metric.plan.unit,
    valueType: ValueType.DOUBLE,
  };
  const aggregationTemporality = AggregationTemporality.CUMULATIVE;
  const series = [...metric.series.values()];
  if (metric.overflow !== undefined) series.push(metric.overflow);
  switch (metric.plan.kind) {
    case 'counter':
    case 'upDownCounter':
      return {
        descriptor,
        aggregationTemporality,
        dataPointType: DataPointType.SUM,
        isMonotonic: metric.plan.kind === 'counter',
        dataPoints: series.map((s) => point(s, endTime, s.value)),
      };
    case 'gauge':
      return {
        descriptor,
        aggregationTemporality,
        dataPointType: DataPointType.GAUGE,
        dataPoints: series.map((s) => point(s, endTime, s.value)),
      };
    case 'histogram': {
      const boundaries = metric.plan.boundaries as number[];
      return {
        descriptor,
        aggregationTemporality,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: series.map((s) =>
          point(s, endTime, {
            buckets: { boundaries, counts: Array.from(s.counts as Float64Array) },
            count: s.count,
            sum: s.sum,
            min: s.count > 0 ? s.min : undefined,
            max: s.count > 0 ? s.max : undefined,
          }),
        ),
      };
    }
  }
}

function point<T>(series: Series, endTime: HrTime, value: T) {
  return { startTime: series.startTime, endTime, attributes: series.attributes, value };
}
