import type { Diagnostics } from '../diagnostics/Diagnostics';
import type { DropCounters } from '../health/DropCounters';
import type { CardinalityLimiter } from '../protection/CardinalityLimiter';
import type { RateLimiter } from '../protection/RateLimiter';
import type { InstrumentKind, InstrumentPlan } from './InstrumentRouter';
import type { LabelAttributeValue, LabelNormalizer } from './LabelNormalizer';
import {
  FLAG_COERCED, FLAG_DROPPED, FLAG_FOLDED_LABEL, FLAG_FOLDED_SERIES, FLAG_KEY_TRUNCATED, FLAG_REDACTED, FLAG_TRUNCATED,
  leafFlags, leafSeries, MISS, SeriesLocator,
} from './SeriesLocator';
import { labelHash, SeriesTable, type ExponentialAccumulator } from './SeriesTable';
import type { ExemplarSampler } from './ExemplarReservoirs';

/** The standard attribute of the series that holds everything past a metric's series limit. */
export const OVERFLOW_ATTRIBUTE = 'otel.metric.overflow';

const REPORTED_RATE_LIMIT = 1;
const REPORTED_INVALID_VALUE = 2;
const REPORTED_KIND_MISMATCH = 4;

/** The store's collection epoch, shared by every metric: the hot path stamps series with `current`. */
export interface Epoch {
  /** Incremented when a snapshot begins. */
  current: number;
}

/** What every metric of a store shares, handed to each metric once when it is created. */
export interface MetricContext {
  /** Drops and changes, by reason. */
  readonly counters: DropCounters;
  /** Where problems are reported. */
  readonly diagnostics: Diagnostics;
  /** Sanitises, redacts, sorts and de-duplicates new label sets. */
  readonly normalizer: LabelNormalizer;
  /** The store's epoch. */
  readonly epoch: Epoch;
  /** The clock (ms since epoch). */
  readonly now: () => number;
  /** Per-label value limits, for messages. */
  readonly cardinalityLimits: Readonly<Record<string, number>>;
  /** Calls per second and burst of the rate limiter, for messages. */
  readonly rateLimit: { readonly callsPerSecond: number; readonly burst: number };
  /** Makes an exponential histogram series' state; null when none can be made (histograms stay explicit). */
  readonly exponential: (() => ExponentialAccumulator) | null;
  /** Whether counters and histograms keep delta baselines (a pipeline exports deltas). */
  deltas: boolean;
  /** Decides which measurements become exemplars (the runtime's filter; `NO_EXEMPLARS` when none are kept). */
  readonly exemplars: ExemplarSampler;
  /** The epoch up to which the reader that exports exemplars delivered them. */
  readonly exemplarEpoch: { delivered: number };
}

/**
 * One metric name and everything recorded under it: its instrument plan, its series, the path cache that finds a
 * series from the raw arguments of a call, and its protections (rate limit, per-label value limits, series limit).
 *
 * A recording call flows through here one way: rate limit, value, then the series found by the path cache; a new
 * label combination goes on to the normalizer (its labels), the cardinality limiter and the series table, and only
 * what was admitted is cached. Nothing on the way calls back into the store.
 */
export class Metric {
  /** The series, by id (see `SeriesTable`). */
  readonly table: SeriesTable;
  /** Raw label arguments to series ids. */
  readonly locator: SeriesLocator;
  /** The id of the series past the series limit, created when first needed; -1 before. */
  overflow = -1;
  /** REPORTED_* bits: problems of this metric already said, so repeated drops skip the diagnostics entirely. */
  private reported = 0;
  /** The labels the last `place()` folded into `other`, or undefined. */
  private folded: string[] | undefined = undefined;
  /** The store's exemplar sampler, held here so that the hot path checks `open` with one load more. */
  private readonly sampler: ExemplarSampler;

  constructor(
    /** The metric name, as exported. */
    readonly name: string,
    /** Kind, unit and buckets. */
    readonly plan: InstrumentPlan,
    /** Description for the exported metric. */
    readonly description: string,
    /** Most series held, the overflow series aside. */
    readonly seriesLimit: number,
    /** Per-label value limits, or null when no label of this metric is limited. */
    readonly limiter: CardinalityLimiter | null,
    /** Token bucket on recording calls, or null when calls are not rate limited. */
    readonly rateLimiter: RateLimiter | null,
    /** The label keys a declaration lists, or null when the metric was not declared with labels. */
    readonly declaredLabels: ReadonlySet<string> | null,
    private readonly context: MetricContext,
  ) {
    this.locator = new SeriesLocator(seriesLimit + 1);
    this.sampler = context.exemplars;
    const exponential = plan.kind === 'histogram' && plan.exponential === true ? context.exponential : null;
    this.table = exponential !== null
      ? new SeriesTable(null, labelHash, exponential)
      : new SeriesTable(plan.kind === 'histogram' ? Float64Array.from(plan.boundaries) : null);
    if (context.deltas) this.trackDeltas();
  }

