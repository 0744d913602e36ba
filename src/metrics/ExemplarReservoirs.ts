/**
 * Decides which measurements become exemplars, and with which span: the runtime's `ExemplarFilter`, injected so that
 * the store reads no context and imports no SDK. The hot path checks `open` (one field) and calls `sample()` only
 * while it is nonzero.
 */
export interface ExemplarSampler {
  /**
   * Nonzero while a measurement may become an exemplar (`trace_based`: while a sampled span is alive; `always_on`:
   * always); 0 when none can, so that recording skips `sample()` entirely.
   */
  readonly open: number;
  /**
   * Whether the measurement being recorded is eligible. When true, `traceId` and `spanId` hold the active span's ids
   * (validated, lowercase hex), or '' when no valid span is active. Never throws.
   */
  sample(): boolean;
  /** The active span's trace id, after `sample()` returned true; '' for none. */
  readonly traceId: string;
  /** The active span's span id, after `sample()` returned true; '' for none. */
  readonly spanId: string;
  /**
   * Lets go of whatever it keeps of the last context it read (called as each snapshot begins), so that a quiet
   * process does not keep the last request's context, and all it references, alive.
   */
  forget?(): void;
}

/** A sampler that never opens: exemplars off. */
export const NO_EXEMPLARS: ExemplarSampler = { open: 0, sample: () => false, traceId: '', spanId: '' };

/** One exemplar as exported: a measurement, when it was recorded, and the span it was recorded in. */
export interface Exemplar {
  /** The measured value. */
  readonly value: number;
  /** When it was recorded (ms since epoch). */
  readonly timeMs: number;
  /** The trace id (32 lowercase hex digits), or '' when no span was active. */
  readonly traceId: string;
  /** The span id (16 lowercase hex digits), or '' when no span was active. */
  readonly spanId: string;
}

/** Exemplars kept per series of an exponential histogram: the specification's min(20, max buckets), with 160 buckets. */
export const EXPONENTIAL_EXEMPLARS = 20;

/**
 * Most exemplars kept per series of an explicit-bucket histogram: one per bucket up to this many buckets (every
 * default bucket list has at most 16); a histogram declared with more (up to 1,000) keeps one per run of adjacent
 * buckets, so that a series' exemplars stay within 1.3 KB.
 */
export const MAX_BUCKET_EXEMPLARS = 32;

/** Per slot, in `numbers`: value, time, epoch of the recording (0: empty; epochs start at 1). */
const NUMBERS = 3;

/**
 * The exemplars of one metric's series, sparse: a series that never got an exemplar holds nothing (past a 4-byte
 * entry in an index once any series of the metric has one); one that did holds a reservoir of `size` slots until
 * its exemplars were delivered (then it is freed at the next read) or it is evicted (`clear`, so that a reused id
 * starts empty). The reservoirs live in flat arrays, as the series do (`SeriesTable`), and freed ones are reused:
 * a slot costs 40 bytes (three numbers and two references to id strings, which the spans of one trace share), and
 * a metric whose exemplars were all delivered lets its arrays go.
 *
 * Which slot a measurement takes: for sums and gauges (one slot) and explicit-bucket histograms (one slot per
 * bucket, the specification's `AlignedHistogramBucketExemplarReservoir`), the latest span's measurement wins its
 * slot, as the specification allows for buckets (it keeps the last seen). For exponential histograms (`sampled`),
 * the specification's `SimpleFixedSizeExemplarReservoir`: uniform reservoir sampling over the measurements since
 * the last delivery.
 *
 * Each exemplar carries the store's epoch when it was recorded, so a snapshot exports only those recorded before it
 * began, and once the reader that exports exemplars acknowledged that snapshot, they are never exported again.
 */
export class ExemplarReservoirs {
  /** Per series id: its reservoir's index + 1, or 0 for none. */
  private reservoirOf = new Int32Array(0);
  /** `size` slots per reservoir, NUMBERS numbers per slot. */
  private numbers = new Float64Array(0);
  /** `size` slots per reservoir: trace id, span id per slot. */
  private ids: string[] = [];
  /** Per reservoir, when sampled: measurements offered since `round`, and the delivered epoch they count from. */
  private sampling = new Float64Array(0);
  /** Reservoirs made so far; every one in use is below it. */
  private made = 0;
  private capacity = 0;
  private readonly free: number[] = [];
  /** Series holding a reservoir. */
  held = 0;

  constructor(
    /** Slots per series. */
    readonly size: number,
    /** Whether slots are chosen by reservoir sampling (exponential histograms) rather than given by the caller. */
    private readonly sampled: boolean,
  ) {}

