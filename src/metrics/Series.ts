/**
 * One time series: a metric plus one set of attributes, pre-aggregated in place. Sums and gauges hold `value`
 * only; histograms are a subclass with their buckets, so a counter series carries no histogram state (an
 * `Infinity` and a `-Infinity` alone are two boxed numbers per series).
 */
export class Series {
  /** Sum for counters, last value for gauges. */
  value = 0;
  /** The store's epoch at the last recording: the hot path's only bookkeeping (it also dates the last activity). */
  stamp = 0;

  constructor(
    /** The attributes as exported, sorted by key; never mutated after creation. */
    readonly attributes: Readonly<Record<string, string | boolean>>,
    /** When the series was created (ms since epoch): the start of its cumulative window. */
    readonly startTimeMs: number,
  ) {}
}

/** A histogram series: observations per explicit bucket, with their count, sum, min and max. */
export class HistogramSeries extends Series {
  /**
   * Observations per bucket; `counts[i]` holds values <= boundaries[i], the last one the rest. A plain array of small
   * integers: a Float64Array costs an ArrayBuffer and an off-heap store besides, about 150 bytes more a series.
   */
  readonly counts: number[];
  /** Number of observations. */
  count = 0;
  /** Sum of observations. */
  sum = 0;
  /** Smallest observation. */
  min = Infinity;
  /** Largest observation. */
  max = -Infinity;

  constructor(
    attributes: Readonly<Record<string, string | boolean>>,
    startTimeMs: number,
    /** Bucket boundaries, shared by every series of the metric. */
    readonly boundaries: Float64Array,
  ) {
    super(attributes, startTimeMs);
    this.counts = new Array<number>(boundaries.length + 1).fill(0);
  }

  /** Adds one observation. */
  observe(value: number): void {
    const bounds = this.boundaries;
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
    this.counts[i]++;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
}