  /** Keeps delta baselines of this metric's series, if its kind has deltas at all (counters and histograms). */
  trackDeltas(): void {
    if (this.plan.kind === 'counter' || this.plan.kind === 'histogram') this.table.trackDeltas();
  }

  /** counter() (+value, monotonic) and upDownCounter() (+delta). */
  add(kind: 'counter' | 'upDownCounter', value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    if (this.plan.kind !== kind) return this.kindMismatch(kind);
    // The value first (a compare), so that a call dropped as invalid takes no token from the valid ones.
    if (typeof value !== 'number' || !(kind === 'counter' ? value >= 0 && value < Infinity : value - value === 0)) {
      return this.invalidValue(value);
    }
    if (this.rateLimiter !== null && !this.rateLimiter.tryTake()) return this.rateLimited();
    const id = this.locate(argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, args, start);
    if (id === MISS) return;
    this.table.values[id] += value;
    this.context.counters.emitted++;
    if (this.sampler.open !== 0) this.offerExemplar(id, value);
  }

  /** gauge(): the last value wins. */
  set(value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    if (this.plan.kind !== 'gauge') return this.kindMismatch('gauge');
    if (typeof value !== 'number' || value - value !== 0) return this.invalidValue(value);
    if (this.rateLimiter !== null && !this.rateLimiter.tryTake()) return this.rateLimited();
    const id = this.locate(argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, args, start);
    if (id === MISS) return;
    this.table.values[id] = value;
    this.context.counters.emitted++;
    if (this.sampler.open !== 0) this.offerExemplar(id, value);
  }

  /** histogram(): one observation. */
  observe(value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    if (this.plan.kind !== 'histogram') return this.kindMismatch('histogram');
    // Histograms take values >= 0, as OpenTelemetry's do (their sum must be monotonic).
    if (typeof value !== 'number' || !(value >= 0 && value < Infinity)) return this.invalidValue(value);
    if (this.rateLimiter !== null && !this.rateLimiter.tryTake()) return this.rateLimited();
    const id = this.locate(argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, args, start);
    if (id === MISS) return;
    this.table.observe(id, value);
    this.context.counters.emitted++;
    if (this.sampler.open !== 0) this.offerExemplar(id, value);
  }

