import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExportGuard } from '../protection/ExportGuard';
import type { ExportStatus } from './ExportStatus';

/**
 * Stands between the batch span processor and the OTLP span exporter: exports go through the circuit breaker, and
 * spans that could not be exported (failed, or skipped while the breaker is open) are counted as dropped.
 */
export class GuardedSpanExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly guard: ExportGuard,
    private readonly status: ExportStatus,
    private readonly onDropped: (spans: number) => void,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.guard.run(this.status, (done) => this.inner.export(spans, done), resultCallback, () => this.onDropped(spans.length));
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
