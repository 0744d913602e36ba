/**
 * What the public recording functions call. Labels arrive positionally (`a0`..`a7`, up to four pairs) so that a
 * call allocates nothing; calls with more label arguments pass the whole `arguments` list and the index where
 * the labels start instead.
 */
export interface Recorder {
  /** counter() (+value, monotonic) and upDownCounter() (+delta). */
  add(kind: 'counter' | 'upDownCounter', name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void;
  /** gauge(): last value wins. */
  gauge(name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void;
  /** histogram(): one observation. */
  histogram(name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void;
  /** emit(): the instrument comes from the metric's existing kind or the name heuristics. */
  emit(name: string, value: unknown, argc: number,
    a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown,
    args: ArrayLike<unknown> | undefined, start: number): void;
}
