/**
 * The breaker's decision rule, kept apart from its state machine: open after `maxFailures` failed exports in a
 * row; any success starts the count again.
 */
export class ConsecutiveFailureRule {
  private failures = 0;

  constructor(private readonly maxFailures: number) {}

  /** Records a success. */
  success(): void {
    this.failures = 0;
  }

  /** Records a failure; true when the breaker should open. */
  failure(): boolean {
    this.failures++;
    return this.failures >= this.maxFailures;
  }

  /** Forgets the failures seen (the breaker opened, or closed again). */
  reset(): void {
    this.failures = 0;
  }
}
