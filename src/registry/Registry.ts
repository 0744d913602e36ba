import { hrTime } from '@opentelemetry/core';
import type { CollectionResult, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import type { ResolvedConfig } from '../config/TelemetryConfig';
import { Diagnostics } from '../diagnostics/Diagnostics';
import { DropCounters } from '../health/DropCounters';
import type { Health } from '../health/Health';
import type { Recorder } from '../global/Recorder';
import { routeInstrument, type InstrumentKind } from '../metrics/InstrumentRouter';
import { LabelNormalizer } from '../metrics/LabelNormalizer';
import { MetricState } from '../metrics/MetricState';
import type { Series } from '../metrics/Series';
import { FLAG_COERCED, FLAG_TRUNCATED } from '../metrics/SeriesLocator';
import { toMetricData } from '../metrics/toMetricData';
import { OTelProvider, type OTelProviderOptions } from '../provider/OTelProvider';
import { VERSION } from '../version';

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

  constructor(
    /** The configuration this registry runs on. */
    readonly config: ResolvedConfig,
    options: OTelProviderOptions = {},
  ) {
    this.diagnostics = new Diagnostics(config.logger);
    this.normalizer = new LabelNormalizer(config, this.counters, this.diagnostics);
    // Room for every admitted series reached through a few label orders; the cache starts over past it.
    this.maxCachedNodes = 8 * (config.cardinalityLimit + 1) + 1024;
    this.provider = new OTelProvider(config, this, this.diagnostics, options);
  }

  add(kind: 'counter' | 'upDownCounter', name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    const metric = this.metrics.get(name) ?? this.newMetric(name, kind);
    if (metric === undefined) return;
    if (metric.plan.kind !== kind) return this.kindMismatch(metric, kind);
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

  /** MetricProducer: every metric's series as cumulative MetricData. The resource is the MeterProvider's. */
  async collect(): Promise<CollectionResult> {
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

  /** The kind a metric name is recorded as, if it has been used. */
  kindOf(name: string): InstrumentKind | undefined {
    return this.metrics.get(name)?.plan.kind;
  }

  /** Health as of now. */
  health(): Health {
    let seriesCount = 0;
    for (const metric of this.metrics.values()) seriesCount += metric.series.size;
    const exports = this.provider.metricExports;
    return {
      initialized: true,
      enabled: true,
      profile: this.config.profile,
      serviceName: this.config.serviceName,
      circuitState: 'disabled',
      metricsEmitted: this.counters.emitted,
      metricsDropped: this.counters.totalDropped(),
      droppedByReason: { ...this.counters.dropped },
      sanitizedByReason: { ...this.counters.sanitized },
      errors: this.counters.errors + exports.failures,
      lastError: exports.lastError ?? this.counters.lastError,
      uptimeMs: Date.now() - this.startedAt,
      exportFailures: exports.failures,
      lastExportAt: exports.lastSuccessAt === undefined ? undefined : new Date(exports.lastSuccessAt).toISOString(),
      lastExportError: exports.lastError,
      metricNames: this.metrics.size,
      seriesCount,
    };
  }

  private locate(metric: MetricState, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): Series {
    const locator = metric.locator;
    const series = args === undefined
      ? locator.find(argc, a0, a1, a2, a3, a4, a5, a6, a7)
      : locator.findList(args, start);
    if (series === undefined) return this.resolve(metric, argc, a0, a1, a2, a3, a4, a5, a6, a7, args, start);
    if (locator.lastFlags !== 0) this.countFlags(locator.lastFlags);
    return series;
  }

  /** The slow path: a label combination not cached yet. */
  private resolve(metric: MetricState, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): Series {
    let list: ArrayLike<unknown>;
    if (args === undefined) {
      list = [a0, a1, a2, a3, a4, a5, a6, a7].slice(0, argc);
      start = 0;
    } else {
      list = args;
    }
    const labels = this.normalizer.normalize(metric.name, list, start);
    const series = metric.seriesFor(labels);
    if (labels.cacheable) metric.locator.remember(list, start, series, labels.flags);
    if (labels.flags !== 0) this.countFlags(labels.flags);
    return series;
  }

  private countFlags(flags: number): void {
    if ((flags & FLAG_TRUNCATED) !== 0) this.counters.sanitize('label_value_truncated');
    if ((flags & FLAG_COERCED) !== 0) this.counters.sanitize('label_value_coerced');
  }

  private newMetric(name: unknown, kind: InstrumentKind | undefined): MetricState | undefined {
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
    const metric = new MetricState(name, routeInstrument(name, kind), '', this.maxCachedNodes);
    this.metrics.set(name, metric);
    return metric;
  }

  private kindMismatch(metric: MetricState, kind: InstrumentKind): void {
    this.counters.drop('kind_mismatch');
    this.diagnostics.warnOnce('kind_mismatch', `kind_mismatch:${metric.name}:${kind}`,
      `metric '${metric.name}' was first recorded as a ${metric.plan.kind}; this ${kind} call was dropped. ` +
        'Record each name with one kind, or give the other use its own name.');
  }

  private invalidValue(metric: MetricState, value: unknown): void {
    this.counters.drop('invalid_value');
    const why = metric.plan.kind === 'counter'
      ? 'counters take finite numbers >= 0 (use upDownCounter() for values that go down)'
      : `${metric.plan.kind}s take finite numbers`;
    this.diagnostics.warnOnce('invalid_value', `invalid_value:${metric.name}`,
      `metric '${metric.name}' got the value ${typeof value === 'number' ? String(value) : `of type ${typeof value}`}, ` +
        `which was dropped: ${why}.`);
  }
}
