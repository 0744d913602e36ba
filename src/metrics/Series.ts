/**
 * One time series: a metric plus one set of attributes, pre-aggregated in place. A single class serves every
 * instrument kind so that the hot path touches one object shape (sums and gauges use `value`, histograms the rest).
 */
export class Series {
  /** Sum for counters, last value for gauges. */
  value = 0;
  /** Histogram: observations per bucket; `counts[i]` holds values <= boundaries[i], the last one the rest. */
  readonly counts: Float64Array | null;
  /** Histogram: number of observations. */
  count = 0;
  /** Histogram: sum of observations. */
  sum = 0;
  /** Histogram: smallest observation. */
  min = Infinity;
  /** Histogram: largest observation. */
  max = -Infinity;
  /** The store's epoch at the last recording: the hot path's only bookkeeping (it also dates the last activity). */
  stamp = 0;

  constructor(
    /** The attributes as exported, sorted by key; never mutated after creation. */
    readonly attributes: Readonly<Record<string, string | boolean>>,
    /** When the series was created (ms since epoch): the start of its cumulative window. */
    readonly startTimeMs: number,
    /** Histogram bucket boundaries, or null for other kinds. */
    readonly boundaries: Float64Array | null,
  ) {
    this.counts = boundaries === null ? null : new Float64Array(boundaries.length + 1);
  }

  /** Adds one histogram observation. */
  observe(value: number): void {
    const bounds = this.boundaries as Float64Array;
    const n = bounds.length;
    let i = 0;
    if (n > 16) {
      // Binary search for the first boundary >= value on long bucket lists.
      let hi = n;
      while (i < hi) {
        const mid = (i + hi) >>> 1;
        if (bounds[mid] < value) i = mid + 1;
        else hi = mid;
      }
    } else {
      while (i < n && value > bounds[i]) i++;
    }
    (this.counts as Float64Array)[i]++;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
}
