import type { Context, Span as OTelSpan } from '@opentelemetry/api';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { displayUrl } from '../config/endpoint';
import type { InstrumentationLike, ResolvedConfig } from '../config/TelemetryConfig';
import { Diagnostics } from '../diagnostics/Diagnostics';
import { MetricsPipeline } from '../export/MetricsPipeline';
import { exponentialAccumulator } from '../export/exponentialHistogram';
import { GRPC_INSTALL_HINT } from '../export/grpcMachinery';
import { hostInUrl } from '../export/PrometheusEndpoint';
import { buildResource } from '../export/resource';
import { settleBy } from '../export/settleBy';
import { TracesPipeline } from '../export/TracesPipeline';
import { composeHealth, type HealthParts } from '../health/composeHealth';
import { DropCounters, type LossReason } from '../health/DropCounters';
import type { CircuitStateListener, Health, SignalName } from '../health/Health';
import type { ExportFailure } from '../export/ExportFailure';
import type { MetricDeclarations } from '../metrics/declarations';
import { MetricStore } from '../metrics/MetricStore';
import { PiiRedactor } from '../protection/PiiRedactor';
import type { Span, SpanOptions } from '../tracing/Span';
import { ExemplarFilter } from '../tracing/ExemplarFilter';
import { parentOf, Tracing } from '../tracing/Tracing';
import { VERSION } from '../version';
import type { CarriedState } from './CarriedState';
import { IdleRuntime } from './IdleRuntime';
import { Instrumentations, nameOf } from './Instrumentations';
import { registerSelfMetrics, SELF_SCOPE } from './SelfMetrics';
import { OTelGlobals } from './OTelGlobals';
import type { RuntimeHandle, RuntimeState } from './RuntimeHandle';

/** Replacements for tests and embedders. */
export interface RuntimeOptions {
  /** Used instead of the OTLP/HTTP metric exporter; the pipeline's guard, chunking and deadline stay in front. */
  metricExporter?: PushMetricExporter;
  /** Used instead of the OTLP/HTTP span exporter; the pipeline's guard and deadline stay in front. */
  spanExporter?: SpanExporter;
  /** The clock (ms since epoch) for breakers, eviction and reports. */
  now?: () => number;
  /** More span processors beside the traces pipeline's (the test harness's in-memory one). */
  spanProcessors?: SpanProcessor[];
}

/** The instrumentation scope of everything the library records. */
const SCOPE = { name: 'otel-facade', version: VERSION };

/**
 * The composition root: `initialize()` builds one, and it owns everything that runs: the resolved configuration,
 * the metric store (the recorder), one export pipeline per signal, tracing, health and diagnostics. The parts are
 * wired here once and never reach through each other; the public functions ask the runtime (`RuntimeHandle`).
 */
export class Runtime implements RuntimeHandle {
  /** The store, which recording calls go to. */
  readonly recorder: MetricStore;
  readonly baggageLabels: readonly string[];
  /** The names of the instrumentations enabled (see `RuntimeHandle`). */
  get instrumentationNames(): readonly string[] {
    return this.instrumentations.names;
  }
  private current: RuntimeState = 'active';
  private readonly diagnostics: Diagnostics;
  private readonly counters = new DropCounters();
  private readonly metrics: MetricsPipeline;
  private readonly traces: TracesPipeline;
  private readonly tracing: Tracing;
  private readonly globals = new OTelGlobals();
  private readonly instrumentations: Instrumentations;
  private readonly startedAt: number;
  private readonly now: () => number;
  private stopped: Promise<RuntimeHandle> | undefined;

