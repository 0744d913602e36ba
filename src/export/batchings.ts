import type { DataPoint, MetricData, ResourceMetrics, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Batching } from './deliver';

/** Data points of a metrics request, counted and split in halves with their scopes and descriptors kept. */
export const METRICS_BATCHING: Batching<ResourceMetrics> = {
  size(request) {
    let points = 0;
    for (const scope of request.scopeMetrics) for (const metric of scope.metrics) points += metric.dataPoints.length;
    return points;
  },
  halve(request) {
    let left = Math.floor(METRICS_BATCHING.size(request) / 2);
    const first: ScopeMetrics[] = [];
    const second: ScopeMetrics[] = [];
    for (const scope of request.scopeMetrics) {
      const a: MetricData[] = [];
      const b: MetricData[] = [];
      for (const metric of scope.metrics) {
        const points = metric.dataPoints as DataPoint<unknown>[];
        const cut = Math.min(left, points.length);
        left -= cut;
        if (cut > 0) a.push({ ...metric, dataPoints: points.slice(0, cut) } as MetricData);
        if (cut < points.length) b.push({ ...metric, dataPoints: points.slice(cut) } as MetricData);
      }
      if (a.length > 0) first.push({ scope: scope.scope, metrics: a });
      if (b.length > 0) second.push({ scope: scope.scope, metrics: b });
    }
    return [{ resource: request.resource, scopeMetrics: first }, { resource: request.resource, scopeMetrics: second }];
  },
};

/** Spans of a traces request. */
export const SPANS_BATCHING: Batching<ReadableSpan[]> = {
  size: (spans) => spans.length,
  halve: (spans) => [spans.slice(0, spans.length >> 1), spans.slice(spans.length >> 1)],
};
