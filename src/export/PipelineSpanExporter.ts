import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { DropCounters } from '../health/DropCounters';
import { SPANS_BATCHING } from './batchings';
import { deliver } from './deliver';
import { RequestLimit } from './RequestLimit';
import { RELEASE_GRACE_MS, settleBy } from './settleBy';
import type { ExportGuard } from './ExportGuard';
import type { ExportSink } from './ExportSink';


/**
 * The traces pipeline's exporter, behind the batch span processor: every batch goes through the signal's breaker,
 * is split when it encodes over the byte limit or the collector answers 413, and must arrive before the traces
 * deadline (`spanBatch.exportTimeoutMs`). Spans that could not be delivered are counted as dropped.
 *
 * At shutdown the batch processor's queue is exported as a last attempt (`finalDeadline`), and exports already
 * running are waited for, not aborted: the spans they carry are nowhere else. An export that ends while shutting
 * down counts as a last attempt, so its failure is what shutdown reports. Whatever still runs at the deadline is
 * abandoned by `release()`, and its spans counted as lost before the health after shutdown is taken.
 */
export class PipelineSpanExporter implements SpanExporter {
  /** Set at shutdown: the last batches go through even while the breaker is open, before this deadline. */
  finalDeadline: number | undefined;
  /** How large a request the collector takes, learned from its 413 answers. */
  readonly limit: RequestLimit;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly sink: ExportSink<ReadableSpan[]>,
    private readonly guard: ExportGuard,
    private readonly counters: DropCounters,
    maxBytes: number,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.limit = new RequestLimit(maxBytes, Infinity, now);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const final = this.finalDeadline !== undefined;
    if (!this.guard.admit(final)) {
      this.counters.lose('span_export_failed', spans.length);
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('otel-facade: traces circuit breaker is open') });
      return;
    }
    const reporter = this.guard.reporter;
    const deadline = Math.min(this.now() + this.timeoutMs, this.finalDeadline ?? Infinity);
    let unsettled = spans.length; // neither accepted nor counted as dropped yet
    const done = deliver(spans, SPANS_BATCHING, this.sink, this.limit, deadline, {
      tooLarge: (items, bytes) => {
        this.guard.status.tooLarge++;
        if (items > 1) reporter.tooLarge(bytes, items, this.limit, 'spans');
      },
      dropped: (batch) => {
        unsettled -= batch.length;
        this.counters.lose('export_too_large', batch.length);
        reporter.droppedTooLarge('span');
      },
      rejected: (count, message) => reporter.rejected(count, message, 'spans'),
      accepted: (items) => {
        unsettled -= items;
      },
    }).then((delivery) => {
      this.running.delete(done);
      // An export that ends while shutting down is a last attempt, whenever it began.
      const final = this.finalDeadline !== undefined;
      if (delivery.ok) {
        this.guard.succeeded(final);
        resultCallback({ code: ExportResultCode.SUCCESS });
        return;
      }
      this.guard.failed(delivery.failure, final);
      this.counters.lose('span_export_failed', unsettled);
      resultCallback({ code: ExportResultCode.FAILED, error: new Error(delivery.failure.detail) });
    });
    this.running.add(done);
  }

  async forceFlush(): Promise<void> {}

  /**
   * Called by the batch processor when it shuts down: waits for the exports still running (each bounded by its own
   * deadline; the pipeline bounds the wait by the shutdown deadline). The sockets are released by `release()`.
   */
  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /**
   * Gives up whatever still runs (its requests aborted, its retry waits ended) and releases every socket. Resolves
   * once the abandoned exports have settled, as the last attempts they are, with the cause they were retrying, so
   * that the health after shutdown counts their spans as lost; or after `graceMs`, whichever comes first.
   */
  async release(graceMs = RELEASE_GRACE_MS): Promise<void> {
    const running = [...this.running];
    await this.sink.shutdown();
    if (running.length > 0) await settleBy(Promise.allSettled(running), this.now() + graceMs, this.now);
  }
}
