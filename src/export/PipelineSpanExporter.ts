import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { DropCounters } from '../health/DropCounters';
import { SPANS_BATCHING } from './batchings';
import { deliver } from './deliver';
import type { ExportGuard } from './ExportGuard';
import type { ExportSink } from './ExportSink';

/**
 * The traces pipeline's exporter, behind the batch span processor: every batch goes through the signal's breaker,
 * is split when it encodes over the byte limit or the collector answers 413, and must arrive before the traces
 * deadline (`spanBatch.exportTimeoutMs`). Spans that could not be delivered are counted as dropped.
 */
export class PipelineSpanExporter implements SpanExporter {
  /** Set at shutdown: the last batches go through even while the breaker is open, before this deadline. */
  finalDeadline: number | undefined;
  /** Spans per request; lowered when the collector refuses a request as too large, raised again after 10 successes. */
  maxSpans = Infinity;
  private successesAtLowered = 0;

  constructor(
    private readonly sink: ExportSink<ReadableSpan[]>,
    private readonly guard: ExportGuard,
    private readonly counters: DropCounters,
    private readonly maxBytes: number,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const final = this.finalDeadline !== undefined;
    if (!this.guard.admit(final)) {
      this.counters.lose('span_export_failed', spans.length);
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('otel-facade: traces circuit breaker is open') });
      return;
    }
    const reporter = this.guard.reporter;
    let tooLarge = 0;
    const deadline = Math.min(this.now() + this.timeoutMs, this.finalDeadline ?? Infinity);
    void deliver(spans, SPANS_BATCHING, this.sink, this.maxBytes, deadline, {
      tooLarge: (items, bytes) => {
        this.guard.status.tooLarge++;
        this.successesAtLowered = 0;
        this.maxSpans = Math.max(1, Math.min(this.maxSpans, items >> 1));
        reporter.tooLarge(bytes, items, this.maxSpans, 'spans');
      },
      dropped: (batch) => {
        tooLarge += batch.length;
        this.counters.lose('export_too_large', batch.length);
        reporter.droppedTooLarge('span');
      },
      rejected: (count, message) => reporter.rejected(count, message, 'spans'),
    }, () => this.maxSpans).then((delivery) => {
      if (delivery.ok) {
        this.guard.succeeded(final);
        this.raiseLoweredLimit();
        resultCallback({ code: ExportResultCode.SUCCESS });
        return;
      }
      this.guard.failed(delivery.failure, final);
      this.counters.lose('span_export_failed', spans.length - delivery.sent - tooLarge);
      resultCallback({ code: ExportResultCode.FAILED, error: new Error(delivery.failure.detail) });
    });
  }

  async forceFlush(): Promise<void> {}

  /** After 10 successful exports at a limit lowered by 413, tries twice as many spans again. */
  private raiseLoweredLimit(): void {
    if (this.maxSpans === Infinity || ++this.successesAtLowered < 10) return;
    this.successesAtLowered = 0;
    this.maxSpans *= 2;
  }

  shutdown(): Promise<void> {
    return this.sink.shutdown();
  }
}
