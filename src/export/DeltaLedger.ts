import type { DataPoint, ResourceMetrics } from '@opentelemetry/sdk-metrics';

/**
 * The delta points of the requests under way, each with what delivering it commits (the series' state it was taken
 * from becomes its baseline). A point is settled when the request holding it was delivered, or when it was dropped
 * for good (refused alone as too large); a point of a failed request is never settled, so its series' next delta
 * still holds everything since the last delivered one. That is how the deltas a collector receives add up to what
 * was recorded across outages, an open breaker and 413 splits, where the SDK's own delta temporality loses the
 * counts of every failed export.
 *
 * Points are keyed by identity: splitting a request in halves keeps its point objects, so each half settles its own.
 */
export class DeltaLedger {
  private readonly pending = new WeakMap<DataPoint<unknown>, () => void>();

  /** Remembers what delivering `point` commits. */
  hold(point: DataPoint<unknown>, commit: () => void): void {
    this.pending.set(point, commit);
  }

  /** Commits every held point of `request` (each once). */
  settle(request: ResourceMetrics): void {
    for (const scope of request.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints as DataPoint<unknown>[]) {
          const commit = this.pending.get(point);
          if (commit === undefined) continue;
          this.pending.delete(point);
          commit();
        }
      }
    }
  }
}
