/**
 * A token bucket for the recording calls of one metric. Taking a token is a decrement; the clock is read only
 * when the bucket is empty, so the limiter costs next to nothing until a metric is actually over its rate.
 */
export class RateLimiter {
  private tokens: number;
  private refilledAt: number;

  constructor(
    /** Tokens added per second. */
    private readonly callsPerSecond: number,
    /** Bucket size: calls admitted at once after an idle period. */
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.refilledAt = now();
  }

  /** Takes one token; false when the call is over the rate and must be dropped. */
  tryTake(): boolean {
    if (this.tokens >= 1) {
      this.tokens--;
      return true;
    }
    return this.refillAndTake();
  }

  private refillAndTake(): boolean {
    const now = this.now();
    const elapsed = now - this.refilledAt;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.callsPerSecond) / 1000);
      this.refilledAt = now;
    }
    if (this.tokens >= 1) {
      this.tokens--;
      return true;
    }
    return false;
  }
}