  /**
   * Offers a measurement of series `id` for `slot` (ignored when sampled). `epoch` is the store's current epoch,
   * `delivered` the epoch up to which exemplars were delivered; `clock` is read only when the measurement is kept.
   * Sampled reservoirs count the measurements of each epoch afresh.
   *
   * A slot already holding a measurement of the same span, recorded since the last snapshot began, keeps it: one
   * exemplar per span and slot is all a trace link needs, and a loop recording into one series within one span then
   * costs no clock read per call. (The first measurement of the latest span, then; the latest measurement when no
   * span is active, under `always_on`.)
   */
  offer(id: number, slot: number, value: number, epoch: number, traceId: string, spanId: string, delivered: number,
    clock: () => number): void {
    let reservoir = id < this.reservoirOf.length ? this.reservoirOf[id] - 1 : -1;
    if (reservoir < 0) reservoir = this.allocate(id);
    const size = this.size;
    if (this.sampled) {
      const sampling = this.sampling;
      const at = 2 * reservoir;
      // Counted per epoch (from one snapshot to the next), so the measurements made while an export is under way
      // are sampled among themselves and with those that follow until the next snapshot, uniformly.
      if (sampling[at + 1] !== epoch) {
        sampling[at + 1] = epoch;
        sampling[at] = 0;
      }
      const seen = sampling[at]++;
      slot = seen < size ? seen : Math.floor(Math.random() * (seen + 1));
      if (slot >= size) return;
    } else if (!(slot >= 0 && slot < size)) {
      return;
    }
    const index = reservoir * size + slot;
    const at = index * NUMBERS;
    const numbers = this.numbers;
    if (!this.sampled && spanId !== '' && numbers[at + 2] === epoch && this.ids[2 * index + 1] === spanId) return;
    numbers[at] = value;
    numbers[at + 1] = clock();
    numbers[at + 2] = epoch;
    this.ids[2 * index] = traceId;
    this.ids[2 * index + 1] = spanId;
  }

  /**
   * The exemplars of series `id` recorded after epoch `after` (what was delivered) and up to `upTo` (the snapshot's
   * epoch), in slot order; undefined when there are none. A reservoir holding nothing newer than `after` is freed.
   */
  read(id: number, after: number, upTo: number): Exemplar[] | undefined {
    const reservoir = id < this.reservoirOf.length ? this.reservoirOf[id] - 1 : -1;
    if (reservoir < 0) return undefined;
    let out: Exemplar[] | undefined;
    let pending = false;
    const { numbers, ids, size } = this;
    for (let index = reservoir * size; index < (reservoir + 1) * size; index++) {
      const at = index * NUMBERS;
      const epoch = numbers[at + 2];
      if (epoch <= after) continue;
      pending = true;
      if (epoch > upTo) continue;
      (out ??= []).push({ value: numbers[at], timeMs: numbers[at + 1], traceId: ids[2 * index], spanId: ids[2 * index + 1] });
    }
    if (!pending) this.clear(id);
    return out;
  }

  /** Forgets the exemplars of series `id` (evicted: its id may be handed out again). */
  clear(id: number): void {
    const reservoir = id < this.reservoirOf.length ? this.reservoirOf[id] - 1 : -1;
    if (reservoir < 0) return;
    this.reservoirOf[id] = 0;
    this.held--;
    if (this.held === 0) {
      // Nothing held: the arrays go, so a metric whose exemplars were all delivered keeps nothing.
      this.reservoirOf = new Int32Array(0);
      this.numbers = new Float64Array(0);
      this.ids = [];
      this.sampling = new Float64Array(0);
      this.made = 0;
      this.capacity = 0;
      this.free.length = 0;
      return;
    }
    const from = reservoir * this.size;
    this.ids.fill('', 2 * from, 2 * (from + this.size)); // keeps no id string alive
    this.free.push(reservoir);
  }

  /** A reservoir for series `id`, empty: a freed one, or a new one. */
  private allocate(id: number): number {
    if (id >= this.reservoirOf.length) {
      const index = new Int32Array(Math.max(8, id + 1, 2 * this.reservoirOf.length));
      index.set(this.reservoirOf);
      this.reservoirOf = index;
    }
    let reservoir = this.free.pop();
    if (reservoir === undefined) {
      reservoir = this.made++;
      if (reservoir >= this.capacity) this.grow();
    }
    const size = this.size;
    this.numbers.fill(0, reservoir * size * NUMBERS, (reservoir + 1) * size * NUMBERS);
    if (this.sampled) this.sampling.fill(0, 2 * reservoir, 2 * reservoir + 2);
    this.reservoirOf[id] = reservoir + 1;
    this.held++;
    return reservoir;
  }

  private grow(): void {
    const capacity = Math.max(4, 2 * this.capacity);
    const size = this.size;
    const numbers = new Float64Array(capacity * size * NUMBERS);
    numbers.set(this.numbers);
    this.numbers = numbers;
    for (let i = this.ids.length; i < 2 * capacity * size; i++) this.ids.push('');
    if (this.sampled) {
      const sampling = new Float64Array(2 * capacity);
      sampling.set(this.sampling);
      this.sampling = sampling;
    }
    this.capacity = capacity;
  }
}