  constructor(
    /** The configuration this runtime runs on. */
    readonly config: ResolvedConfig,
    startup: StartupNotes,
    readonly carried: CarriedState,
    options: RuntimeOptions = {},
  ) {
    const now = (this.now = options.now ?? Date.now);
    this.startedAt = now();
    this.baggageLabels = config.baggageLabels;
    this.diagnostics = new Diagnostics(config.logger, undefined, now);
    carried.diagnostics.useLogger(config.logger);
    const redactor = config.piiRedaction ? new PiiRedactor(config.piiPatterns, config.piiIpExemptKeys) : null;
    // Which measurements become exemplars: it reads the active span for the store, and counts live sampled spans on
    // our TracerProvider so that recording skips the context while there are none.
    const exemplars = new ExemplarFilter(config.metrics.exemplarFilter);
    this.recorder = new MetricStore(config, this.counters, this.diagnostics, carried.declarations, redactor, now, exponentialAccumulator, exemplars);
    const resource = buildResource(config);
    this.metrics = new MetricsPipeline({
      config: config.metrics,
      store: this.recorder,
      resource,
      scope: SCOPE,
      counters: this.counters,
      diagnostics: this.diagnostics,
      onCircuitChange: (state, previous) => carried.notifyCircuit(state, previous, 'metrics'),
      now,
      exporter: options.metricExporter,
      runtimeMetrics: config.runtimeMetrics && !runtimeInstrumentationIn(config.instrumentations),
      observableScopes: [SELF_SCOPE],
    });
    this.traces = new TracesPipeline({
      config: config.traces,
      spanBatch: config.spanBatch,
      counters: this.counters,
      diagnostics: this.diagnostics,
      onCircuitChange: (state, previous) => carried.notifyCircuit(state, previous, 'traces'),
      now,
      exporter: options.spanExporter,
    });
    this.tracing = new Tracing({
      resource, sampler: config.sampler, spanProcessors: [exemplars.processor, ...this.traces.processors, ...(options.spanProcessors ?? [])], redactor, limits: config.spanLimits, scope: SCOPE,
      counters: this.counters,
    });
    this.globals.register(this.metrics.meterProvider, this.tracing.provider, config, this.diagnostics);
    exemplars.readContextWith(this.globals.activeContext());
    if (config.selfMetrics) registerSelfMetrics(this.metrics.meterProvider.getMeter(SELF_SCOPE, VERSION), () => this.health());
    this.instrumentations = new Instrumentations(config.instrumentations, this.tracing.provider, this.metrics.meterProvider, this.diagnostics);
    for (const note of startup.notes) this.diagnostics.warnOnce(`config:${note}`, note);
    for (const line of startup.adjusted) this.diagnostics.info(line);
    if (config.runtimeMetrics && runtimeInstrumentationIn(config.instrumentations)) {
      this.diagnostics.info(`runtime metrics are left to ${RUNTIME_INSTRUMENTATION}, which is among the instrumentations ` +
        '(both would export the same nodejs.* and v8js.* metrics).');
    }
    this.diagnostics.info(startedLine(config));
    this.sayUnavailable();
    this.metrics.start();
  }

  get state(): RuntimeState {
    return this.current;
  }

  get defaultShutdownTimeoutMs(): number {
    return this.config.shutdownTimeoutMs;
  }

  health(): Health {
    return composeHealth(this.healthParts(this.current === 'active'));
  }

  async forceFlush(): Promise<void> {
    if (this.current !== 'active') return;
    // Both pipelines run to the end: one signal's failure never cuts the other's export short.
    const deadlineAt = this.now() + Math.max(this.config.metrics.timeoutMs, this.config.traces.timeoutMs) + 1000;
    await this.keepAlive(Promise.allSettled([this.metrics.flush(), this.traces.flush()]), deadlineAt);
  }

  shutdown(timeoutMs: number | undefined): Promise<RuntimeHandle> {
    this.stopped ??= this.stop(timeoutMs ?? this.config.shutdownTimeoutMs);
    return this.stopped;
  }

  declare(module: string, declarations: MetricDeclarations): void {
    this.carried.declare(module, declarations, this.diagnostics, (held) => this.recorder.applyDeclaration(held));
  }

  onCircuitStateChange(listener: CircuitStateListener): () => void {
    this.carried.listeners.add(listener);
    return () => {
      this.carried.listeners.delete(listener);
    };
  }

  startSpan(name: string, options: SpanOptions | undefined, parent: Context = parentOf(options)): Span {
    return this.tracing.startSpan(name, options, parent);
  }

  startOTelSpan(name: string, options: SpanOptions | undefined, parent: Context): OTelSpan | undefined {
    return this.current === 'active' ? this.tracing.startOTelSpan(name, options, parent) : undefined;
  }

  recordSpanError(span: OTelSpan, error: unknown): void {
    this.tracing.recordError(span, error);
  }

  lost(reason: LossReason, count: number, key: string, message: string): void {
    this.counters.lose(reason, count);
    this.diagnostics.warnOnce(key, message);
  }

  internalError(message: string): void {
    this.counters.error(`internal error while recording: ${message}`);
    this.diagnostics.warnOnce(`internal:${message}`,
      `internal error while recording, the call was dropped: ${message}. Please report this as a bug.`);
  }

