import { hrTime } from '@opentelemetry/core';
import type { InstrumentPlan } from './InstrumentRouter';
import { Series } from './Series';
import { SeriesLocator } from './SeriesLocator';
import { seriesKey, toAttributes, type NormalizedLabels } from './LabelNormalizer';

/**
 * Everything the Registry holds for one metric name: its instrument plan, its series, and the path cache
 * that finds a series from the raw arguments of a call.
 */
export class MetricState {
  /** Series by their canonical label key. */
  readonly series = new Map<string, Series>();
  /** Raw label arguments to series. */
  readonly locator: SeriesLocator;
  private readonly boundaries: Float64Array | null;

  constructor(
    /** The metric name, as exported. */
    readonly name: string,
    /** Kind, unit and buckets. */
    readonly plan: InstrumentPlan,
    /** Description for the exported metric. */
    readonly description: string,
    maxCachedNodes: number,
  ) {
    this.locator = new SeriesLocator(maxCachedNodes);
    this.boundaries = plan.kind === 'histogram' ? Float64Array.from(plan.boundaries) : null;
  }

  /** The series for a normalized label set, created on first use. */
  seriesFor(labels: NormalizedLabels): Series {
    const key = seriesKey(labels.keys, labels.values);
    let series = this.series.get(key);
    if (series === undefined) {
      series = new Series(toAttributes(labels.keys, labels.values), hrTime(), this.boundaries);
      this.series.set(key, series);
    }
    return series;
  }
}
