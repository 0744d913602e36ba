import type { CircuitBreakerConfig } from '../config/TelemetryConfig';
import type { CircuitState } from '../health/Health';
import { ConsecutiveFailureRule } from './ConsecutiveFailureRule';

/** The breaker's state with the data that belongs to it. */
type BreakerState =
  | { name: 'closed' }
  | { name: 'open'; openedAt: number }
  | { name: 'half-open'; probes: number }
  | { name: 'disabled' };

/** Called on every state change with the new and the previous state. */
export type BreakerListener = (state: CircuitState, previous: CircuitState) => void;

/**
 * The export circuit breaker's state machine. Exports ask `tryAcquire()` before they touch the network and report
 * the outcome with `success()` or `failure()`:
 *
 * - closed: every export goes through; `maxFailures` consecutive failures open the breaker.
 * - open: no export goes through until `recoveryTimeMs` has passed; then the breaker is half-open.
 * - half-open: up to `halfOpenMax` probe exports go through at once; a success closes the breaker, a failure
 *   opens it again for another `recoveryTimeMs`.
 *
 * Time is read from `now`, so tests drive it with fake timers.
 */
export class CircuitBreaker {
  private state: BreakerState;
  private readonly rule: ConsecutiveFailureRule;
  private readonly listeners = new Set<BreakerListener>();

  constructor(
    private readonly config: CircuitBreakerConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.state = config.enabled ? { name: 'closed' } : { name: 'disabled' };
    this.rule = new ConsecutiveFailureRule(config.maxFailures);
  }

  /** The state as users read it in `getHealth()`; an open breaker past its recovery time reads as half-open. */
  get current(): CircuitState {
    const state = this.state;
    if (state.name === 'open' && this.now() - state.openedAt >= this.config.recoveryTimeMs) return 'half-open';
    return state.name;
  }

  /** When the breaker may let a probe through, if it is open. */
  get retryAt(): number | undefined {
    return this.state.name === 'open' ? this.state.openedAt + this.config.recoveryTimeMs : undefined;
  }

  /** Asks to run one export; false means: do not touch the network. */
  tryAcquire(): boolean {
    const state = this.state;
    switch (state.name) {
      case 'disabled':
      case 'closed':
        return true;
      case 'open':
        if (this.now() - state.openedAt < this.config.recoveryTimeMs) return false;
        this.transition({ name: 'half-open', probes: 1 });
        return true;
      case 'half-open':
        if (state.probes >= this.config.halfOpenMax) return false;
        state.probes++;
        return true;
    }
  }

  /** Reports a successful export. */
  success(): void {
    this.rule.success();
    if (this.state.name === 'half-open') this.transition({ name: 'closed' });
  }

  /** Reports a failed export. */
  failure(): void {
    const state = this.state;
    if (state.name === 'disabled') return;
    if (state.name === 'half-open') {
      this.transition({ name: 'open', openedAt: this.now() });
    } else if (state.name === 'closed' && this.rule.failure()) {
      this.transition({ name: 'open', openedAt: this.now() });
    }
  }

  /**
   * Lets one export through whatever the state, without changing it: the last attempt at shutdown. Its outcome is
   * reported as usual, so a success closes an open breaker.
   */
  forceAcquire(): void {
    if (this.state.name === 'open') this.transition({ name: 'half-open', probes: 1 });
  }

  /** Subscribes to state changes; returns the function that unsubscribes. */
  onStateChange(listener: BreakerListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private transition(next: BreakerState): void {
    const previous = this.state.name;
    this.state = next;
    this.rule.reset();
    if (previous === next.name) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(next.name, previous);
      } catch {
        // A listener's bug must not break exporting.
      }
    }
  }
}
