import type { ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  type InstrumentType,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ExportGuard } from '../protection/ExportGuard';
import type { ExportStatus } from './ExportStatus';

/**
 * Stands between the periodic reader and the OTLP metric exporter: every export goes through the circuit breaker
 * and its outcome is recorded. Temporality is always cumulative, so an export that fails or is skipped loses
 * nothing: the series stay in the Registry and the next successful export carries the full totals.
 */
export class GuardedMetricExporter implements PushMetricExporter {
  constructor(
    private readonly inner: PushMetricExporter,
    private readonly guard: ExportGuard,
    private readonly status: ExportStatus,
  ) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.guard.run(this.status, (done) => this.inner.export(metrics, done), resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  selectAggregationTemporality(_instrumentType: InstrumentType): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }
}
