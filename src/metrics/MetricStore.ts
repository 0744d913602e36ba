import type { Diagnostics } from '../diagnostics/Diagnostics';
import { ownKey, ownString } from '../diagnostics/ownString';
import type { DropCounters } from '../health/DropCounters';
import { CardinalityLimiter } from '../protection/CardinalityLimiter';
import type { PiiRedactor } from '../protection/PiiRedactor';
import { RateLimiter } from '../protection/RateLimiter';
import { truncateToChars } from '../protection/truncate';
import type { HeldDeclaration } from './declarations';
import { INSTRUMENT_KINDS, isInstrumentKind, routeInstrument, type InstrumentKind } from './InstrumentRouter';
import { LabelNormalizer } from './LabelNormalizer';
import { Metric, OVERFLOW_ATTRIBUTE, type Epoch, type MetricContext } from './Metric';
import type { MetricOptions, Recorder } from './Recorder';
import type { ExponentialAccumulator, SeriesTable } from './SeriesTable';
import { NO_EXEMPLARS, type ExemplarSampler } from './ExemplarReservoirs';
import { UNIFIED_DECLARATIONS } from './unifiedVocabulary';

/** Most characters of a metric's description kept. */
const MAX_DESCRIPTION_LENGTH = 1024;

/** Most snapshot dates kept; past it the oldest go first, which can only make a series look idle sooner. */
const MAX_EPOCH_TIMES = 4096;

/** OpenTelemetry's instrument name rule: a letter, then up to 254 letters, digits, `_`, `.`, `-` or `/`. */
export const INSTRUMENT_NAME = /^[A-Za-z][A-Za-z0-9_.\-/]{0,254}$/;

/** The limits a store enforces; a subset of the resolved configuration. */
export interface StoreLimits {
  /** Series per metric. */
  cardinalityLimit: number;
  /** Distinct values per label name. */
  cardinalityLimits: Readonly<Record<string, number>>;
  /** Idle time after which a label value is forgotten and an idle series may be evicted. */
  labelValueTtlMs: number;
  /** Distinct metric names. */
  maxMetricNames: number;
  /** Label pairs per call. */
  maxLabelPairs: number;
  /** Label value length, in UTF-8 bytes. */
  maxLabelValueLength: number;
  /** Label key length, in UTF-8 bytes. */
  maxLabelKeyLength: number;
  /** Per-metric token bucket. */
  rateLimit: { readonly enabled: boolean; readonly callsPerSecond: number; readonly burst: number };
  /** How histograms aggregate unless declared otherwise (absent: explicit buckets). */
  histogramAggregation?: 'explicit_bucket_histogram' | 'base2_exponential_bucket_histogram';
}

/**
 * Something that exports the store: a push pipeline or a scrape endpoint. Each acknowledges the snapshots it
 * delivered, and a series may be evicted only once every reader has delivered its last change.
 */
export interface StoreReader {
  /** For messages and tests. */
  readonly name: string;
  /** The epoch of the last snapshot this reader delivered in full; 0 before the first. */
  acked: number;
  /** Whether this reader exports exemplars: its acknowledgements mark them delivered (OTLP does, Prometheus not). */
  readonly exemplars: boolean;
}

/** A read-only view of one metric, for the code that turns snapshots into export requests. */
export interface MetricView {
  /** The metric name. */
  readonly name: string;
  /** Description of the exported metric. */
  readonly description: string;
  /** Kind, unit and buckets. */
  readonly plan: Metric['plan'];
}

/** Visits one series of a snapshot: series `id` of the metric's `table`. */
export type SeriesVisitor = (metric: MetricView, table: SeriesTable, id: number) => void;

/** What a snapshot sweeps with, fixed when it begins. */
interface SweepRule {
  /** The latest time a series stamped with `epoch` may have been recorded into. */
  lastActiveAt: (epoch: number) => number;
  /** Series stamped up to this epoch were delivered by every reader. */
  ackedEpoch: number;
  /** The clock, read when the snapshot began. */
  now: number;
  /** Idle time before eviction. */
  idleMs: number;
  /** Hears each eviction. */
  evicted: () => void;
}

/**
 * Walks a store's series a slice at a time, so that a large collection is turned into export requests across many
 * turns of the event loop, and sweeps each series as it passes (see `Metric.sweepSeries`), so the sweep is spread
 * over the same turns. Series added while it walks may be visited (their values are cumulative, so that is
 * harmless); series evicted meanwhile are skipped.
 */
