import { displayUrl } from '../config/endpoint';
import { hrTime, hrTimeToMilliseconds } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  ConsoleMetricExporter,
  MeterProvider,
  type MetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ResolvedMetricsSignal } from '../config/TelemetryConfig';
import type { Diagnostics } from '../diagnostics/Diagnostics';
import type { DropCounters } from '../health/DropCounters';
import type { CircuitState, SignalHealth } from '../health/Health';
import type { MetricStore, StoreReader } from '../metrics/MetricStore';
import { METRICS_BATCHING } from './batchings';
import { RequestLimit } from './RequestLimit';
import { deliver, type DeliveryHooks } from './deliver';
import { otherFailure, SUPERSEDED_FAILURE, type ExportFailure } from './ExportFailure';
import { ExportGuard } from './ExportGuard';
import { encodingOf, ExporterSink, otlpSink, type ExportSink } from './ExportSink';
import { exemplarSerializers } from './exemplarSerializers';
import { MetricChunkBuilder, ScopeMetricsSlicer } from './MetricChunkBuilder';
import { PrometheusEndpoint } from './PrometheusEndpoint';
import { SdkMetricsReader } from './SdkMetricsReader';
import { nextTurn } from './nextTurn';
import { DeltaLedger } from './DeltaLedger';
import { SdkDeltaConverter } from './SdkDeltaConverter';
import { RequestPacer } from './RequestPacer';
import { observableCounters } from './observableCounters';
import { RUNTIME_SCOPE, RuntimeMetrics } from './RuntimeMetrics';
import { VERSION } from '../version';
import { attemptDeadline, settleBy } from './settleBy';

/** Data points gathered per turn of the event loop while a request is built. */
const POINTS_PER_TURN = 500;
/**
 * The first request a pipeline sends holds at most this many points: the serializer's first run is unoptimized
 * (measured at 11-21 ms for 2000 points, against 1-4 ms once warm), so it is kept short.
 */
const FIRST_REQUEST_POINTS = 200;

/** Successful collections at a limit lowered by 413 before it is raised again (doubled), in case it was transient. */

/** What the metrics pipeline is built from. */
export interface MetricsPipelineOptions {
  /** The metrics section of the resolved configuration. */
  config: ResolvedMetricsSignal;
  /** The store whose series are exported. */
  store: MetricStore;
  /** The resource on every request. */
  resource: Resource;
  /** The instrumentation scope of the store's metrics. */
  scope: { name: string; version: string };
  /** Where points the collector refuses outright are counted. */
  counters: DropCounters;
  /** Where problems are reported. */
  diagnostics: Diagnostics;
  /** Hears every change of this pipeline's breaker. */
  onCircuitChange: (state: CircuitState, previous: CircuitState) => void;
  /** The clock. */
  now: () => number;
  /** Replaces the push exporter (tests, embedders); the guard, chunking and deadline stay in front of it. */
  exporter?: PushMetricExporter;
  /** Whether the Node.js runtime metrics are exported (see `RuntimeMetrics`). */
  runtimeMetrics?: boolean;
  /** Scopes of the MeterProvider whose monotonic sums are all observable (they stay cumulative under `lowmemory`). */
  observableScopes?: readonly string[];
}

/**
 * The metrics signal from store to collector. Every `intervalMs` it takes a snapshot of the store and of the
 * MeterProvider's own instruments and pushes it in requests bounded in data points and bytes, one request at a
 * time, so that no single turn of the event loop encodes more than one request's worth. A request the collector
 * refuses as too large (413) is split and the limit lowered for good. The collection counts as delivered (and the
 * store may evict what it held) only when every request succeeded; since values are cumulative, a failed or
 * skipped export loses nothing. The breaker, status and reporter are this signal's own.
 *
 * Alongside or instead of pushing, the pipeline may serve a Prometheus scrape endpoint over the same store.
 */
