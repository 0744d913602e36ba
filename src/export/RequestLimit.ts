/** How many accepted requests in a row double a lowered limit. */
const RAISE_AFTER = 4;
/** How long the smallest refused size is remembered; after that a raised collector limit is found again. */
const REMEMBER_REFUSED_MS = 10 * 60_000;
/** The smallest byte limit learned from a 413: below it, requests of a few items are the unit anyway. */
const MIN_LEARNED_BYTES = 1024;

/** What a limit was, to go back to. */
export interface RequestLimitMark {
  readonly bytes: number;
  readonly items: number;
  readonly refusedBytes: number;
  readonly refusedItems: number;
  readonly refusedAt: number;
  readonly refusedAloneBytes: number;
}

/**
 * How large a request the collector takes, learned from its 413 answers. In bytes when requests are encoded before
 * they are sent (OTLP: the collector's limit is a body size), in items otherwise (an exporter given by the
 * application).
 *
 * - A refused request of several items halves the limit. A single item refused alone is an outlier and teaches
 *   nothing, so one oversized span or series can never drive the limit down to one item per request.
 * - A lowered limit stays while the smallest refused size is remembered (10 minutes since the last refusal), so a
 *   collector with a real limit is not probed again and again: at most one 413 every 10 minutes. Then every 4
 *   accepted requests in a row double the limit, up to the configured maximum, so a collector whose limit was raised
 *   is found again.
 * - A delivery in which the collector refused everything, single items included, was not about size: the pipeline
 *   restores the limit it had before (`mark()`, `restore()`).
 */
export class RequestLimit {
  private learnedBytes = Infinity;
  private learnedItems = Infinity;
  private refusedBytes = Infinity;
  private refusedItems = Infinity;
  private streak = 0;
  private refusedAt = -Infinity;
  /** The smallest single item refused as too large: one that size or larger is not sent again while remembered. */
  private refusedAloneBytes = Infinity;

  constructor(
    /** The configured most bytes per request, before compression. */
    private readonly configuredBytes: number,
    /** The configured most items per request. */
    private readonly configuredItems = Infinity,
    private readonly now: () => number = Date.now,
  ) {}

  /** Most bytes per request now. */
  get bytes(): number {
    return Math.min(this.configuredBytes, this.learnedBytes);
  }

  /** Most items per request now. */
  get items(): number {
    return Math.min(this.configuredItems, this.learnedItems);
  }

  /** The collector refused a request of `items` items (`bytes` bytes, when known) as too large. */
  refused(items: number, bytes: number | undefined): void {
    if (items <= 1) {
      // Teaches no limit, but an item this large need not be sent again to be refused again.
      if (bytes !== undefined) {
        this.refusedAloneBytes = Math.min(this.refusedAloneBytes, bytes);
        this.refusedAt = this.now();
      }
      return;
    }
    this.streak = 0;
    this.refusedAt = this.now();
    if (bytes !== undefined) {
      this.refusedBytes = Math.min(this.refusedBytes, bytes);
      this.learnedBytes = Math.max(MIN_LEARNED_BYTES, Math.min(this.learnedBytes, Math.floor(bytes / 2)));
    } else {
      this.refusedItems = Math.min(this.refusedItems, items);
      this.learnedItems = Math.max(1, Math.min(this.learnedItems, Math.floor(items / 2)));
    }
  }

  /** The collector accepted a request. */
  accepted(): void {
    if (this.refusedBytes !== Infinity || this.refusedItems !== Infinity || this.refusedAloneBytes !== Infinity) {
      if (this.now() - this.refusedAt < REMEMBER_REFUSED_MS) return;
      this.refusedBytes = Infinity;
      this.refusedItems = Infinity;
      this.refusedAloneBytes = Infinity;
    }
    if ((this.learnedBytes === Infinity && this.learnedItems === Infinity) || ++this.streak < RAISE_AFTER) return;
    this.streak = 0;
    this.learnedBytes = raised(this.learnedBytes, this.configuredBytes, this.refusedBytes);
    this.learnedItems = raised(this.learnedItems, this.configuredItems, this.refusedItems);
  }

  /** Whether a single item of `bytes` bytes is known to be refused (one as large or smaller was, lately). */
  knownTooLarge(bytes: number): boolean {
    // Remembered for a while only, whether or not a request got through since (it may be the only one there is).
    if (this.now() - this.refusedAt >= REMEMBER_REFUSED_MS) return false;
    return bytes >= this.refusedAloneBytes || bytes >= this.refusedBytes;
  }

  /** The limit now, to `restore()` later. */
  mark(): RequestLimitMark {
    return {
      bytes: this.learnedBytes, items: this.learnedItems, refusedBytes: this.refusedBytes, refusedItems: this.refusedItems, refusedAt: this.refusedAt,
      refusedAloneBytes: this.refusedAloneBytes,
    };
  }

  /** Goes back to a marked limit. */
  restore(mark: RequestLimitMark): void {
    this.learnedBytes = mark.bytes;
    this.learnedItems = mark.items;
    this.refusedBytes = mark.refusedBytes;
    this.refusedItems = mark.refusedItems;
    this.refusedAt = mark.refusedAt;
    this.refusedAloneBytes = mark.refusedAloneBytes;
    this.streak = 0;
  }
}

/** A learned limit doubled, unless a refused size is still remembered; Infinity once it reaches the configured one. */
function raised(learned: number, configured: number, refused: number): number {
  if (learned === Infinity || refused !== Infinity) return learned;
  return learned * 2 >= configured ? Infinity : learned * 2;
}