export class SnapshotCursor {
  private readonly metrics: Iterator<Metric>;
  private metric: Metric | undefined;
  /** The next id of the metric's table to walk. */
  private id = 0;
  private full = false;
  private evictedHere = 0;

  constructor(
    metrics: Iterable<Metric>,
    /** The store's epoch when the snapshot began: it holds every change stamped up to this epoch. */
    readonly epoch: number,
    private readonly sweep: SweepRule,
  ) {
    this.metrics = metrics[Symbol.iterator]();
  }

  /** Visits up to `limit` series (evicted ones count as work but are not visited); false once all were walked. */
  next(limit: number, visit: SeriesVisitor): boolean {
    const rule = this.sweep;
    let work = 0;
    while (work < limit) {
      if (this.metric === undefined) {
        const next = this.metrics.next();
        if (next.done === true) return false;
        this.metric = next.value;
        this.id = 0;
        this.full = next.value.limitedSeriesCount >= next.value.seriesLimit;
        this.evictedHere = 0;
      }
      const metric = this.metric;
      const table = metric.table;
      if (this.id < table.length) {
        const id = this.id++;
        if (table.attributes[id] === undefined) continue; // a free id
        work++;
        const lastActiveAt = rule.lastActiveAt(table.stamps[id]);
        if (metric.sweepSeries(id, lastActiveAt, rule.ackedEpoch, rule.now, rule.idleMs, this.full)) {
          this.evictedHere++;
          rule.evicted();
        } else {
          visit(metric, table, id);
        }
        continue;
      }
      this.forgetEvictedPaths();
      this.metric = undefined;
    }
    this.forgetEvictedPaths();
    return true;
  }

  /**
   * Paths cached to series evicted in this slice must go before any call can follow them: their ids may be handed
   * out again. Recording cannot run while a slice walks, so clearing once at its end is in time; the cache refills
   * from the slow path.
   */
  private forgetEvictedPaths(): void {
    if (this.evictedHere === 0) return;
    this.metric?.locator.clear();
    this.evictedHere = 0;
  }
}

/**
 * The pure metric store behind the recording functions: the metric table, recording (it is the `Recorder` the
 * global slot points at once initialized), snapshots for the export pipelines, and the sweep that evicts idle
 * series. It imports nothing from the OpenTelemetry SDK; the pipelines turn its snapshots into export requests.
 *
 * A recording call looks its metric up by name and hands over to it; the metric does the rest (see `Metric`).
 */
export class MetricStore implements Recorder {
  private readonly metrics = new Map<string, Metric>();
  private readonly readers = new Set<StoreReader>();
  private readonly context: MetricContext;
  /**
   * When each recent snapshot began: `epochTimes[i]` for epoch `firstEpoch + i`. A series stamped with epoch E was
   * last recorded into before snapshot E began, which dates its last activity without a clock read on the hot path.
   * Only the epochs within the idle time (and one before) are kept, and at most MAX_EPOCH_TIMES of them.
   */
  private readonly epochTimes: number[] = [];
  private firstEpoch = 1;
  /** Idle series evicted since the store was created. */
  evicted = 0;

  constructor(
    private readonly limits: StoreLimits,
    counters: DropCounters,
    diagnostics: Diagnostics,
    /** Metric declarations, read when a metric is first used. */
    private readonly declarations: ReadonlyMap<string, HeldDeclaration>,
    redactor: PiiRedactor | null,
    private readonly now: () => number = Date.now,
    /** Makes exponential histogram series' state (the export layer's, over the SDK's aggregation). */
    exponential: (() => ExponentialAccumulator) | null = null,
    /** Decides which measurements become exemplars (the runtime's filter, which reads the active span). */
    exemplars: ExemplarSampler = NO_EXEMPLARS,
  ) {
    const epoch: Epoch = { current: 1 };
    this.context = {
      counters,
      diagnostics,
      normalizer: new LabelNormalizer(limits, diagnostics, redactor),
      epoch,
      now,
      cardinalityLimits: limits.cardinalityLimits,
      rateLimit: limits.rateLimit,
      exponential,
      deltas: false,
      exemplars,
      exemplarEpoch: { delivered: 0 },
    };
  }

  /**
   * Keeps, from now on, what was last delivered of every counter and histogram series, for a pipeline that exports
   * deltas (see `SeriesTable.deltaOf`). Gauges and up-down counters stay cumulative, as the specification's
   * temporality preferences have them.
   */
  trackDeltas(): void {
    this.context.deltas = true;
    for (const metric of this.metrics.values()) metric.trackDeltas();
  }