export class MetricsPipeline {
  /** The MeterProvider the application's own OpenTelemetry instruments live on. */
  readonly meterProvider: MeterProvider;
  /** This signal's breaker, status and reporter. */
  readonly guard: ExportGuard;
  /** The scrape endpoint, when metrics are served for Prometheus. */
  readonly prometheus: PrometheusEndpoint | undefined;
  private readonly push: { sink: ExportSink<ResourceMetrics>; reader: SdkMetricsReader; storeReader: StoreReader } | undefined;
  /** Under a delta preference: the delta points under way, and the SDK instruments' conversion. */
  private readonly deltas: { ledger: DeltaLedger; sdk: SdkDeltaConverter } | undefined;
  private readonly options: MetricsPipelineOptions;
  /** How large a request the collector takes, learned from its 413 answers. */
  private readonly limit: RequestLimit;
  /** Estimated bytes per point of the last request gathered, to size the first slice of the next one. */
  private bytesPerPoint = 64;
  private warmedUp = false;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  /** A flush queued and not started yet, which a later flush joins. */
  private waiting: Promise<void> | undefined;
  private running = false;
  private stopped = false;
  /** The runtime metrics, when on and something reads the MeterProvider. */
  private readonly runtime: RuntimeMetrics | undefined;

  constructor(options: MetricsPipelineOptions) {
    this.options = options;
    const { config, store, diagnostics, now } = options;
    this.limit = new RequestLimit(config.maxBytesPerRequest, config.maxPointsPerRequest, now);
    const kind = options.exporter !== undefined ? 'otlp' : config.exporter;
    const sink = kind === 'none' ? undefined : this.buildSink(kind, options.exporter);
    this.guard = new ExportGuard('metrics', sink?.target ?? displayUrl(config.url), config.circuitBreaker, diagnostics, options.onCircuitChange, now,
      encodingOf(config.protocol));
    this.guard.adopt(sink);
    const readers: MetricReader[] = [];
    if (sink !== undefined) {
      const reader = new SdkMetricsReader();
      readers.push(reader);
      // The push exporters carry exemplars (OTLP in its data points, the console in what it prints).
      this.push = { sink, reader, storeReader: store.addReader('push', true) };
    }
    const temporality = config.temporality;
    if (sink !== undefined && temporality !== 'cumulative') {
      store.trackDeltas();
      this.deltas = {
        ledger: new DeltaLedger(),
        sdk: new SdkDeltaConverter(temporality, new Set([RUNTIME_SCOPE, ...options.observableScopes ?? []]), () => observableCounters(this.meterProvider)),
      };
    }
    if (config.prometheus !== undefined) {
      this.prometheus = new PrometheusEndpoint(config.prometheus, store, options.resource, options.scope, options.counters, diagnostics, now);
      readers.push(this.prometheus.sdkReader);
    }
    this.meterProvider = new MeterProvider({ resource: options.resource, readers });
    // Only when something collects: observable instruments cost nothing until then, the delay timer and the GC
    // observer would.
    this.runtime = options.runtimeMetrics === true && readers.length > 0
      ? new RuntimeMetrics(this.meterProvider.getMeter(RUNTIME_SCOPE, VERSION))
      : undefined;
  }

  /** Starts the periodic export and the scrape endpoint. */
  start(): void {
    this.prometheus?.start();
    if (this.push !== undefined) this.schedule();
  }

  /**
   * Exports now; resolves once everything recorded before the call was exported (or the export failed). Flushes
   * that arrive while one waits to start join it: it will carry everything they recorded too.
   */
  flush(): Promise<void> {
    if (this.waiting !== undefined) return this.waiting;
    const flush = this.enqueue(false, Infinity);
    this.waiting = flush;
    return flush;
  }

