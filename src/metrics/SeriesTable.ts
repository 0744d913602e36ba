import { setOwn } from '../config/setOwn';
import { EXPONENTIAL_EXEMPLARS, ExemplarReservoirs, MAX_BUCKET_EXEMPLARS, type Exemplar } from './ExemplarReservoirs';

/** The attributes of one series as exported, sorted by key; never mutated after the series is created. */
export type SeriesAttributes = Readonly<Record<string, string | number | boolean>>;

/** A label value of a normalized label set: a string, or a number or boolean kept with its type. */
type Value = string | number | boolean;

/** A histogram series' state, as read at export. */
export interface HistogramState {
  /** Observations per bucket; `counts[i]` holds values <= boundaries[i], the last one the rest. */
  counts: number[];
  /** Number of observations. */
  count: number;
  /** Sum of observations. */
  sum: number;
  /** Smallest observation (Infinity before the first). */
  min: number;
  /** Largest observation (-Infinity before the first). */
  max: number;
}

/** A base-2 exponential histogram's state as exported (the shape of the SDK's `ExponentialHistogram`). */
export interface ExponentialPoint {
  count: number;
  sum?: number;
  scale: number;
  zeroCount: number;
  positive: { offset: number; bucketCounts: number[] };
  negative: { offset: number; bucketCounts: number[] };
  min?: number;
  max?: number;
}

/** One series' exponential histogram: takes observations, gives its point. Made by the export layer (the SDK's). */
export interface ExponentialAccumulator {
  record(value: number): void;
  toPointValue(): ExponentialPoint;
  /** A copy, independent of this one. */
  clone(): ExponentialAccumulator;
  /** Subtracts `earlier` (a clone of this series taken before) bucket by bucket, at the coarser of the two scales. */
  diff(earlier: ExponentialAccumulator): void;
}

/**
 * What one delta point of a series carried: the cumulative state it was computed from, so that once the point is
 * delivered (or dropped for good) that state becomes the series' baseline. Made by `SeriesTable.deltaOf`.
 */
export interface DeltaCommit {
  /** The series. */
  readonly id: number;
  /** Its attributes object: a commit for an id since freed and handed out again finds another object, and is void. */
  readonly attributes: SeriesAttributes;
  /** The sum, or a histogram's count and sum, when the point was taken. */
  readonly value: number;
  readonly sum: number;
  /** A histogram's bucket counts when the point was taken (explicit buckets). */
  readonly counts: Float64Array | undefined;
  /** An exponential histogram as it was when the point was taken. */
  readonly exponential: ExponentialAccumulator | undefined;
}

/** The change of a series since its baseline, as `SeriesTable.deltaOf` reads it. */
export interface SeriesDelta {
  /** Sums: the increase. */
  value: number;
  /** Histograms: observations, their sum, and the bucket counts since the baseline. */
  histogram: HistogramState | undefined;
  exponential: ExponentialPoint | undefined;
  /** Applies this delta's state as the baseline. */
  commit: DeltaCommit;
}

/** A series' delta baselines: what was last delivered of it (columns kept only when a pipeline sends deltas). */
interface Baselines {
  /** Sums: the value delivered. Histograms: the count delivered. */
  values: Float64Array;
  /** Histograms: the sum delivered. */
  sums: Float64Array;
  /** Histograms: the bucket counts delivered, `width` per id. */
  counts: Float64Array;
  /** The end of the last delivered window (ms since epoch): the start of the next delta. */
  starts: Float64Array;
  /** Exponential histograms: a clone of the state delivered, per id. */
  exponentials: (ExponentialAccumulator | undefined)[];
}

/** `byHash` holds this for a hash whose first series went while series that collided with it remain. */
const VACATED = -1;
/** Per series, in `stats`: count, sum, min, max. */
const STATS = 4;
const INITIAL_CAPACITY = 8;

/**
 * The series of one metric, in a flat table: a series is an id, and its state lives in typed arrays indexed by it
 * (a sum or last value, the epoch of its last recording, its start time; for histograms, a row of bucket counts
 * and count/sum/min/max), beside one attributes object. A Map from a hash of the normalized labels to the id finds a
 * series on the slow path; no key string is built or kept. Hashes are verified against the attributes, and a label
 * set whose hash is taken by another goes to a second Map keyed by its unambiguous key string, so collisions,
 * deliberate or not, cost one more lookup and never a scan.
 *
 * Why: a series held as an object with a Map key string, an `HrTime` and boxed numbers cost 580 B; here it costs
 * its attributes, a hash entry and about 24 bytes of columns. The hot path adds to `values[id]` and stamps
 * `stamps[id]`: two typed-array stores. Ids of evicted series are reused.
 */