  add(kind: 'counter' | 'upDownCounter', name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    (this.metrics.get(name) ?? this.create(name, kind))?.add(kind, value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, args, start);
  }

  gauge(name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    (this.metrics.get(name) ?? this.create(name, 'gauge'))?.set(value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, args, start);
  }

  histogram(name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    (this.metrics.get(name) ?? this.create(name, 'histogram'))?.observe(value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, args, start);
  }

  emit(name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    (this.metrics.get(name) ?? this.create(name, undefined))?.record(value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, args, start);
  }

  ensureMetric(name: string, kind: InstrumentKind | undefined, options: MetricOptions): void {
    // Not a call: an invalid name or a full table is counted once, by the recording call that follows.
    if (typeof name === 'string' && !this.metrics.has(name) && this.metrics.size < this.limits.maxMetricNames && INSTRUMENT_NAME.test(name)) {
      this.create(name, kind, options);
    }
  }

  dropCall(reason: 'invalid_name' | 'invalid_label' | 'invalid_value', name: unknown): void {
    this.context.counters.drop(reason);
    const shown = typeof name === 'string' ? `'${name.slice(0, 60)}'` : `(a ${typeof name} given as the name)`;
    this.context.diagnostics.warnOnce(`unreadable:${reason}:${typeof name === 'string' ? name.slice(0, 200) : typeof name}`,
      `a recording call for metric ${shown} was dropped (${reason}): its ${reason === 'invalid_label' ? 'labels' : 'arguments'} ` +
        'could not be read (a getter or proxy threw). Pass plain strings, numbers and objects.');
  }

  recordList(kind: InstrumentKind | undefined, name: string, value: unknown,
    labels: ArrayLike<unknown> | Readonly<Record<string, unknown>> | undefined, options: MetricOptions | undefined,
    sampleRate: number): void {
    // The kind comes from the caller's options at run time: anything else than the four kinds is a dropped call,
    // never a metric of an unknown kind (which no exporter could serialize).
    if (kind !== undefined && !isInstrumentKind(kind)) return this.invalidKind(name, kind);
    const metric = this.metrics.get(name) ?? this.create(name, kind, options);
    if (metric === undefined) return;
    const actual = metric.plan.kind;
    if (kind !== undefined && actual !== kind) return metric.kindMismatch(kind);
    if (sampleRate !== 1) {
      if (!(typeof sampleRate === 'number' && sampleRate > 0 && sampleRate < 1)) {
        return metric.invalidValue(sampleRate, 'sampleRate must be a number in (0, 1]');
      }
      if (Math.random() >= sampleRate) {
        this.context.counters.sampledOut++;
        return;
      }
      // A kept counter call stands for 1 / sampleRate calls, so totals stay unbiased.
      if (typeof value === 'number' && (actual === 'counter' || actual === 'upDownCounter')) value = value / sampleRate;
    }
    let isList: boolean;
    try {
      isList = Array.isArray(labels); // throws for a revoked proxy
    } catch {
      return this.dropCall('invalid_label', name);
    }
    if (labels === undefined || labels === null) {
      metric.record(value, 0, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
        undefined, undefined, undefined, undefined, undefined, 0);
    } else if (isList) {
      // A copy: a proxy posing as an array (its length or items throwing) becomes a dropped call here, not later.
      // Only as many items as can be kept, plus one pair to see the limit was passed: a sparse array may claim a
      // length of 2^32 - 1.
      let list: unknown[];
      try {
        const keep = Math.min((labels as readonly unknown[]).length, 2 * this.limits.maxLabelPairs + 2);
        list = Array.prototype.slice.call(labels, 0, keep) as unknown[];
      } catch {
        return this.dropCall('invalid_label', name);
      }
      metric.record(value, list.length, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
        undefined, undefined, undefined, undefined, list, 0);
    } else {
      metric.record(value, 1, labels, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
        undefined, undefined, undefined, undefined, undefined, 0);
    }
  }