  /**
   * Stops the periodic export and makes one last attempt, even while the breaker is open, before `deadlineAt`.
   * Then it releases every socket, timer and the scrape endpoint, whatever the collector does.
   */
  async shutdown(deadlineAt: number): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const now = this.options.now;
    // A collection still under way (a slow collector) gives way: the last one carries the same totals and more.
    if (this.running) this.push?.sink.abort?.();
    await settleBy(this.enqueue(true, attemptDeadline(deadlineAt, now())), deadlineAt, now);
    this.runtime?.stop();
    await this.push?.sink.shutdown();
    await this.prometheus?.close();
    await settleBy(this.meterProvider.shutdown(), deadlineAt, this.options.now);
  }

  /** Releases sockets, timers and the scrape endpoint at once, whatever is still running. */
  release(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.runtime?.stop();
    void this.push?.sink.shutdown();
    void this.prometheus?.close();
  }

  /** How the last attempts at shutdown went: none made, all delivered, or the failure of one. */
  get finalOutcome(): 'none' | 'delivered' | ExportFailure {
    return this.guard.finalOutcome;
  }

  /** The signal's health. */
  health(): SignalHealth {
    const health = this.guard.health(this.options.exporter !== undefined ? 'otlp' : this.options.config.exporter, this.pointsPerRequest(),
      this.limit.bytes);
    if (this.prometheus !== undefined) health.prometheus = this.prometheus.health();
    if (this.push !== undefined) health.temporality = this.options.config.temporality;
    return health;
  }

  private buildSink(kind: 'otlp' | 'console', exporter: PushMetricExporter | undefined): ExportSink<ResourceMetrics> {
    const config = this.options.config;
    if (exporter !== undefined) return new ExporterSink(exporter, config.url);
    if (kind === 'console') {
      return new ExporterSink(new ConsoleMetricExporter({ temporalitySelector: () => AggregationTemporality.CUMULATIVE }), 'console');
    }
    // Loaded here so that a process that never pushes OTLP never loads the encoders (34 modules).
    const { JsonMetricsSerializer, ProtobufMetricsSerializer } = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
    const serializers = exemplarSerializers({ protobuf: ProtobufMetricsSerializer, json: JsonMetricsSerializer }, (why) => {
      this.options.diagnostics.warnOnce('exemplar_encoding',
        `exemplars could not be added to a metrics export request (${why}); it was sent without them. Please report ` +
          'this as a bug, with the versions of @opentelemetry/otlp-transformer and otel-facade.');
    });
    return otlpSink('metrics', config, serializers, this.options.now);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      // A collection still running (a slow collector) is not doubled up; the next tick tries again.
      if (this.queued === 0) void this.enqueue(false, Infinity);
      this.schedule();
    }, this.options.config.intervalMs);
    this.timer.unref();
  }

  private enqueue(final: boolean, deadlineAt: number): Promise<void> {
    this.queued++;
    const run = this.chain.then(async () => {
      if (this.waiting === run) this.waiting = undefined;
      this.running = true;
      try {
        await this.exportOnce(final, deadlineAt);
      } catch (error) {
        // Something threw that no request failure explains (a point the encoder cannot take, a bug of ours): the
        // collection failed, said with its real error like any failed export. Never a rejection: the timer's
        // collection has no caller to catch it, and an unhandled rejection ends the process.
        this.guard.failed(otherFailure(error), final);
      }
    }).finally(() => {
      this.running = false;
      this.queued--;
    });
    this.chain = run;
    return run;
  }

  private pointsPerRequest(): number {
    return Math.max(1, this.limit.items);
  }

  /** One collection: snapshot, then one request after another until every point went, or one failed. */
  private async exportOnce(final: boolean, deadlineAt: number): Promise<void> {
    const push = this.push;
    if (push === undefined) return;
    const { config, store, now, resource, scope } = this.options;
    const deadline = Math.min(now() + config.timeoutMs, deadlineAt);
    const cursor = store.beginSnapshot();
    let sdkScopes: ScopeMetrics[] = [];
    try {
      const collected = await push.reader.collect({ timeoutMillis: Math.max(1, deadline - now()) });
      sdkScopes = collected.resourceMetrics.scopeMetrics;
    } catch (error) {
      this.options.diagnostics.warnOnce('sdk_collect_failed',
        `collecting the application's own OpenTelemetry instruments failed: ${error instanceof Error ? error.message : String(error)}; ` +
          "the library's metrics are exported anyway.");
    }
    const endMs = hrTimeToMilliseconds(hrTime());
    const deltas = this.deltas;
    // Exemplars recorded before the snapshot began and not delivered yet (cleared once this collection is acknowledged).
    const builder = new MetricChunkBuilder(endMs, { after: store.exemplarsDelivered, upTo: cursor.epoch }, deltas?.ledger);
    const slicer = new ScopeMetricsSlicer(deltas === undefined ? sdkScopes : deltas.sdk.convert(sdkScopes, deltas.ledger));
    let storeDone = false;
    let requests = 0;
    const hooks = this.hooks();
    const pacer = new RequestPacer(deadline, now);
    await nextTurn();
    for (;;) {
      const limit = this.warmedUp ? this.pointsPerRequest() : Math.min(this.pointsPerRequest(), FIRST_REQUEST_POINTS);
      // A request is gathered a slice per turn (the cursor sweeps as it walks) until it is full in points or in
      // estimated bytes, then encoded and sent in one turn.
      const maxBytes = this.limit.bytes;
      while (!storeDone && builder.points < limit && builder.bytes < maxBytes) {
        // Points that fit, by the bytes per point seen so far (in this request, else the last one), a little short
        // of the limit so that an estimate a little low does not cost a split and a second encoding.
        const perPoint = builder.points > 0 ? builder.bytes / builder.points : this.bytesPerPoint;
        const fit = Math.max(1, Math.floor((maxBytes * 0.9 - builder.bytes) / perPoint));
        storeDone = !cursor.next(Math.min(POINTS_PER_TURN, limit - builder.points, fit), builder.add);
        if (!storeDone && builder.points < limit && builder.bytes < maxBytes * 0.9) await nextTurn();
      }
      if (builder.points > 0) this.bytesPerPoint = builder.bytes / builder.points;
      const ours = builder.points;
      const scopeMetrics: ScopeMetrics[] = ours > 0 ? [{ scope, metrics: builder.take() }] : [];
      if (ours < limit) scopeMetrics.push(...slicer.take(limit - ours));
      if (scopeMetrics.length === 0) break;
      // The breaker is asked once per collection, when there is something to send.
      if (requests === 0 && !this.guard.admit(final)) return;
      const delivery = await deliver({ resource, scopeMetrics }, METRICS_BATCHING, push.sink, this.limit, deadline, hooks, pacer);
      requests++;
      this.warmedUp = true;
      if (!delivery.ok) {
        // Given up for the last export at shutdown, which carries the same totals: not a failure to report.
        if (delivery.failure === SUPERSEDED_FAILURE) return;
        this.guard.failed(delivery.failure, final);
        return;
      }
    }
    store.acknowledge(push.storeReader, cursor.epoch);
    if (requests === 0) return;
    this.guard.succeeded(final);
  }

  private hooks(): DeliveryHooks<ResourceMetrics> {
    const reporter = this.guard.reporter;
    const ledger = this.deltas?.ledger;
    return {
      accepted: ledger === undefined ? undefined : (_items, batch) => ledger.settle(batch),
      tooLarge: (items, bytes) => {
        this.guard.status.tooLarge++;
        if (items > 1) reporter.tooLarge(bytes, items, this.limit, 'data points');
      },
      dropped: (batch) => {
        // A delta point left out as too large is not settled: its series keeps what it gained, which goes out with a
        // later export once the collector takes it (as a cumulative value would), rather than being lost for good.
        this.options.counters.lose('export_too_large', METRICS_BATCHING.size(batch));
        reporter.droppedTooLarge('data point');
      },
      rejected: (count, message) => reporter.rejected(count, message, 'data points'),
    };
  }
}
