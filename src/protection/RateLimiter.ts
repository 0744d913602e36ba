/**
 * A token bucket for the recording calls of one metric, cheap on the hot path: the clock is read only once every
 * `burst / 64` takes (and when the bucket is empty), not per call, where it would double a call's cost.
 *
 * At each clock read the bucket is brought up to date as if the takes since the previous read had all happened just
 * now: `level = min(burst, previous level + rate x elapsed) - takes since`. Refill during an idle period is capped
 * at the burst before those takes are counted, so a bucket used a little, left idle, then flooded admits at most
 * `burst` at once (plus the rate while the flood lasts), never a second burst on top of what it had banked. Under a
 * steady load at the rate, the same rule holds the bucket up to `burst / 64` below full: it errs on the side of
 * admitting less, and the long-run rate is unchanged.
 */
export class RateLimiter {
  /** Tokens available without reading the clock. */
  private tokens: number;
  /** The bucket's level at the last clock read, after what was taken then. */
  private level: number;
  /** When the clock was last read. */
  private checkedAt: number;
  /** Takes since the last clock read. */
  private pending = 0;
  /** Takes between two clock reads. */
  private readonly every: number;

  constructor(
    /** Tokens added per second. */
    private readonly callsPerSecond: number,
    /** Bucket size: calls admitted at once after an idle period. */
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = this.level = burst;
    this.checkedAt = now();
    this.every = Math.max(1, Math.floor(burst / 64));
  }

  /** Takes one token; false when the call is over the rate and must be dropped. */
  tryTake(): boolean {
    if (this.tokens >= 1 && this.pending < this.every) {
      this.tokens--;
      this.pending++;
      return true;
    }
    return this.checkAndTake();
  }

  private checkAndTake(): boolean {
    const now = this.now();
    const elapsed = now - this.checkedAt;
    const refilled = elapsed > 0 ? Math.min(this.burst, this.level + (elapsed * this.callsPerSecond) / 1000) : this.level;
    this.level = Math.max(0, refilled - this.pending);
    this.tokens = this.level;
    this.checkedAt = now;
    this.pending = 0;
    if (this.tokens < 1) return false;
    this.tokens--;
    this.pending = 1;
    return true;
  }
}