  private async stop(timeoutMs: number): Promise<RuntimeHandle> {
    this.current = 'stopping';
    const deadlineAt = this.now() + timeoutMs;
    this.instrumentations.disable();
    this.globals.unregister();
    const finished = [false, false];
    const work = Promise.all([
      this.metrics.shutdown(deadlineAt).then(() => { finished[0] = true; }),
      this.traces.shutdown(deadlineAt).then(() => { finished[1] = true; }),
    ]).then(() => this.tracing.shutdown());
    const startedAt = this.now();
    await this.keepAlive(settleBy(work, deadlineAt, this.now), deadlineAt);
    // Whatever the collector does, nothing of ours outlives shutdown(): sockets, timers, the scrape endpoint. Span
    // exports abandoned here settle (counted as lost, with their cause) within a short grace, before health is taken.
    this.metrics.release();
    await this.traces.release();
    this.countOpenSpans();
    const parts = this.healthParts(false);
    this.reportUndelivered(parts, this.now() - startedAt, finished);
    return new IdleRuntime(this.carried, parts, undefined, this.now);
  }

  /**
   * Says once, for both signals, that a signal sent over OTLP/gRPC cannot be exported because the gRPC exporter
   * cannot be loaded, with the command that installs it (each failure's detail names it). The signals' health shows
   * it from now on; their exports fail without touching the network, and initialize() goes on.
   */
  private sayUnavailable(): void {
    const failing = ([['metrics', this.metrics.guard], ['traces', this.traces.guard]] as const).filter(([, guard]) => guard.unavailable !== undefined);
    if (failing.length === 0) return;
    const signals = failing.map(([signal]) => signal).join(' and ');
    // Each failure ends with the one install command: said once.
    const problems = [...new Set(failing.map(([, guard]) => (guard.unavailable as ExportFailure).detail.replace(GRPC_INSTALL_HINT, '')))].join(', and ');
    this.diagnostics.warn(`${signals} are to be sent over OTLP/gRPC (protocol grpc), but ${problems}${GRPC_INSTALL_HINT}. ` +
      `Until then every ${signals} export fails (getHealth().signals.${failing[0][0]}.lastError says why): metrics keep aggregating in memory, ` +
      "spans are counted as lost ('span_export_failed').");
  }

  /**
   * Keeps the process alive while a caller awaits `work` (a flush or the shutdown), at most until `deadlineAt`.
   * Everything of ours is unreferenced so that it never holds the process; but a short script that awaits
   * shutdown() while its export waits to retry must not see Node exit mid-await, with nothing said and nothing sent.
   */
  private keepAlive<T>(work: Promise<T>, deadlineAt: number): Promise<T> {
    const timer = setTimeout(() => undefined, Math.min(Math.max(0, deadlineAt - this.now()), 2 ** 31 - 1));
    return work.finally(() => clearTimeout(timer));
  }

  /**
   * Counts the spans started through the library and not ended by the time shutdown finished: they were never
   * handed to the exporter, so they are lost; says so once, with what to do.
   */
  private countOpenSpans(): void {
    const open = this.tracing.openSpans.count;
    if (open <= 0 || this.config.traces.exporter === 'none') return;
    this.counters.lose('span_not_ended', open);
    this.diagnostics.warn(`${open} span${open === 1 ? ' was' : 's were'} still open at shutdown() and could not be exported ` +
      "(counted as 'span_not_ended'). End spans before shutting down: withSpan() and traceOperation() end theirs themselves.");
  }

  /**
   * Says which signal's last attempt at shutdown failed, or did not finish before the deadline, and why, so that
   * what it held is known to be lost. Nothing is said when the last attempts were delivered (or there was nothing
   * to send).
   */
  private reportUndelivered(parts: HealthParts, tookMs: number, finished: boolean[]): void {
    const outcomes: [SignalName, 'none' | 'delivered' | ExportFailure][] = [
      ['metrics', this.metrics.finalOutcome],
      ['traces', this.traces.finalOutcome],
    ];
    for (const [i, [signal, outcome]] of outcomes.entries()) {
      const health = parts.signals[signal];
      if (health.exporter === 'none') continue;
      const failure = typeof outcome === 'object' ? outcome : undefined;
      if (finished[i] && failure === undefined) continue;
      const where = health.endpoint ?? health.exporter;
      const since = `what was recorded since ${health.lastExportAt ?? 'initialize()'} did not reach the collector`;
      if (!finished[i] || failure?.kind === 'closed') {
        const why = failure === undefined ? 'had not finished' : `was given up (${failure.detail})`;
        this.diagnostics.warn(
          `shutdown() reached its deadline after ${Math.round(tookMs)} ms: the last ${signal} export to ${where} ${why}; ` +
            `${since}. Check that the collector is reachable, or allow a longer timeoutMs.`,
        );
      } else if (failure !== undefined) {
        const advice = failure.kind === 'timeout'
          ? " Check that the collector is reachable and answers in time: the last attempt is bounded by the signal's export timeout and by shutdown()'s timeoutMs."
          : '';
        this.diagnostics.warn(`the last ${signal} export at shutdown, to ${where}, failed: ${failure.detail}; ${since}.${advice}`);
      }
    }
  }