export class SeriesTable {
  /** Sum for counters, last value for gauges, per id. */
  values: Float64Array;
  /** The store's epoch at each series' last recording, per id (it also dates the last activity). */
  stamps: Uint32Array;
  /** When each series was created (ms since epoch): the start of its cumulative window. */
  private starts: Float64Array;
  private hashes: Int32Array;
  /** Attributes per id; undefined for a free id. */
  readonly attributes: (SeriesAttributes | undefined)[] = [];
  /** Histogram bucket counts, `width` per id; empty for sums and gauges. */
  private counts: Float64Array;
  /** Histogram count, sum, min and max per id; empty for sums and gauges. */
  private stats: Float64Array;
  /** Buckets per histogram series (boundaries + 1), or 0 for sums and gauges. */
  private readonly width: number;
  private capacity = INITIAL_CAPACITY;
  /** Ids handed out so far: every id in use is below it. */
  length = 0;
  /** Series held. */
  size = 0;
  private readonly free: number[] = [];
  /** Exponential histogram state per id, when the metric aggregates exponentially. */
  private readonly exponentials: (ExponentialAccumulator | undefined)[] | undefined;
  /** What was last delivered of each series, when a pipeline sends deltas (see `trackDeltas`). */
  private baselines: Baselines | undefined;
  private readonly byHash = new Map<number, number>();
  /** Exemplars per id, made at the first exemplar of any series: one per bucket, 20 sampled, or the latest. */
  private exemplarReservoirs: ExemplarReservoirs | undefined;
  /** Series whose hash another series held when they were created, by their key string. */
  private colliders: Map<string, number> | undefined;
  /** How many colliders each such hash has. */
  private collided: Map<number, number> | undefined;

  constructor(
    /** Histogram bucket boundaries, shared by every series; null for sums and gauges. */
    readonly boundaries: Float64Array | null,
    /** The label hash (a parameter so that tests can make every label set collide). */
    private readonly hash: (keys: readonly string[], values: readonly Value[]) => number = labelHash,
    /** Makes each series' exponential histogram, for a histogram that aggregates exponentially (`boundaries` null). */
    private readonly exponential: (() => ExponentialAccumulator) | null = null,
  ) {
    this.exponentials = exponential === null ? undefined : [];
    this.width = boundaries === null ? 0 : boundaries.length + 1;
    this.values = new Float64Array(INITIAL_CAPACITY);
    this.stamps = new Uint32Array(INITIAL_CAPACITY);
    this.starts = new Float64Array(INITIAL_CAPACITY);
    this.hashes = new Int32Array(INITIAL_CAPACITY);
    this.counts = new Float64Array(this.width * INITIAL_CAPACITY);
    this.stats = new Float64Array(this.width === 0 ? 0 : STATS * INITIAL_CAPACITY);
  }

  /** The hash `find` and `add` take for normalized labels (sorted keys, parallel values). */
  hashOf(keys: readonly string[], values: readonly Value[]): number {
    return this.hash(keys, values);
  }

  /** The id of the series with exactly these normalized labels, whose `hashOf` is `hash`; -1 if none. */
  find(keys: readonly string[], values: readonly Value[], hash: number): number {
    const id = this.byHash.get(hash);
    if (id === undefined) return -1;
    if (id !== VACATED && this.matches(id, keys, values)) return id;
    if (this.collided?.has(hash) !== true) return -1;
    return (this.colliders as Map<string, number>).get(seriesKey(keys, values)) ?? -1;
  }

  /** Adds a series for normalized labels that `find` did not find; returns its id. */
  add(keys: readonly string[], values: readonly Value[], hash: number, now: number): number {
    const id = this.allocate(toAttributes(keys, values), now);
    this.hashes[id] = hash;
    const holder = this.byHash.get(hash);
    if (holder === undefined || holder === VACATED) {
      this.byHash.set(hash, id);
    } else {
      (this.colliders ??= new Map()).set(seriesKey(keys, values), id);
      this.collided ??= new Map();
      this.collided.set(hash, (this.collided.get(hash) ?? 0) + 1);
    }
    return id;
  }

