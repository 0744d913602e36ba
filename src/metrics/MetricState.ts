import { hrTime } from '@opentelemetry/core';
import type { InstrumentPlan } from './InstrumentRouter';
import { Series } from './Series';
import { SeriesLocator } from './SeriesLocator';
import { seriesKey, toAttributes, type NormalizedLabels } from './LabelNormalizer';
import type { CardinalityLimiter } from '../protection/CardinalityLimiter';
import type { RateLimiter } from '../protection/RateLimiter';

/** The standard attribute of the series that holds everything past a metric's series limit. */
export const OVERFLOW_ATTRIBUTE = 'otel.metric.overflow';

/** `MetricState.reported` bit: the rate limit was reported. */
export const REPORTED_RATE_LIMIT = 1;
/** `MetricState.reported` bit: an invalid value was reported. */
export const REPORTED_INVALID_VALUE = 2;
/** `MetricState.reported` bit: a kind mismatch was reported. */
export const REPORTED_KIND_MISMATCH = 4;

/** How a new label set was placed. */
export type Placement = 'series' | 'other' | 'overflow';

/**
 * Everything the Registry holds for one metric name: its instrument plan, its series, the path cache that finds a
 * series from the raw arguments of a call, and its protections (label value limits, series limit, rate limit).
 */
export class MetricState {
  /** Series by their canonical label key. */
  readonly series = new Map<string, Series>();
  /** Raw label arguments to series. */
  readonly locator: SeriesLocator;
  /** REPORTED_* bits: problems of this metric already said, so repeated drops skip the diagnostics entirely. */
  reported = 0;
  /** The series past the series limit, created when first needed. */
  overflow: Series | undefined;
  private readonly boundaries: Float64Array | null;

  constructor(
    /** The metric name, as exported. */
    readonly name: string,
    /** Kind, unit and buckets. */
    readonly plan: InstrumentPlan,
    /** Description for the exported metric. */
    readonly description: string,
    /** Most series held, the overflow series aside. */
    readonly seriesLimit: number,
    maxCachedNodes: number,
    /** Per-label value limits, or null when no label of this metric is limited. */
    readonly limiter: CardinalityLimiter | null,
    /** Token bucket on recording calls, or null when calls are not rate limited. */
    readonly rateLimiter: RateLimiter | null,
    /** The label keys a declaration lists, or null when the metric was not declared with labels. */
    readonly declaredLabels: ReadonlySet<string> | null = null,
  ) {
    this.locator = new SeriesLocator(maxCachedNodes);
    this.boundaries = plan.kind === 'histogram' ? Float64Array.from(plan.boundaries) : null;
  }

  /**
   * The series for a new label set: an existing one, a new one, the one with over-limit values as `other`, or the
   * overflow series. `labels.values` may be rewritten (`other`).
   */
  place(labels: NormalizedLabels, now: number): { series: Series; placement: Placement; folded?: string[] } {
    let series = this.series.get(seriesKey(labels.keys, labels.values));
    if (series !== undefined) return { series, placement: 'series' };
    const folded = this.limiter?.admit(labels);
    const key = folded === undefined ? undefined : seriesKey(labels.keys, labels.values);
    series = key === undefined ? undefined : this.series.get(key);
    if (series === undefined && this.series.size < this.seriesLimit) {
      series = new Series(toAttributes(labels.keys, labels.values), hrTime(), this.boundaries, now);
      this.series.set(key ?? seriesKey(labels.keys, labels.values), series);
    }
    if (series === undefined) {
      this.overflow ??= new Series({ [OVERFLOW_ATTRIBUTE]: true }, hrTime(), this.boundaries, now);
      return { series: this.overflow, placement: 'overflow', folded };
    }
    return { series, placement: folded === undefined ? 'series' : 'other', folded };
  }

  /**
   * Runs at each collection, before export: series recorded since the last one (`stamp === epoch`) are marked
   * active and keep their label values from expiring. Series idle for `idleMs` whose last change has been exported
   * (`activeAt <= exportedAt`) are evicted when they carry a limited label (their value has expired, so its place
   * went to another value) or when the metric is at its series limit; their cumulative totals were delivered,
   * and a later return starts a new series. Other series are never evicted. Returns how many were evicted.
   */
  sweep(epoch: number, now: number, idleMs: number, exportedAt: number): number {
    let evicted = 0;
    const full = this.series.size >= this.seriesLimit;
    for (const [key, series] of this.series) {
      if (series.stamp === epoch) {
        series.activeAt = now;
        this.limiter?.touch(series.attributes);
      } else if (
        now - series.activeAt >= idleMs &&
        series.activeAt <= exportedAt &&
        (full || this.limiter?.hasLimitedLabel(series.attributes) === true)
      ) {
        this.series.delete(key);
        evicted++;
      }
    }
    if (evicted > 0) this.locator.clear();
    return evicted;
  }

  /** Series held, the overflow series included. */
  get seriesCount(): number {
    return this.series.size + (this.overflow === undefined ? 0 : 1);
  }
}
