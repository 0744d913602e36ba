import type { InstrumentKind } from '../metrics/InstrumentRouter';

/** What a caller may say about a metric it creates: used only when the metric does not exist yet. */
export interface MetricOptions {
  /** The instrument kind. */
  kind?: InstrumentKind;
  /** UCUM unit. */
  unit?: string;
  /** Description of the exported metric. */
  description?: string;
  /** Histogram bucket boundaries. */
  boundaries?: readonly number[];
}

/**
 * What the public recording functions call. Labels arrive positionally (`a0`..`a11`, up to six pairs) so that a
 * call allocates nothing; calls with more label arguments pass the whole `arguments` list and the index where
 * the labels start instead.
 */
export interface Recorder {
  /** counter() (+value, monotonic) and upDownCounter() (+delta). */
  add(kind: 'counter' | 'upDownCounter', name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void;
  /** gauge(): last value wins. */
  gauge(name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void;
  /** histogram(): one observation. */
  histogram(name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void;
  /**
   * Counts a call that could not even be read (a hostile labels object, options whose getters throw) as dropped
   * for `reason`, and says once why. Called by the public functions; never throws.
   */
  dropCall(reason: 'invalid_name' | 'invalid_label' | 'invalid_value', name: unknown): void;
  /** Creates the metric with these options unless it exists (no call is counted). */
  ensureMetric(name: string, kind: InstrumentKind | undefined, options: MetricOptions): void;
  /** Records with labels as a list of pairs or an object; counters sampled at `sampleRate` are scaled. */
  recordList(kind: InstrumentKind | undefined, name: string, value: unknown,
    labels: ArrayLike<unknown> | Readonly<Record<string, unknown>> | undefined, options: MetricOptions | undefined,
    sampleRate: number): void;
  /** emit(): the instrument comes from the metric's existing kind or the name heuristics. */
  emit(name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    a8: unknown, a9: unknown, a10: unknown, a11: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void;
}