  /** Adds a series that is never looked up by its labels (the overflow series); returns its id. */
  addUnindexed(attributes: SeriesAttributes, now: number): number {
    const id = this.allocate(attributes, now);
    this.hashes[id] = 0;
    return id;
  }

  /** Removes a series found by its labels; its id may be handed out again. */
  remove(id: number): void {
    const attributes = this.attributes[id];
    if (attributes === undefined) return;
    const hash = this.hashes[id];
    if (this.byHash.get(hash) === id) {
      if (this.collided?.has(hash) === true) this.byHash.set(hash, VACATED);
      else this.byHash.delete(hash);
    } else if (this.colliders !== undefined && this.collided !== undefined) {
      const keys = Object.keys(attributes).sort();
      this.colliders.delete(seriesKey(keys, keys.map((key) => attributes[key])));
      const left = (this.collided.get(hash) ?? 1) - 1;
      if (left > 0) {
        this.collided.set(hash, left);
      } else {
        this.collided.delete(hash);
        if (this.byHash.get(hash) === VACATED) this.byHash.delete(hash);
      }
    }
    this.attributes[id] = undefined;
    if (this.exponentials !== undefined) this.exponentials[id] = undefined;
    if (this.baselines !== undefined) this.baselines.exponentials[id] = undefined;
    this.exemplarReservoirs?.clear(id); // the id will be handed out again: a new series starts with none
    this.free.push(id);
    this.size--;
  }

  /** Adds one observation to a histogram series. */
  observe(id: number, value: number): void {
    const exponentials = this.exponentials;
    if (exponentials !== undefined) {
      (exponentials[id] as ExponentialAccumulator).record(value);
      return;
    }
    this.counts[id * this.width + this.bucketOf(value)]++;
    const stats = this.stats;
    const at = id * STATS;
    stats[at]++;
    stats[at + 1] += value;
    if (value < stats[at + 2]) stats[at + 2] = value;
    if (value > stats[at + 3]) stats[at + 3] = value;
  }

  /** The explicit bucket of `value`: `counts[i]` holds values <= boundaries[i], the last one the rest. */
  private bucketOf(value: number): number {
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
    return i;
  }

  /**
   * Keeps a measurement of series `id` as an exemplar: in its bucket (explicit histograms; past
   * MAX_BUCKET_EXEMPLARS buckets, its run of adjacent buckets), the only slot (sums and gauges), or sampled
   * (exponential histograms). See `ExemplarReservoirs`.
   */
  offerExemplar(id: number, value: number, epoch: number, traceId: string, spanId: string, delivered: number, clock: () => number): void {
    const width = this.width;
    this.exemplarReservoirs ??= this.exponentials !== undefined
      ? new ExemplarReservoirs(EXPONENTIAL_EXEMPLARS, true)
      : new ExemplarReservoirs(Math.min(Math.max(1, width), MAX_BUCKET_EXEMPLARS), false);
    const slot = width === 0 ? 0 : width <= MAX_BUCKET_EXEMPLARS ? this.bucketOf(value)
      : Math.floor((this.bucketOf(value) * MAX_BUCKET_EXEMPLARS) / width);
    this.exemplarReservoirs.offer(id, slot, value, epoch, traceId, spanId, delivered, clock);
  }

  /** The exemplars of series `id` recorded after epoch `after` and up to `upTo`; undefined when none. */
  exemplars(id: number, after: number, upTo: number): Exemplar[] | undefined {
    return this.exemplarReservoirs?.read(id, after, upTo);
  }

  /** Series holding exemplars, for tests and health. */
  get seriesWithExemplars(): number {
    return this.exemplarReservoirs?.held ?? 0;
  }

  /** When series `id` began (ms since epoch). */
  startTimeMs(id: number): number {
    return this.starts[id];
  }

  /** A histogram series' state, copied; undefined for sums and gauges. */
  histogram(id: number): HistogramState | undefined {
    if (this.width === 0) return undefined;
    const at = id * STATS;
    const stats = this.stats;
    return {
      counts: Array.from(this.counts.subarray(id * this.width, (id + 1) * this.width)),
      count: stats[at],
      sum: stats[at + 1],
      min: stats[at + 2],
      max: stats[at + 3],
    };
  }

  /** An exponential histogram series' point; undefined unless the metric aggregates exponentially. */
  exponentialPoint(id: number): ExponentialPoint | undefined {
    return this.exponentials?.[id]?.toPointValue();
  }