  private healthParts(initialized: boolean): HealthParts {
    const stats = this.recorder.stats();
    return {
      initialized,
      enabled: true,
      profile: this.config.profile,
      serviceName: this.config.serviceName,
      signals: { metrics: this.metrics.health(), traces: this.traces.health() },
      counters: this.counters,
      store: { ...stats, evicted: this.recorder.evicted },
      cardinalityMax: this.config.cardinalityLimit + 1,
      uptimeMs: this.now() - this.startedAt,
      notInitialized: this.carried.notInitialized.dropped,
    };
  }
}

/**
 * Builds the runtime for a resolved configuration: an active `Runtime`, or, with telemetry disabled, an idle one
 * whose recorder does nothing.
 */
export function startRuntime(config: ResolvedConfig, startup: StartupNotes, carried: CarriedState, options: RuntimeOptions = {}): RuntimeHandle {
  if (!config.enabled) {
    carried.diagnostics.useLogger(config.logger);
    carried.diagnostics.info('telemetry is disabled (enabled: false or OTEL_SDK_DISABLED=true); every call is a no-op.');
    return new IdleRuntime(carried, undefined, config, options.now);
  }
  return new Runtime(config, startup, carried, options);
}

/** What resolving the configuration found to say: warnings, and the inherited values it adjusted. */
export interface StartupNotes {
  /** Said once each, as warnings. */
  readonly notes: readonly string[];
  /** Said once each, as information. */
  readonly adjusted: readonly string[];
}

/**
 * The one line a successful initialize() says: service, profile, where each signal goes, how often, how much is
 * sampled. Silenced with the logger, like every other line.
 */
export function startedLine(config: ResolvedConfig): string {
  const where = (exporter: string, url: string, protocol: string): string =>
    (exporter === 'otlp' ? `otlp ${protocol === 'grpc' ? 'gRPC ' : ''}${displayUrl(url)}` : exporter);
  const metrics = config.metrics;
  const pushed = metrics.exporter === 'none' ? undefined : `${where(metrics.exporter, metrics.url, metrics.protocol)} every ${seconds(metrics.intervalMs)}` +
    `${metrics.temporality === 'cumulative' ? '' : `, ${metrics.temporality === 'delta' ? 'as deltas' : 'as deltas (lowmemory)'}`}`;
  const scraped = metrics.prometheus === undefined ? undefined
    : `Prometheus on http://${hostInUrl(metrics.prometheus.host)}:${metrics.prometheus.port === 0 ? '<a free port; see getHealth()>' : metrics.prometheus.port}${metrics.prometheus.endpoint}`;
  const sampler = config.sampler;
  const sampling = sampler.type.endsWith('traceidratio') ? `${+(sampler.ratio * 100).toPrecision(3)}% of traces${sampler.type.startsWith('parentbased') ? ' (parent-based)' : ''}`
    : sampler.type.endsWith('always_off') ? 'no traces' : 'every trace';
  const profile = config.profileNamed ? `${config.profile} profile` : `${config.profile} profile by default`;
  return `started '${config.serviceName.length > 100 ? `${config.serviceName.slice(0, 100)}...` : config.serviceName}' (${profile}): metrics → ${[pushed, scraped].filter(Boolean).join(' and ') || 'none'}; ` +
    `traces → ${where(config.traces.exporter, config.traces.url, config.traces.protocol)}, sampling ${sampling}` +
    `${config.piiRedaction ? '; PII redaction on' : ''}.`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The runtime instrumentation, which exports the same runtime metrics as ours. */
const RUNTIME_INSTRUMENTATION = '@opentelemetry/instrumentation-runtime-node';

/** Whether the runtime instrumentation is among the configured ones (it measures what `RuntimeMetrics` does). */
function runtimeInstrumentationIn(instrumentations: readonly InstrumentationLike[]): boolean {
  return instrumentations.some((instrumentation) => nameOf(instrumentation) === RUNTIME_INSTRUMENTATION);
}
