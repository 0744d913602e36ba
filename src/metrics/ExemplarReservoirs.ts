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

/** Per slot, in `Reservoir.numbers`: value, time, epoch of the recording (0: empty). */
const NUMBERS = 3;

/**
 * One series' exemplars: a fixed number of slots, allocated when the series gets its first exemplar. Two arrays, so
 * that an offer writes into them and allocates nothing.
 */
class Reservoir {
  /** value, time (ms), epoch of the recording, per slot; epoch 0 marks an empty slot (epochs start at 1). */
  readonly numbers: Float64Array;
  /** trace id, span id, per slot. */
  readonly ids: string[];
  /** Measurements offered since `round` changed (sampled reservoirs only). */
  seen = 0;
  /** The delivered epoch `seen` counts from: when exemplars were delivered, the count starts again. */
  round = 0;

  constructor(size: number) {
    this.numbers = new Float64Array(NUMBERS * size);
    this.ids = new Array<string>(2 * size).fill('');
  }
}

/**
 * The exemplars of one metric's series, sparse: a series that never got an exemplar costs nothing, one that did
 * holds one `Reservoir` of `size` slots until its exemplars were delivered (then it is freed at the next read) or it
 * is evicted (`clear`, so a reused id starts empty).
 *
 * Which slot a measurement takes: for sums and gauges (one slot) and explicit-bucket histograms (one slot per
 * bucket, the specification's `AlignedHistogramBucketExemplarReservoir`), the latest span's measurement wins its
 * slot, as the specification allows for buckets (it keeps the last seen). For exponential histograms (`sampled`), the specification's
 * `SimpleFixedSizeExemplarReservoir`: uniform reservoir sampling over the measurements since the last delivery.
 *
 * Each exemplar carries the store's epoch when it was recorded, so a snapshot exports only those recorded before it
 * began, and once the reader that exports exemplars acknowledged that snapshot, they are never exported again.
 */
export class ExemplarReservoirs {
  private readonly byId: (Reservoir | undefined)[] = [];
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
   * `delivered` the epoch up to which exemplars were delivered (it restarts the sampling count); `clock` is read only
   * when the measurement is kept.
   *
   * A slot already holding a measurement of the same span, recorded since the last snapshot began, keeps it: one
   * exemplar per span and slot is all a trace link needs, and a loop recording into one series within one span then
   * costs no clock read per call. (The first measurement of the latest span, then; the latest measurement when no
   * span is active, under `always_on`.)
   */
  offer(id: number, slot: number, value: number, epoch: number, traceId: string, spanId: string, delivered: number,
    clock: () => number): void {
    const byId = this.byId;
    while (byId.length <= id) byId.push(undefined);
    let reservoir = byId[id];
    if (reservoir === undefined) {
      reservoir = new Reservoir(this.size);
      byId[id] = reservoir;
      this.held++;
    }
    const numbers = reservoir.numbers;
    if (this.sampled) {
      if (reservoir.round !== delivered) {
        reservoir.round = delivered;
        reservoir.seen = 0;
      }
      const seen = reservoir.seen++;
      slot = seen < this.size ? seen : Math.floor(Math.random() * (seen + 1));
      if (slot >= this.size) return;
    } else if (!(slot >= 0 && slot < this.size)) {
      return;
    } else if (spanId !== '' && reservoir.ids[2 * slot + 1] === spanId && numbers[slot * NUMBERS + 2] === epoch) {
      return;
    }
    const at = slot * NUMBERS;
    numbers[at] = value;
    numbers[at + 1] = clock();
    numbers[at + 2] = epoch;
    reservoir.ids[2 * slot] = traceId;
    reservoir.ids[2 * slot + 1] = spanId;
  }

  /**
   * The exemplars of series `id` recorded after epoch `after` (what was delivered) and up to `upTo` (the snapshot's
   * epoch), in slot order; undefined when there are none. A reservoir holding nothing newer than `after` is freed.
   */
  read(id: number, after: number, upTo: number): Exemplar[] | undefined {
    const reservoir = this.byId[id];
    if (reservoir === undefined) return undefined;
    let out: Exemplar[] | undefined;
    let pending = false;
    const { numbers, ids } = reservoir;
    for (let slot = 0; slot < this.size; slot++) {
      const at = slot * NUMBERS;
      const epoch = numbers[at + 2];
      if (epoch <= after) continue;
      pending = true;
      if (epoch > upTo) continue;
      (out ??= []).push({ value: numbers[at], timeMs: numbers[at + 1], traceId: ids[2 * slot], spanId: ids[2 * slot + 1] });
    }
    if (!pending) this.clear(id);
    return out;
  }

  /** Forgets the exemplars of series `id` (evicted: its id may be handed out again). */
  clear(id: number): void {
    if (this.byId[id] === undefined) return;
    this.byId[id] = undefined;
    this.held--;
  }
}