  /** Whether the metric's histograms are exponential. */
  get isExponential(): boolean {
    return this.exponentials !== undefined;
  }

  /** Buckets per series (boundaries + 1), or 0 for sums and gauges. */
  get bucketCount(): number {
    return this.width;
  }

  /**
   * Keeps, from now on, what was last delivered of each series, so that `deltaOf` can tell what changed since. The
   * series already held start from nothing delivered: their first delta is everything they hold.
   */
  trackDeltas(): void {
    if (this.baselines !== undefined) return;
    const exponentials: (ExponentialAccumulator | undefined)[] = [];
    if (this.exponentials !== undefined) {
      const empty = (this.exponential as () => ExponentialAccumulator)();
      for (let id = 0; id < this.length; id++) if (this.attributes[id] !== undefined) exponentials[id] = empty.clone();
    }
    this.baselines = {
      values: new Float64Array(this.capacity),
      sums: new Float64Array(this.width === 0 ? 0 : this.capacity),
      counts: new Float64Array(this.width * this.capacity),
      starts: this.starts.slice(),
      exponentials,
    };
  }

  /** Whether `trackDeltas` was called. */
  get tracksDeltas(): boolean {
    return this.baselines !== undefined;
  }

  /**
   * What series `id` gained since its baseline, with the commit that makes its current state the baseline; undefined
   * when nothing was recorded into it since (no point is due), or when deltas are not tracked. A histogram's min and
   * max are not part of a delta: they cannot be taken apart.
   */
  deltaOf(id: number): SeriesDelta | undefined {
    const baselines = this.baselines;
    const attributes = this.attributes[id];
    if (baselines === undefined || attributes === undefined) return undefined;
    const exponentials = this.exponentials;
    if (exponentials !== undefined) {
      const current = (exponentials[id] as ExponentialAccumulator).clone();
      const base = baselines.exponentials[id] as ExponentialAccumulator;
      const delta = current.clone();
      delta.diff(base);
      const point = delta.toPointValue();
      if (point.count === 0) return undefined;
      point.min = undefined;
      point.max = undefined;
      return { value: 0, histogram: undefined, exponential: point,
        commit: { id, attributes, value: 0, sum: 0, counts: undefined, exponential: current } };
    }
    if (this.width === 0) {
      const value = this.values[id];
      const delta = value - baselines.values[id];
      if (delta === 0) return undefined;
      return { value: delta, histogram: undefined, exponential: undefined,
        commit: { id, attributes, value, sum: 0, counts: undefined, exponential: undefined } };
    }
    const at = id * STATS;
    const count = this.stats[at];
    if (count === baselines.values[id]) return undefined;
    const sum = this.stats[at + 1];
    const row = this.counts.slice(id * this.width, (id + 1) * this.width);
    const base = baselines.counts;
    const offset = id * this.width;
    const counts: number[] = new Array(this.width);
    for (let i = 0; i < this.width; i++) counts[i] = row[i] - base[offset + i];
    return {
      value: 0,
      histogram: { counts, count: count - baselines.values[id], sum: sum - baselines.sums[id], min: NaN, max: NaN },
      exponential: undefined,
      commit: { id, attributes, value: count, sum, counts: row, exponential: undefined },
    };
  }

  /** When the delta of series `id` begins (ms since epoch): the end of its last delivered window, or its creation. */
  deltaStartMs(id: number): number {
    return this.baselines === undefined ? this.starts[id] : this.baselines.starts[id];
  }

  /**
   * Makes what a delta point carried the series' baseline, its window ending at `endMs`: the point was delivered, or
   * dropped for good. Void when the series went and its id was handed out again meanwhile.
   */
  commit(commit: DeltaCommit, endMs: number): void {
    const baselines = this.baselines;
    const id = commit.id;
    if (baselines === undefined || this.attributes[id] !== commit.attributes) return;
    baselines.values[id] = commit.value;
    baselines.starts[id] = endMs;
    if (commit.exponential !== undefined) {
      baselines.exponentials[id] = commit.exponential;
    } else if (commit.counts !== undefined) {
      baselines.sums[id] = commit.sum;
      baselines.counts.set(commit.counts, id * this.width);
    }
  }