  private invalidKind(name: unknown, kind: unknown): void {
    this.context.counters.drop('invalid_value');
    const shown = typeof kind === 'string' ? `'${kind.slice(0, 40)}'` : `a ${kind === null ? 'null' : typeof kind}`;
    this.context.diagnostics.warnOnce(`invalid_kind:${typeof name === 'string' ? name.slice(0, 200) : typeof name}`,
      `a recording call for metric ${typeof name === 'string' ? `'${name.slice(0, 60)}'` : `(a ${typeof name} given as the name)`} ` +
        `gave the type ${shown} and was dropped: type must be one of ${INSTRUMENT_KINDS.join(', ')}.`);
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
      this.context.diagnostics.warnOnce(`late_declaration:${declaration.name}`,
        `metric '${declaration.name}' was declared by module '${declaration.module}' as a ${declaration.type} after ` +
          `it was first recorded as a ${metric.plan.kind}; it stays a ${metric.plan.kind} until the next initialize(). ` +
          'Call declareMetrics() at import time, before anything records.');
    }
  }

  /** Registers something that exports this store (`exemplars`: and the exemplars of its series); see `StoreReader`. */
  addReader(name: string, exemplars = false): StoreReader {
    const reader: StoreReader = { name, acked: 0, exemplars };
    this.readers.add(reader);
    return reader;
  }

  /**
   * Begins a snapshot and advances the epoch, so that the snapshot holds every change stamped up to the returned
   * cursor's epoch (and possibly later ones, which is harmless for cumulative values). Costs nothing up front: the
   * cursor walks and sweeps the series as it is asked for them. Acknowledge it with `acknowledge()` once the reader
   * delivered every series of it.
   */
  beginSnapshot(): SnapshotCursor {
    this.context.exemplars.forget?.();
    let acked = Infinity;
    for (const reader of this.readers) if (reader.acked < acked) acked = reader.acked;
    const now = this.now();
    const epoch = this.context.epoch.current++;
    this.dateEpoch(epoch, now);
    const rule: SweepRule = {
      lastActiveAt: (stamp) => this.lastActiveAt(stamp, now),
      ackedEpoch: acked,
      now,
      idleMs: this.limits.labelValueTtlMs,
      evicted: () => {
        this.evicted++;
      },
    };
    return new SnapshotCursor(this.metrics.values(), epoch, rule);
  }

  /** Keeps when the snapshot of `epoch` began, dropping dates older than the idle time needs. */
  private dateEpoch(epoch: number, now: number): void {
    if (this.epochTimes.length === 0) this.firstEpoch = epoch;
    this.epochTimes.push(now);
    const horizon = now - this.limits.labelValueTtlMs;
    while (this.epochTimes.length > 2 && (this.epochTimes[1] < horizon || this.epochTimes.length > MAX_EPOCH_TIMES)) {
      this.epochTimes.shift();
      this.firstEpoch++;
    }
  }

  /**
   * The latest time a series stamped `stamp` may have been recorded into: the start of snapshot `stamp`, or now if
   * none began since. A stamp older than every date kept is older than the idle time.
   */
  private lastActiveAt(stamp: number, now: number): number {
    const index = stamp - this.firstEpoch;
    if (index < 0) return -Infinity;
    return index < this.epochTimes.length ? this.epochTimes[index] : now;
  }

  /**
   * Records that `reader` delivered the snapshot of `epoch` in full; for a reader of exemplars, that the exemplars
   * recorded up to `epoch` were delivered and are not to be exported again.
   */
  acknowledge(reader: StoreReader, epoch: number): void {
    if (epoch > reader.acked) reader.acked = epoch;
    const exemplars = this.context.exemplarEpoch;
    if (reader.exemplars && epoch > exemplars.delivered) exemplars.delivered = epoch;
  }

  /** The epoch up to which exemplars were delivered: a snapshot exports those recorded after it (and up to its own). */
  get exemplarsDelivered(): number {
    return this.context.exemplarEpoch.delivered;
  }

  /** Metric names, series held and the fullest metric's series, for health. */
  stats(): { metricNames: number; seriesCount: number; fullest: number } {
    let seriesCount = 0;
    let fullest = 0;
    for (const metric of this.metrics.values()) {
      seriesCount += metric.seriesCount;
      if (metric.seriesCount > fullest) fullest = metric.seriesCount;
    }
    return { metricNames: this.metrics.size, seriesCount, fullest };
  }

  /** The metric recorded under `name`, for tests. */
  metric(name: string): Metric | undefined {
    return this.metrics.get(name);
  }

  /**
   * The series of `name` with exactly these labels (pairs in a list, or an object), normalized as a recording call
   * would normalize them (values typed, cut, redacted), without creating anything; undefined when never recorded.
   * For the test harness (`otel-facade/testing`).
   */
  lookup(name: string, labels: ArrayLike<unknown> | Readonly<Record<string, unknown>> | undefined): { metric: Metric; id: number } | undefined {
    const metric = this.metrics.get(name);
    if (metric === undefined) return undefined;
    const list = labels === undefined ? [] : Array.isArray(labels) ? Array.from(labels as ArrayLike<unknown>) : Object.entries(labels).flat();
    const { keys, values } = this.context.normalizer.normalize(name, list, 0);
    if (keys.length === 1 && keys[0] === OVERFLOW_ATTRIBUTE && values[0] === true) {
      return metric.overflow === -1 ? undefined : { metric, id: metric.overflow };
    }
    const id = metric.table.find(keys, values, metric.table.hashOf(keys, values));
    return id === -1 ? undefined : { metric, id };
  }

  /** Forgets every metric and series (the test harness's `reset()`); declarations stay. */
  reset(): void {
    this.metrics.clear();
  }

  private create(name: unknown, kind: InstrumentKind | undefined, options?: MetricOptions): Metric | undefined {
    const { counters, diagnostics } = this.context;
    if (typeof name !== 'string' || !INSTRUMENT_NAME.test(name)) {
      counters.drop('invalid_name');
      const shown = typeof name === 'string' ? `'${name.length > 60 ? `${name.slice(0, 60)}...` : name}'` : `of type ${typeof name}`;
      diagnostics.warnOnce(`invalid_name:${typeof name === 'string' ? name.slice(0, 300) : typeof name}`,
        `metric name ${shown} is invalid and the call was dropped. Names start with a letter and hold at most ` +
          '255 letters, digits, _ . - or /, such as weather.requests.total.');
      return undefined;
    }
    if (this.metrics.size >= this.limits.maxMetricNames) {
      counters.drop('metric_limit');
      // Said once, for the first name turned away: past the limit, names are typically generated, and a line per
      // name would flood the log. Every call is counted (droppedByReason.metric_limit).
      diagnostics.warnOnce('metric_limit',
        `metric '${name}' was dropped: ${this.limits.maxMetricNames} metric names are in use already ` +
          '(maxMetricNames); further new names are dropped too, and counted as metric_limit. Put variable parts of ' +
          'names into labels instead, or raise maxMetricNames.');
      return undefined;
    }
    const limits = this.limits.cardinalityLimits;
    const rate = this.limits.rateLimit;
    // A declaration is authoritative; then the caller's options; then the name heuristics.
    const declared = this.declarations.get(name) ?? UNIFIED_DECLARATIONS.get(name);
    const routed = routeInstrument(name, declared?.type ?? (isInstrumentKind(options?.kind) ? options.kind : undefined) ?? kind);
    const unit = declared?.unit ?? options?.unit ?? routed.unit;
    const description = declared?.description ?? options?.description ?? '';
    const plan = {
      kind: routed.kind,
      // Kept for the metric's life: owned copies, bounded (OpenTelemetry's unit limit is 63 characters).
      unit: typeof unit === 'string' ? ownString(truncateToChars(unit, 63)) : routed.unit,
      boundaries: declared?.buckets ?? (routed.kind === 'histogram' ? options?.boundaries : undefined) ?? routed.boundaries,
      // Declared one way or the other, else the configured default; explicit buckets given in a declaration or the
      // options keep a histogram explicit.
      exponential: routed.kind === 'histogram' && (declared?.aggregation === 'exponential' || (declared?.aggregation === undefined &&
        declared?.buckets === undefined && options?.boundaries === undefined && this.limits.histogramAggregation === 'base2_exponential_bucket_histogram')),
    };
    const owned = ownKey(name); // looked up by every call: internalized, so the lookup compares pointers
    const metric = new Metric(
      owned,
      plan,
      typeof description === 'string' ? ownString(truncateToChars(description, MAX_DESCRIPTION_LENGTH)) : '',
      this.limits.cardinalityLimit,
      Object.keys(limits).length > 0 ? new CardinalityLimiter({ perLabel: limits, valueTtlMs: this.limits.labelValueTtlMs }, this.now) : null,
      rate.enabled ? new RateLimiter(rate.callsPerSecond, rate.burst, this.now) : null,
      declared?.labels === undefined ? null : new Set(declared.labels),
      this.context,
    );
    this.metrics.set(owned, metric);
    return metric;
  }
}
