import { hrTime } from '@opentelemetry/core';
import type { CollectionResult, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import type { ResolvedConfig } from '../config/TelemetryConfig';
import { Diagnostics } from '../diagnostics/Diagnostics';
import { DropCounters } from '../health/DropCounters';
import type { Health } from '../health/Health';
import type { MetricOptions, Recorder } from '../global/Recorder';
import { routeInstrument, type InstrumentKind } from '../metrics/InstrumentRouter';
import { LabelNormalizer } from '../metrics/LabelNormalizer';
import {
  MetricState,
  REPORTED_INVALID_VALUE,
  REPORTED_KIND_MISMATCH,
  REPORTED_RATE_LIMIT,
} from '../metrics/MetricState';
import type { Series } from '../metrics/Series';
import { FLAG_COERCED, FLAG_REDACTED, FLAG_TRUNCATED } from '../metrics/SeriesLocator';
import { PiiRedactor } from '../protection/PiiRedactor';
import type { HeldDeclaration } from '../metrics/declarations';
import { UNIFIED_DECLARATIONS } from '../metrics/unifiedVocabulary';
import { CardinalityLimiter } from '../protection/CardinalityLimiter';
import { RateLimiter } from '../protection/RateLimiter';
import type { CircuitStateListener } from '../protection/CircuitBreaker';
import { toMetricData } from '../metrics/toMetricData';
import { OTelProvider, type OTelProviderOptions } from '../provider/OTelProvider';
import { VERSION } from '../version';
import { apiVersionReport } from '../provider/apiVersion';

/** OpenTelemetry's instrument name rule: a letter, then up to 254 letters, digits, `_`, `.`, `-` or `/`. */
export const INSTRUMENT_NAME = /^[A-Za-z][A-Za-z0-9_.\-/]{0,254}$/;
const SCOPE = { name: 'otel-facade', version: VERSION };

/**
 * The coordinator behind the global functions: it pre-aggregates every recording call into a Series held here,
 * and hands all series to the OpenTelemetry SDK only when the periodic reader collects.
 *
 * The recording methods are the hot path. On a known series they do a Map lookup for the metric, one Map
 * lookup per label pair, and an add: no allocation, no sorting, no string building. Everything unusual (a
 * new series, bad input, limits) happens on the slow path, once per new label combination.
 */
export class Registry implements Recorder, MetricProducer {
  /** Drops and changes, by reason. */
  readonly counters = new DropCounters();
  /** Rate-limited diagnostics. */
  readonly diagnostics: Diagnostics;
  /** The SDK side. */
  readonly provider: OTelProvider;
  private readonly metrics = new Map<string, MetricState>();
  private readonly normalizer: LabelNormalizer;
  private readonly startedAt = Date.now();
  private readonly maxCachedNodes: number;
  /** Incremented at each collection; the hot path stamps each series it records into with it. */
  private epoch = 1;
  /** Idle series evicted by `MetricState.sweep()` (limited labels or a full metric). */
  private evictedSeries = 0;
  /** Redacts personal data from label values, when `piiRedaction` is on. */
  readonly redactor: PiiRedactor | null;

  constructor(
    /** The configuration this registry runs on. */
    readonly config: ResolvedConfig,
    options: OTelProviderOptions = {},
    circuitListener?: CircuitStateListener,
    /** Metric declarations, shared with `declareMetrics()`; read when a metric is first used. */
    private readonly declarations: ReadonlyMap<string, HeldDeclaration> = new Map(),
  ) {
    this.diagnostics = new Diagnostics(config.logger);
    this.redactor = config.piiRedaction ? new PiiRedactor(config.piiPatterns) : null;
    this.normalizer = new LabelNormalizer(config, this.counters, this.diagnostics, this.redactor);
    // Room for every admitted series reached through a few label orders; the cache starts over past it.
    this.maxCachedNodes = 8 * (config.cardinalityLimit + 1) + 1024;
    this.provider = new OTelProvider(config, this, this.diagnostics, this.counters, options);
    this.provider.breaker.onStateChange((state, previous) => this.reportCircuit(state, previous));
    if (circuitListener !== undefined) this.provider.breaker.onStateChange(circuitListener);
  }

  add(kind: 'counter' | 'upDownCounter', name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    const metric = this.metrics.get(name) ?? this.newMetric(name, kind);
    if (metric === undefined) return;
    if (metric.plan.kind !== kind) return this.kindMismatch(metric, kind);
    if (metric.rateLimiter !== null && !metric.rateLimiter.tryTake()) return this.rateLimited(metric);
    if (typeof value !== 'number' || !(kind === 'counter' ? value >= 0 && value < Infinity : value - value === 0)) {
      return this.invalidValue(metric, value);
    }
    const series = this.locate(metric, argc, a0, a1, a2, a3, a4, a5, a6, a7, args, start);
    series.value += value;
    this.counters.emitted++;
  }

  gauge(name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    const metric = this.metrics.get(name) ?? this.newMetric(name, 'gauge');
    if (metric === undefined) return;
    if (metric.plan.kind !== 'gauge') return this.kindMismatch(metric, 'gauge');
    if (metric.rateLimiter !== null && !metric.rateLimiter.tryTake()) return this.rateLimited(metric);
    if (typeof value !== 'number' || value - value !== 0) return this.invalidValue(metric, value);
    const series = this.locate(metric, argc, a0, a1, a2, a3, a4, a5, a6, a7, args, start);
    series.value = value;
    this.counters.emitted++;
  }

  histogram(name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    const metric = this.metrics.get(name) ?? this.newMetric(name, 'histogram');
    if (metric === undefined) return;
    if (metric.plan.kind !== 'histogram') return this.kindMismatch(metric, 'histogram');
    if (metric.rateLimiter !== null && !metric.rateLimiter.tryTake()) return this.rateLimited(metric);
    if (typeof value !== 'number' || value - value !== 0) return this.invalidValue(metric, value);
    const series = this.locate(metric, argc, a0, a1, a2, a3, a4, a5, a6, a7, args, start);
    series.observe(value);
    this.counters.emitted++;
  }

  emit(name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    const metric = this.metrics.get(name) ?? this.newMetric(name, undefined);
    if (metric === undefined) return;
    const kind = metric.plan.kind;
    if (kind === 'histogram') this.histogram(name, value, argc, a0, a1, a2, a3, a4, a5, a6, a7, args, start);
    else if (kind === 'gauge') this.gauge(name, value, argc, a0, a1, a2, a3, a4, a5, a6, a7, args, start);
    else this.add(kind, name, value, argc, a0, a1, a2, a3, a4, a5, a6, a7, args, start);
  }

  /** Creates a metric with explicit kind, unit, description or buckets unless it exists (declarations win). */
  ensureMetric(name: string, kind: InstrumentKind | undefined, options: MetricOptions): void {
    if (!this.metrics.has(name)) this.newMetric(name, kind, options);
  }

  /**
   * Records with labels given as a list of pairs or an object, for the helpers and `emitWithOptions()`. The kind is
   * the metric's, else `kind`, else the name heuristics. Counters sampled at `sampleRate` add `value / sampleRate`
   * when kept, so their totals stay unbiased; other kinds record the kept values as they are.
   */
  recordList(kind: InstrumentKind | undefined, name: string, value: unknown, labels: ArrayLike<unknown> | Readonly<Record<string, unknown>> | undefined,
    options: MetricOptions | undefined, sampleRate: number): void {
    const metric = this.metrics.get(name) ?? this.newMetric(name, kind, options);
    if (metric === undefined) return;
    const actual = metric.plan.kind;
    if (kind !== undefined && actual !== kind) return this.kindMismatch(metric, kind);
    if (sampleRate !== 1) {
      if (!(sampleRate > 0 && sampleRate < 1)) return this.invalidValue(metric, sampleRate, 'sampleRate must be a number in (0, 1]');
      if (Math.random() >= sampleRate) return;
      if (typeof value === 'number' && (actual === 'counter' || actual === 'upDownCounter')) value = value / sampleRate;
    }
    let argc = 0;
    let a0: unknown;
    let list: ArrayLike<unknown> | undefined;
    if (labels !== undefined && labels !== null) {
      if (isLabelList(labels)) {
        list = labels;
        argc = labels.length;
      } else {
        argc = 1;
        a0 = labels;
      }
    }
    if (actual === 'histogram') this.histogram(name, value, argc, a0, undefined, undefined, undefined, undefined, undefined, undefined, undefined, list, 0);
    else if (actual === 'gauge') this.gauge(name, value, argc, a0, undefined, undefined, undefined, undefined, undefined, undefined, undefined, list, 0);
    else this.add(actual, name, value, argc, a0, undefined, undefined, undefined, undefined, undefined, undefined, undefined, list, 0);
  }

  /** Forgets a metric that has no series yet, so that a declaration made after its first use applies. */
  applyDeclaration(declaration: HeldDeclaration): void {
    const metric = this.metrics.get(declaration.name);
    if (metric === undefined) return;
    if (metric.seriesCount === 0) {
      this.metrics.delete(declaration.name);
      return;
    }
    if (metric.plan.kind !== declaration.type) {
      this.diagnostics.warnOnce('declaration', `late_declaration:${declaration.name}`,
        `metric '${declaration.name}' was declared by module '${declaration.module}' as a ${declaration.type} after ` +
          `it was first recorded as a ${metric.plan.kind}; it stays a ${metric.plan.kind} until the next initialize(). ` +
          'Call declareMetrics() at import time, before anything records.');
    }
  }

  /** MetricProducer: every metric's series as cumulative MetricData. The resource is the MeterProvider's. */
  async collect(): Promise<CollectionResult> {
    const now = Date.now();
    const exportedAt = this.provider.metricExports.lastSuccessAt ?? -Infinity;
    for (const metric of this.metrics.values()) {
      this.evictedSeries += metric.sweep(this.epoch, now, this.config.labelValueTtlMs, exportedAt);
    }
    this.epoch++;
    const endTime = hrTime();
    const metrics: MetricData[] = [];
    for (const metric of this.metrics.values()) {
      const data = toMetricData(metric, endTime);
      if (data !== undefined) metrics.push(data);
    }
    return {
      resourceMetrics: { resource: this.provider.resource, scopeMetrics: [{ scope: SCOPE, metrics }] },
      errors: [],
    };
  }

  /** Health as of now. */
  health(): Health {
    let seriesCount = 0;
    let fullest = 0;
    for (const metric of this.metrics.values()) {
      seriesCount += metric.seriesCount;
      fullest = Math.max(fullest, metric.seriesCount);
    }
    const exports = this.provider.metricExports;
    return {
      initialized: true,
      enabled: true,
      profile: this.config.profile,
      serviceName: this.config.serviceName,
      circuitState: this.provider.breaker.current,
      metricsEmitted: this.counters.emitted,
      metricsDropped: this.counters.totalDropped(),
      droppedByReason: this.counters.droppedByReason(),
      sanitizedByReason: this.counters.sanitizedByReason(),
      errors: this.counters.errors + exports.failures,
      lastError: exports.lastError ?? this.counters.lastError,
      uptimeMs: Date.now() - this.startedAt,
      exportFailures: exports.failures,
      lastExportAt: exports.lastSuccessAt === undefined ? undefined : new Date(exports.lastSuccessAt).toISOString(),
      lastExportError: exports.lastError,
      consecutiveExportFailures: exports.consecutiveFailures,
      exportsSkipped: exports.skipped,
      spanExportFailures: this.provider.spanExports.failures,
      metricNames: this.metrics.size,
      seriesCount,
      cardinalityUsed: fullest,
      cardinalityMax: this.config.cardinalityLimit + 1,
      seriesEvicted: this.evictedSeries,
      otelApi: apiVersionReport(),
    };
  }

  private locate(metric: MetricState, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): Series {
    const locator = metric.locator;
    const series = args !== undefined
      ? locator.findList(args, start)
      : argc === 1 && typeof a0 === 'object' && a0 !== null
        ? locator.findObject(a0 as Readonly<Record<string, unknown>>)
        : locator.find(argc, a0, a1, a2, a3, a4, a5, a6, a7);
    if (series === undefined) return this.resolve(metric, argc, a0, a1, a2, a3, a4, a5, a6, a7, args, start);
    if (locator.lastFlags !== 0) this.countFlags(locator.lastFlags);
    series.stamp = this.epoch;
    return series;
  }

  /** The slow path: a label combination not cached yet. */
  private resolve(metric: MetricState, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): Series {
    let list: ArrayLike<unknown>;
    if (args !== undefined) {
      list = args;
    } else if (argc === 1 && typeof a0 === 'object' && a0 !== null) {
      list = Object.entries(a0).flat();
      start = 0;
    } else {
      list = [a0, a1, a2, a3, a4, a5, a6, a7].slice(0, argc);
      start = 0;
    }
    const labels = this.normalizer.normalize(metric.name, list, start);
    if (metric.declaredLabels !== null) this.checkDeclaredLabels(metric, labels.keys);
    const { series, placement, folded } = metric.place(labels, Date.now());
    if (placement === 'series') {
      // Only paths to admitted series are cached: values folded into `other` or the overflow series take the slow
      // path every time, so a flood of distinct values never grows the cache.
      if (labels.cacheable) metric.locator.remember(list, start, series, labels.flags);
    } else {
      this.folded(metric, placement, folded);
    }
    if (labels.flags !== 0) this.countFlags(labels.flags);
    series.stamp = this.epoch;
    return series;
  }

  private folded(metric: MetricState, placement: 'other' | 'overflow', labels: string[] | undefined): void {
    this.counters.drop('cardinality');
    if (labels !== undefined) {
      for (const label of labels) {
        this.diagnostics.warnOnce('cardinality', `cardinality:${metric.name}:${label}`,
          `${metric.name}: label '${label}' exceeded its limit of ${this.config.cardinalityLimits[label]} distinct ` +
            "values; values beyond it are reported as 'other'. Keep unbounded values such as ids out of labels " +
            '(put them on spans or in baggage), or raise cardinalityLimits.');
      }
    }
    if (placement === 'overflow') {
      this.diagnostics.warnOnce('cardinality', `overflow:${metric.name}`,
        `${metric.name}: reached its limit of ${this.config.cardinalityLimit} series; new label combinations are ` +
          "folded into one series with otel.metric.overflow=true, so totals stay right. Find the label with many " +
          'values and bound it (cardinalityLimits), or raise cardinalityLimit.');
    }
  }

  private rateLimited(metric: MetricState): void {
    this.counters.drop('rate_limited');
    // A metric over its rate drops many calls: after the first report, a drop is a bit test and an increment.
    if ((metric.reported & REPORTED_RATE_LIMIT) !== 0) return;
    if (this.diagnostics.warnOnce('rate_limited', `rate_limited:${metric.name}`,
      `${metric.name}: more than ${this.config.rateLimit.callsPerSecond} calls per second (burst ` +
        `${this.config.rateLimit.burst}); calls over the rate are dropped. Record aggregated values from hot loops ` +
        '(one histogram() per batch), or raise rateLimit.callsPerSecond.')) metric.reported |= REPORTED_RATE_LIMIT;
  }

  private reportCircuit(state: string, previous: string): void {
    const exports = this.provider.metricExports;
    const breaker = this.config.circuitBreaker;
    if (state === 'open') {
      const retryAt = this.provider.breaker.retryAt;
      const reason = previous === 'half-open' ? 'a probe export failed' : `${breaker.maxFailures} exports failed in a row`;
      this.diagnostics.warn(
        `export circuit breaker opened: ${reason} to ${this.config.metricsUrl}; last error: ` +
          `${exports.lastError ?? 'unknown'}. No exports are attempted until ` +
          `${retryAt === undefined ? 'the recovery time has passed' : new Date(retryAt).toISOString()}; metrics keep ` +
          'aggregating in memory and the next successful export carries their full totals, spans are dropped meanwhile. ' +
          'Check that the collector runs, is reachable from this pod, and accepts OTLP/HTTP on that URL (usually port 4318).',
      );
    } else if (state === 'closed' && previous !== 'disabled') {
      this.diagnostics.info(`export circuit breaker closed: exports to ${this.config.metricsUrl} succeed again.`);
    }
  }

  private countFlags(flags: number): void {
    if ((flags & FLAG_TRUNCATED) !== 0) this.counters.sanitize('label_value_truncated');
    if ((flags & FLAG_COERCED) !== 0) this.counters.sanitize('label_value_coerced');
    if ((flags & FLAG_REDACTED) !== 0) this.counters.sanitize('pii_redacted');
  }

  private checkDeclaredLabels(metric: MetricState, keys: readonly string[]): void {
    for (const key of keys) {
      if (metric.declaredLabels?.has(key) === false) {
        this.diagnostics.warnOnce('undeclared_label', `undeclared_label:${metric.name}:${key}`,
          `metric '${metric.name}' got the label '${key}', which its declaration does not list ` +
            `(${[...metric.declaredLabels].join(', ') || 'no labels'}). Add it to the declaration or stop sending it.`);
      }
    }
  }

  private newMetric(name: unknown, kind: InstrumentKind | undefined, options?: MetricOptions): MetricState | undefined {
    if (typeof name !== 'string' || !INSTRUMENT_NAME.test(name)) {
      this.counters.drop('invalid_name');
      const shown = typeof name === 'string' ? `'${name.length > 60 ? `${name.slice(0, 60)}...` : name}'` : `of type ${typeof name}`;
      this.diagnostics.warnOnce('invalid_name', `invalid_name:${String(name).slice(0, 300)}`,
        `metric name ${shown} is invalid and the call was dropped. Names start with a letter and hold at most ` +
          '255 letters, digits, _ . - or /, such as weather.requests.total.');
      return undefined;
    }
    if (this.metrics.size >= this.config.maxMetricNames) {
      this.counters.drop('metric_limit');
      this.diagnostics.warnOnce('metric_limit', `metric_limit:${name}`,
        `metric '${name}' was dropped: ${this.config.maxMetricNames} metric names are in use already ` +
          '(maxMetricNames). Put variable parts of names into labels instead, or raise maxMetricNames.');
      return undefined;
    }
    const limits = this.config.cardinalityLimits;
    const rate = this.config.rateLimit;
    // A declaration is authoritative; then the caller's options; then the name heuristics.
    const declared = this.declarations.get(name) ?? UNIFIED_DECLARATIONS.get(name);
    const routed = routeInstrument(name, declared?.type ?? options?.kind ?? kind);
    const plan = {
      kind: routed.kind,
      unit: declared?.unit ?? options?.unit ?? routed.unit,
      boundaries: declared?.buckets ?? (routed.kind === 'histogram' ? options?.boundaries : undefined) ?? routed.boundaries,
    };
    const metric = new MetricState(
      name,
      plan,
      declared?.description ?? options?.description ?? '',
      this.config.cardinalityLimit,
      this.maxCachedNodes,
      Object.keys(limits).length > 0 ? new CardinalityLimiter({ perLabel: limits, valueTtlMs: this.config.labelValueTtlMs }) : null,
      rate.enabled ? new RateLimiter(rate.callsPerSecond, rate.burst) : null,
      declared?.labels === undefined ? null : new Set(declared.labels),
    );
    this.metrics.set(name, metric);
    return metric;
  }

  private kindMismatch(metric: MetricState, kind: InstrumentKind): void {
    this.counters.drop('kind_mismatch');
    if ((metric.reported & REPORTED_KIND_MISMATCH) !== 0) return;
    if (this.diagnostics.warnOnce('kind_mismatch', `kind_mismatch:${metric.name}`,
      `metric '${metric.name}' was first recorded as a ${metric.plan.kind}; this ${kind} call was dropped. ` +
        'Record each name with one kind, or give the other use its own name.')) metric.reported |= REPORTED_KIND_MISMATCH;
  }

  private invalidValue(metric: MetricState, value: unknown, reason?: string): void {
    this.counters.drop('invalid_value');
    if ((metric.reported & REPORTED_INVALID_VALUE) !== 0) return;
    const why = reason ?? (metric.plan.kind === 'counter'
      ? 'counters take finite numbers >= 0 (use upDownCounter() for values that go down)'
      : `${metric.plan.kind}s take finite numbers`);
    if (this.diagnostics.warnOnce('invalid_value', `invalid_value:${metric.name}`,
      `metric '${metric.name}' got the value ${typeof value === 'number' ? String(value) : `of type ${typeof value}`}, ` +
        `which was dropped: ${why}.`)) metric.reported |= REPORTED_INVALID_VALUE;
  }
}

function isLabelList(labels: ArrayLike<unknown> | Readonly<Record<string, unknown>>): labels is ArrayLike<unknown> {
  return Array.isArray(labels);
}