  private allocate(attributes: SeriesAttributes, now: number): number {
    let id = this.free.pop();
    if (id === undefined) {
      if (this.length === this.capacity) this.grow();
      id = this.length++;
    }
    this.attributes[id] = attributes;
    if (this.exponentials !== undefined) this.exponentials[id] = (this.exponential as () => ExponentialAccumulator)();
    this.values[id] = 0;
    this.stamps[id] = 0;
    this.starts[id] = now;
    if (this.width !== 0) {
      this.counts.fill(0, id * this.width, (id + 1) * this.width);
      const at = id * STATS;
      this.stats[at] = 0;
      this.stats[at + 1] = 0;
      this.stats[at + 2] = Infinity;
      this.stats[at + 3] = -Infinity;
    }
    const baselines = this.baselines;
    if (baselines !== undefined) {
      baselines.values[id] = 0;
      baselines.starts[id] = now;
      if (this.width !== 0) {
        baselines.sums[id] = 0;
        baselines.counts.fill(0, id * this.width, (id + 1) * this.width);
      }
      if (this.exponentials !== undefined) baselines.exponentials[id] = (this.exponentials[id] as ExponentialAccumulator).clone();
    }
    this.size++;
    return id;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    this.values = grown(this.values, new Float64Array(capacity));
    this.stamps = grown(this.stamps, new Uint32Array(capacity));
    this.starts = grown(this.starts, new Float64Array(capacity));
    this.hashes = grown(this.hashes, new Int32Array(capacity));
    if (this.width !== 0) {
      this.counts = grown(this.counts, new Float64Array(this.width * capacity));
      this.stats = grown(this.stats, new Float64Array(STATS * capacity));
    }
    const baselines = this.baselines;
    if (baselines !== undefined) {
      baselines.values = grown(baselines.values, new Float64Array(capacity));
      baselines.sums = grown(baselines.sums, new Float64Array(this.width === 0 ? 0 : capacity));
      baselines.counts = grown(baselines.counts, new Float64Array(this.width * capacity));
      baselines.starts = grown(baselines.starts, new Float64Array(capacity));
    }
    this.capacity = capacity;
  }

  private matches(id: number, keys: readonly string[], values: readonly Value[]): boolean {
    const attributes = this.attributes[id] as SeriesAttributes;
    let count = 0;
    for (const key in attributes) {
      if (Object.prototype.hasOwnProperty.call(attributes, key)) count++;
    }
    if (count !== keys.length) return false;
    for (let i = 0; i < keys.length; i++) {
      if (!Object.prototype.hasOwnProperty.call(attributes, keys[i])) return false;
      const held = attributes[keys[i]];
      const given = values[i];
      if (held !== given && String(held) !== String(given)) return false; // one series per text, whatever the type
    }
    return true;
  }
}

function grown<T extends Float64Array | Uint32Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * A 32-bit FNV-1a hash of a normalized label set, each key and value followed by a separator that no string hashes
 * to alone. Linear in the characters, which are bounded by the label limits.
 */
export function labelHash(keys: readonly string[], values: readonly Value[]): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = 0; i < keys.length; i++) {
    hash = mixString(hash, keys[i]);
    hash = Math.imul(hash ^ 0x10000, 0x01000193);
    const value = values[i];
    // By its text: 200 and '200' are one series (Prometheus, and every backend that turns OTLP into it, writes
    // them alike), exported with the type of its first call.
    hash = mixString(hash, typeof value === 'string' ? value : String(value));
    hash = Math.imul(hash ^ 0x10001, 0x01000193);
  }
  return hash;
}

function mixString(hash: number, text: string): number {
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

/** The identity of a label set as a string, unambiguous whatever the characters in keys and values. */
export function seriesKey(keys: readonly string[], values: readonly Value[]): string {
  let key = '';
  for (let i = 0; i < keys.length; i++) {
    const value = values[i];
    const text = typeof value === 'string' ? value : String(value);
    key += `${keys[i].length}:${keys[i]}=${text.length}:${text};`;
  }
  return key;
}

/**
 * The exported attributes of a label set. `__proto__` is defined rather than assigned (assigning it would set the
 * prototype and lose the label); every other key, `constructor` included, is an ordinary own property. A plain
 * object, not a prototype-less one: V8 keeps those in slow dictionary mode, which costs memory per series and time
 * at every export.
 */
export function toAttributes(keys: readonly string[], values: readonly Value[]): Record<string, Value> {
  const attributes: Record<string, Value> = {};
  for (let i = 0; i < keys.length; i++) setOwn(attributes, keys[i], values[i]);
  return attributes;
}
