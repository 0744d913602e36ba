import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { SpanBatchConfig } from '../config/TelemetryConfig';

/**
 * The SDK's batch span processor, whose queue is bounded by `maxQueueSize`, with one addition: a span dropped
 * because the queue is full is counted. The SDK drops such spans silently (a debug line); we look at its queue
 * (`_finishedSpans`, stable in the pinned 2.12 line) before handing the span over, and fall back to not counting
 * if that field ever changes.
 */
export class CountingBatchSpanProcessor extends BatchSpanProcessor {
  private readonly maxQueueSize: number;

  constructor(
    exporter: SpanExporter,
    config: SpanBatchConfig,
    private readonly onQueueFull: () => void,
  ) {
    super(exporter, {
      maxQueueSize: config.maxQueueSize,
      maxExportBatchSize: config.maxExportBatchSize,
      scheduledDelayMillis: config.scheduledDelayMs,
      // Our exporter enforces spanBatch.exportTimeoutMs itself and reports the real cause; the processor's own
      // timeout is only a backstop behind it.
      exportTimeoutMillis: config.exportTimeoutMs + 1000,
    });
    this.maxQueueSize = config.maxQueueSize;
  }

  override onEnd(span: ReadableSpan): void {
    const queue = (this as unknown as { _finishedSpans?: unknown })._finishedSpans;
    if ((span.spanContext().traceFlags & 1) !== 0 && Array.isArray(queue) && queue.length >= this.maxQueueSize) {
      this.onQueueFull();
    }
    super.onEnd(span);
  }
}
