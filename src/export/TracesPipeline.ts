import { displayUrl } from '../config/endpoint';
import { ConsoleSpanExporter, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ResolvedTracesSignal, SpanBatchConfig } from '../config/TelemetryConfig';
import type { Diagnostics } from '../diagnostics/Diagnostics';
import type { DropCounters } from '../health/DropCounters';
import type { CircuitState, SignalHealth } from '../health/Health';
import { CountingBatchSpanProcessor } from './CountingBatchSpanProcessor';
import type { ExportFailure } from './ExportFailure';
import { ExportGuard } from './ExportGuard';
import { encodingOf, ExporterSink, otlpSink, type ExportSink } from './ExportSink';
import { PipelineSpanExporter } from './PipelineSpanExporter';
import { attemptDeadline, settleBy } from './settleBy';

/** What the traces pipeline is built from. */
export interface TracesPipelineOptions {
  /** The traces section of the resolved configuration. */
  config: ResolvedTracesSignal;
  /** The batch span processor's settings. */
  spanBatch: SpanBatchConfig;
  /** Where dropped spans are counted. */
  counters: DropCounters;
  /** Where problems are reported. */
  diagnostics: Diagnostics;
  /** Hears every change of this pipeline's breaker. */
  onCircuitChange: (state: CircuitState, previous: CircuitState) => void;
  /** The clock. */
  now: () => number;
  /** Replaces the push exporter (tests, embedders); the guard and deadline stay in front of it. */
  exporter?: SpanExporter;
}

/**
 * The traces signal from ended span to collector: a bounded batch span processor (spans past its queue are counted
 * as `span_queue_full`) in front of our exporter, with this signal's own breaker, status and reporter.
 */
export class TracesPipeline {
  /** The processors the TracerProvider is built with; none when traces are not exported. */
  readonly processors: SpanProcessor[];
  /** This signal's breaker, status and reporter. */
  readonly guard: ExportGuard;
  private readonly exporter: PipelineSpanExporter | undefined;
  private readonly kind: SignalHealth['exporter'];

  constructor(private readonly options: TracesPipelineOptions) {
    const { config, counters, diagnostics, now } = options;
    this.kind = options.exporter !== undefined ? 'otlp' : config.exporter;
    const sink = this.kind === 'none' ? undefined : this.buildSink(options.exporter);
    this.guard = new ExportGuard('traces', sink?.target ?? displayUrl(config.url), config.circuitBreaker, diagnostics, options.onCircuitChange, now,
      encodingOf(config.protocol));
    this.guard.adopt(sink);
    if (sink === undefined) {
      this.processors = [];
      return;
    }
    this.exporter = new PipelineSpanExporter(sink, this.guard, counters, config.maxBytesPerRequest, config.timeoutMs, now);
    this.processors = [new CountingBatchSpanProcessor(this.exporter, options.spanBatch, () => counters.lose('span_queue_full'))];
  }

  /**
   * Exports the spans queued so far. Never rejects: the batch processor rejects when an export fails, but the
   * failure is already in this signal's status, reported and counted.
   */
  async flush(): Promise<void> {
    await Promise.allSettled(this.processors.map((processor) => processor.forceFlush()));
  }

  /**
   * Exports what is queued as a last attempt, even while the breaker is open, and waits for the exports already
   * running, before `deadlineAt`; then stops the processor. The sockets are released by `release()`.
   */
  async shutdown(deadlineAt: number): Promise<void> {
    if (this.exporter === undefined) return;
    this.exporter.finalDeadline = attemptDeadline(deadlineAt, this.options.now());
    await settleBy(this.flush(), deadlineAt, this.options.now);
    // The processor's shutdown waits for the exports still running (our exporter's shutdown()).
    await settleBy(Promise.allSettled(this.processors.map((processor) => processor.shutdown())), deadlineAt, this.options.now);
  }

  /**
   * Releases the exporter's sockets at once, whatever is still running; resolves once what was abandoned is
   * counted (shortly after, never later than a grace period).
   */
  release(): Promise<void> {
    return this.exporter?.release() ?? Promise.resolve();
  }

  /** How the last attempts at shutdown went: none made, all delivered, or the failure of one. */
  get finalOutcome(): 'none' | 'delivered' | ExportFailure {
    return this.guard.finalOutcome;
  }

  /** The signal's health. */
  health(): SignalHealth {
    const limit = this.exporter?.limit;
    return this.guard.health(this.kind, Math.min(this.options.spanBatch.maxExportBatchSize, limit?.items ?? Infinity),
      limit?.bytes ?? this.options.config.maxBytesPerRequest);
  }

  private buildSink(exporter: SpanExporter | undefined): ExportSink<ReadableSpan[]> {
    const config = this.options.config;
    if (exporter !== undefined) return new ExporterSink(exporter, config.url);
    if (config.exporter === 'console') return new ExporterSink(new ConsoleSpanExporter(), 'console');
    // Loaded here, as for metrics: only a process that pushes OTLP loads the encoders.
    const { JsonTraceSerializer, ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
    return otlpSink('traces', config, { protobuf: ProtobufTraceSerializer, json: JsonTraceSerializer }, this.options.now);
  }
}
