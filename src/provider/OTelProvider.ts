import { context, metrics, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import {
  AggregationTemporality,
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricProducer,
  type MetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import { buildSampler } from '../tracing/sampler';
import { CountingBatchSpanProcessor } from './CountingBatchSpanProcessor';
import { VERSION } from '../version';
import type { Resource } from '@opentelemetry/resources';
import type { ResolvedConfig } from '../config/TelemetryConfig';
import type { Diagnostics } from '../diagnostics/Diagnostics';
import { ExportStatus } from './ExportStatus';
import { GuardedMetricExporter } from './GuardedMetricExporter';
import { GuardedSpanExporter } from './GuardedSpanExporter';
import { CircuitBreaker } from '../protection/CircuitBreaker';
import { ExportGuard } from '../protection/ExportGuard';
import type { DropCounters } from '../health/DropCounters';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { buildResource } from './resource';
import { apiVersionReport } from './apiVersion';

/** Options for tests and embedders: replace the OTLP exporters (the guard stays in front of them). */
export interface OTelProviderOptions {
  /** Used instead of the OTLP/HTTP protobuf metric exporter. */
  metricExporter?: PushMetricExporter;
  /** Used instead of the OTLP/HTTP protobuf span exporter. */
  spanExporter?: SpanExporter;
}

/**
 * The OpenTelemetry SDK side of the library: a MeterProvider whose periodic reader pulls our pre-aggregated
 * series through a MetricProducer, a TracerProvider, their OTLP/HTTP protobuf exporters and the resource.
 */
export class OTelProvider {
  /** The MeterProvider; the application may create its own instruments on it. */
  readonly meterProvider: MeterProvider;
  /** The TracerProvider. */
  readonly tracerProvider: BasicTracerProvider;
  /** Outcome of metric exports. */
  readonly metricExports = new ExportStatus();
  /** Outcome of span exports. */
  readonly spanExports = new ExportStatus();
  /** The export circuit breaker, shared by the metric and the span exporter. */
  readonly breaker: CircuitBreaker;
  /** The resource on every export. */
  readonly resource: Resource;
  /** The tracer behind startSpan() and friends. */
  readonly tracer: Tracer;
  private registeredMeter = false;
  private registeredTracer = false;
  private registeredContext = false;
  private registeredPropagator = false;

  constructor(
    config: ResolvedConfig,
    producer: MetricProducer,
    private readonly diagnostics: Diagnostics,
    counters: DropCounters,
    options: OTelProviderOptions = {},
  ) {
    this.breaker = new CircuitBreaker(config.circuitBreaker);
    const guard = new ExportGuard(this.breaker);
    this.resource = buildResource(config);
    // The exporter gives up before the reader does, so a hung collector surfaces as the exporter's own error.
    const exporterTimeoutMs = Math.max(1, Math.floor(config.exportTimeoutMs * 0.9));
    const compression = config.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
    const toConsole = config.exporter === 'console';
    const otlpMetricExporter =
      options.metricExporter ??
      (toConsole ? new ConsoleMetricExporter({ temporalitySelector: () => AggregationTemporality.CUMULATIVE }) : undefined) ??
      new OTLPMetricExporter({
        url: config.metricsUrl,
        headers: config.headers,
        compression,
        timeoutMillis: exporterTimeoutMs,
        temporalityPreference: AggregationTemporality.CUMULATIVE,
      });
    const readers: MetricReader[] = [];
    if (config.exporter !== 'none' || options.metricExporter !== undefined) {
      readers.push(new PeriodicExportingMetricReader({
        exporter: new GuardedMetricExporter(otlpMetricExporter, guard, this.metricExports),
        exportIntervalMillis: config.exportIntervalMs,
        exportTimeoutMillis: config.exportTimeoutMs,
        metricProducers: [producer],
      }));
    }
    if (config.prometheus !== undefined) readers.push(this.prometheusReader(config.prometheus, producer, counters));
    this.meterProvider = new MeterProvider({ resource: this.resource, readers });

    const otlpSpanExporter =
      options.spanExporter ??
      (toConsole ? new ConsoleSpanExporter() : undefined) ??
      new OTLPTraceExporter({
        url: config.tracesUrl,
        headers: config.headers,
        compression,
        timeoutMillis: exporterTimeoutMs,
      });
    const spanExporter = new GuardedSpanExporter(otlpSpanExporter, guard, this.spanExports,
      (spans) => counters.drop('span_export_failed', spans));
    const pushSpans = config.exporter !== 'none' || options.spanExporter !== undefined;
    this.tracerProvider = new BasicTracerProvider({
      resource: this.resource,
      sampler: buildSampler(config.sampler),
      spanProcessors: pushSpans
        ? [new CountingBatchSpanProcessor(spanExporter, config.spanBatch, () => counters.drop('span_queue_full'))]
        : [],
    });
    this.tracer = this.tracerProvider.getTracer('otel-facade', VERSION);

    // Active context (AsyncLocalStorage) and W3C propagation are what make spans nest and cross services; they
    // are registered unless the application registered its own, which we then use.
    this.registeredContext = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    this.registeredPropagator = propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
    if (config.registerGlobal) this.registerGlobals();
  }

  /** Exports metrics and spans now. */
  async forceFlush(): Promise<void> {
    await Promise.all([this.meterProvider.forceFlush(), this.tracerProvider.forceFlush()]);
  }

  /** Flushes and stops both providers, and unregisters the globals it registered. */
  async shutdown(): Promise<void> {
    if (this.registeredMeter) metrics.disable();
    if (this.registeredTracer) trace.disable();
    if (this.registeredContext) context.disable();
    if (this.registeredPropagator) propagation.disable();
    this.registeredMeter = this.registeredTracer = this.registeredContext = this.registeredPropagator = false;
    await Promise.all([this.meterProvider.shutdown(), this.tracerProvider.shutdown()]);
  }

  /** The `/metrics` endpoint: a pull reader over the same Registry; a listen error is reported, never swallowed. */
  private prometheusReader(
    prometheus: NonNullable<ResolvedConfig['prometheus']>,
    producer: MetricProducer,
    counters: DropCounters,
  ): MetricReader {
    const address = `http://${prometheus.host}:${prometheus.port}${prometheus.endpoint}`;
    return new PrometheusExporter({
      host: prometheus.host,
      port: prometheus.port,
      endpoint: prometheus.endpoint,
      metricProducers: [producer],
    }, (error) => {
      if (error === undefined || error === null) return;
      const message = error instanceof Error ? error.message : String(error);
      counters.error(`Prometheus endpoint ${address} could not listen: ${message}`);
      this.diagnostics.warn(
        `the Prometheus endpoint ${address} could not listen: ${message}. Pick a free port (prometheus.port) or ` +
          'stop whatever holds it; OTLP export, if configured, is unaffected.',
      );
    });
  }

  private registerGlobals(): void {
    this.registeredMeter = metrics.setGlobalMeterProvider(this.meterProvider);
    this.registeredTracer = trace.setGlobalTracerProvider(this.tracerProvider);
    const api = apiVersionReport();
    if (api.mismatch) {
      this.diagnostics.warn(
        `@opentelemetry/api ${api.globalVersion} owns the OpenTelemetry globals but otel-facade loads ${api.version}: ` +
          'two copies of the API are installed, so instruments and spans of the application and of otel-facade do ' +
          'not meet. Install one copy (npm dedupe; otel-facade declares it as a peer dependency).',
      );
    } else if (!this.registeredMeter || !this.registeredTracer) {
      this.diagnostics.warn(
        'another OpenTelemetry MeterProvider or TracerProvider is already registered globally; otel-facade keeps ' +
          'its own providers and records through them. Set registerGlobal: false to silence this.',
      );
    }
  }
}