  /** Records with this metric's own kind (emit()). */
  record(value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void {
    const kind = this.plan.kind;
    if (kind === 'histogram') this.observe(value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, args, start);
    else if (kind === 'gauge') this.set(value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, args, start);
    else this.add(kind, value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, args, start);
  }

  /**
   * Offers a recorded measurement as an exemplar of series `id`, if the sampler finds it eligible (a sampled span
   * active, or `always_on`). Off the hot path: called only while the sampler is open.
   */
  private offerExemplar(id: number, value: number): void {
    const sampler = this.sampler;
    if (!sampler.sample()) return;
    const context = this.context;
    this.table.offerExemplar(id, value, context.epoch.current, sampler.traceId, sampler.spanId, context.exemplarEpoch.delivered, context.now);
  }

  /** Reports a value that cannot be recorded, such as a sample rate out of range, and drops the call. */
  invalidValue(value: unknown, reason?: string): void {
    this.context.counters.drop('invalid_value');
    if ((this.reported & REPORTED_INVALID_VALUE) !== 0) return;
    const why = reason ?? (this.plan.kind === 'counter'
      ? 'counters take finite numbers >= 0 (use upDownCounter() for values that go down)'
      : this.plan.kind === 'histogram'
        ? 'histograms take finite numbers >= 0, as OpenTelemetry\'s do (record a negative quantity with a gauge or an upDownCounter)'
        : `${this.plan.kind}s take finite numbers`);
    if (this.context.diagnostics.warnOnce(`invalid_value:${this.name}`,
      `metric '${this.name}' got the value ${typeof value === 'number' ? String(value) : `of type ${typeof value}`}, ` +
        `which was dropped: ${why}.`)) this.reported |= REPORTED_INVALID_VALUE;
  }

  /** Reports a call of another kind than this metric's and drops it. */
  kindMismatch(kind: InstrumentKind): void {
    this.context.counters.drop('kind_mismatch');
    if ((this.reported & REPORTED_KIND_MISMATCH) !== 0) return;
    if (this.context.diagnostics.warnOnce(`kind_mismatch:${this.name}`,
      `metric '${this.name}' was first recorded as a ${this.plan.kind}; this ${kind} call was dropped. ` +
        'Record each name with one kind, or give the other use its own name.')) this.reported |= REPORTED_KIND_MISMATCH;
  }

  /**
   * Sweeps series `id` as a snapshot walks past it. `lastActiveAt` is the latest time it may have been recorded
   * into (the start of the snapshot after its last recording). A series active within `idleMs` keeps its label
   * values from expiring. One idle for longer is evicted when every reader has acknowledged a snapshot holding its
   * last change (`stamp <= ackedEpoch`) and it carries a limited label (its value has expired, so its place went to
   * another value) or the metric was at its series limit (`full`); its cumulative total was delivered, and a later
   * return starts a new series. The overflow series is never evicted. Returns true when it was evicted (the caller
   * clears the path cache afterwards, since cached paths may lead to its id).
   */
  sweepSeries(id: number, lastActiveAt: number, ackedEpoch: number, now: number, idleMs: number, full: boolean): boolean {
    const attributes = this.table.attributes[id];
    if (attributes === undefined || id === this.overflow) return false;
    if (now - lastActiveAt < idleMs) {
      this.limiter?.touch(attributes);
      return false;
    }
    if (this.table.stamps[id] <= ackedEpoch && (full || this.limiter?.hasLimitedLabel(attributes) === true)) {
      this.table.remove(id);
      return true;
    }
    return false;
  }

  /** Series held, the overflow series included. */
  get seriesCount(): number {
    return this.table.size;
  }

  /** Series held below the series limit: the overflow series aside. */
  get limitedSeriesCount(): number {
    return this.table.size - (this.overflow === MISS ? 0 : 1);
  }

  /**
   * The series id of these raw label arguments: a cached path, or the slow path. MISS when the call was dropped
   * because a labels object could not be read (a getter or a proxy trap threw): counted as `invalid_label`.
   */
  private locate(argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): number {
    const locator = this.locator;
    let leaf: number;
    if (args !== undefined) {
      leaf = locator.findList(args, start);
    } else if (argc === 1 && typeof a0 === 'object' && a0 !== null) {
      try {
        leaf = locator.findObject(a0 as Readonly<Record<string, unknown>>);
      } catch {
        return this.unreadableLabels();
      }
    } else {
      leaf = locator.find(argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
    }
    if (leaf === MISS) return this.resolve(argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, args, start);
    const flags = leafFlags(leaf);
    if (flags !== 0) this.countFlags(flags);
    const id = leafSeries(leaf);
    this.table.stamps[id] = this.context.epoch.current;
    return id;
  }

  /** The slow path: a label combination not cached yet. */
  private resolve(argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): number {
    let list: ArrayLike<unknown>;
    if (args !== undefined) {
      list = args;
    } else if (argc === 1 && typeof a0 === 'object' && a0 !== null) {
      try {
        list = Object.entries(a0).flat();
      } catch {
        return this.unreadableLabels();
      }
      start = 0;
    } else {
      list = positional(argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
      start = 0;
    }
    const labels = this.context.normalizer.normalize(this.name, list, start);
    if (this.declaredLabels !== null) this.checkDeclaredLabels(labels.keys);
    const id = this.place(labels.keys, labels.values);
    let flags = labels.flags;
    if (id === this.overflow) {
      flags |= FLAG_FOLDED_SERIES;
      this.reportFolded('overflow', this.folded);
    } else if (this.folded !== undefined) {
      flags |= FLAG_FOLDED_LABEL;
      this.reportFolded('other', this.folded);
    }
    // Paths to admitted series are cached. Paths whose outcome is bounded but shared (values folded into `other`,
    // combinations sent to the overflow series, redacted values: many raw values, one series) are cached only while
    // the cache is at most half full: a value already folded then costs a lookup, not the slow path, and a flood of
    // distinct values stops being cached at half, never making the cache start over and lose the hot paths. Series
    // eviction clears the cache, so a folded value is judged again once room may have opened.
    const shared = (flags & (FLAG_REDACTED | FLAG_FOLDED_LABEL | FLAG_FOLDED_SERIES)) !== 0;
    if (labels.cacheable && (!shared || this.locator.hasRoomToSpare())) this.locator.remember(list, start, id, flags);
    if (flags !== 0) this.countFlags(flags);
    this.table.stamps[id] = this.context.epoch.current;
    return id;
  }

  /**
   * The series id for a new label set: an existing one, a new one, the one with over-limit values as `other`, or
   * the overflow series (see `folded` for what was folded). `values` may be rewritten (`other`).
   */
  private place(keys: string[], values: LabelAttributeValue[]): number {
    const table = this.table;
    this.folded = undefined;
    let hash = table.hashOf(keys, values);
    let id = table.find(keys, values, hash);
    if (id !== MISS) return id;
    const folded = this.limiter?.admit(keys, values);
    this.folded = folded;
    if (folded !== undefined) {
      hash = table.hashOf(keys, values);
      id = table.find(keys, values, hash);
    }
    if (id === MISS && this.limitedSeriesCount < this.seriesLimit) id = table.add(keys, values, hash, this.context.now());
    if (id === MISS) {
      if (this.overflow === MISS) this.overflow = table.addUnindexed({ [OVERFLOW_ATTRIBUTE]: true }, this.context.now());
      id = this.overflow;
    }
    return id;
  }

  /** Says once per label (and once for the series limit) why values were folded; counting is `countFlags()`'s. */
  private reportFolded(placement: 'other' | 'overflow', labels: string[] | undefined): void {
    const { diagnostics, cardinalityLimits } = this.context;
    if (labels !== undefined) {
      for (const label of labels) {
        diagnostics.warnOnce(`cardinality:${this.name}:${label}`,
          `${this.name}: label '${label}' exceeded its limit of ${cardinalityLimits[label]} distinct ` +
            "values; values beyond it are reported as 'other'. Keep unbounded values such as ids out of labels " +
            '(put them on spans or in baggage), or raise cardinalityLimits.');
      }
    }
    if (placement === 'overflow') {
      diagnostics.warnOnce(`overflow:${this.name}`,
        `${this.name}: reached its limit of ${this.seriesLimit} series; new label combinations are ` +
          'folded into one series with otel.metric.overflow=true, so totals stay right. Find the label with many ' +
          'values and bound it (cardinalityLimits), or raise cardinalityLimit.');
    }
  }

  /** A labels object whose getters or proxy traps throw: the call is dropped, a user error, said once. */
  private unreadableLabels(): number {
    this.context.counters.drop('invalid_label');
    this.context.diagnostics.warnOnce(`unreadable_labels:${this.name}`,
      `metric '${this.name}': a labels object could not be read (a getter or proxy threw), so the call was dropped. ` +
        'Pass labels as a plain object of strings, numbers and booleans.');
    return MISS;
  }

  private rateLimited(): void {
    this.context.counters.drop('rate_limited');
    if ((this.reported & REPORTED_RATE_LIMIT) !== 0) return;
    const rate = this.context.rateLimit;
    if (this.context.diagnostics.warnOnce(`rate_limited:${this.name}`,
      `${this.name}: more than ${rate.callsPerSecond} calls per second (burst ${rate.burst}); calls over the rate ` +
        'are dropped. Record aggregated values from hot loops (one histogram() per batch), or raise ' +
        'rateLimit.callsPerSecond.')) this.reported |= REPORTED_RATE_LIMIT;
  }

  private countFlags(flags: number): void {
    const counters = this.context.counters;
    if ((flags & FLAG_TRUNCATED) !== 0) counters.sanitize('label_value_truncated');
    if ((flags & FLAG_COERCED) !== 0) counters.sanitize('label_value_coerced');
    if ((flags & FLAG_REDACTED) !== 0) counters.sanitize('pii_redacted');
    if ((flags & FLAG_DROPPED) !== 0) counters.sanitize('label_dropped');
    if ((flags & FLAG_KEY_TRUNCATED) !== 0) counters.sanitize('label_key_truncated');
    if ((flags & FLAG_FOLDED_SERIES) !== 0) counters.fold('series_limit');
    else if ((flags & FLAG_FOLDED_LABEL) !== 0) counters.fold('label_limit');
  }

  private checkDeclaredLabels(keys: readonly string[]): void {
    const declared = this.declaredLabels as ReadonlySet<string>;
    for (const key of keys) {
      if (!declared.has(key)) {
        this.context.diagnostics.warnOnce(`undeclared_label:${this.name}:${key}`,
          `metric '${this.name}' got the label '${key}', which its declaration does not list ` +
            `(${[...declared].join(', ') || 'no labels'}). Add it to the declaration or stop sending it.`);
      }
    }
  }
}

/** Positional label arguments as a list of exactly `argc` items, for the slow path. */
function positional(argc: number, a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown,
  a6: unknown, a7: unknown, a8: unknown, a9: unknown, a10: unknown, a11: unknown): unknown[] {
  switch (argc) {
    case 0: return [];
    case 2: return [a0, a1];
    case 4: return [a0, a1, a2, a3];
    case 6: return [a0, a1, a2, a3, a4, a5];
    case 8: return [a0, a1, a2, a3, a4, a5, a6, a7];
    default: {
      const list = [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11];
      list.length = argc;
      return list;
    }
  }
}
