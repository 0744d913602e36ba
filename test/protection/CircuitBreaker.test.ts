import { CircuitBreaker } from '../../src/protection/CircuitBreaker';
import type { CircuitState } from '../../src/health/Health';

const config = { enabled: true, maxFailures: 3, recoveryTimeMs: 10_000, halfOpenMax: 2 };

describe('CircuitBreaker', () => {
  let changes: [CircuitState, CircuitState][];
  let breaker: CircuitBreaker;
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
    breaker = new CircuitBreaker(config);
    changes = [];
    breaker.onStateChange((state, previous) => changes.push([state, previous]));
  });
  afterEach(() => jest.useRealTimers());

  const fail = (n: number) => {
    for (let i = 0; i < n; i++) {
      expect(breaker.tryAcquire()).toBe(true);
      breaker.failure();
    }
  };

  it('stays closed below maxFailures consecutive failures; a success starts the count again', () => {
    fail(2);
    breaker.success();
    fail(2);
    expect(breaker.current).toBe('closed');
    expect(changes).toEqual([]);
  });

  it('opens after maxFailures consecutive failures and lets nothing through until recoveryTimeMs', () => {
    fail(3);
    expect(breaker.current).toBe('open');
    expect(changes).toEqual([['open', 'closed']]);
    expect(breaker.retryAt).toBe(10_000);
    jest.advanceTimersByTime(9_999);
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.current).toBe('open');
  });

  it('half-opens after recoveryTimeMs, lets halfOpenMax probes through, and closes on success', () => {
    fail(3);
    jest.advanceTimersByTime(10_000);
    expect(breaker.current).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.success();
    expect(breaker.current).toBe('closed');
    expect(changes).toEqual([['open', 'closed'], ['half-open', 'open'], ['closed', 'half-open']]);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('reopens for another recoveryTimeMs when a probe fails', () => {
    fail(3);
    jest.advanceTimersByTime(10_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.current).toBe('open');
    jest.advanceTimersByTime(5_000);
    expect(breaker.tryAcquire()).toBe(false);
    jest.advanceTimersByTime(5_000);
    expect(breaker.tryAcquire()).toBe(true);
    expect(changes.map(([s]) => s)).toEqual(['open', 'half-open', 'open', 'half-open']);
  });

  it('after closing, needs maxFailures fresh failures to open again', () => {
    fail(3);
    jest.advanceTimersByTime(10_000);
    breaker.tryAcquire();
    breaker.success();
    fail(2);
    expect(breaker.current).toBe('closed');
    fail(1);
    expect(breaker.current).toBe('open');
  });

  it('when disabled, lets everything through and never changes state', () => {
    const disabled = new CircuitBreaker({ ...config, enabled: false });
    for (let i = 0; i < 100; i++) {
      expect(disabled.tryAcquire()).toBe(true);
      disabled.failure();
    }
    expect(disabled.current).toBe('disabled');
  });

  it('survives a throwing listener, and a disposed listener hears nothing', () => {
    const heard: CircuitState[] = [];
    breaker.onStateChange(() => {
      throw new Error('listener bug');
    });
    const dispose = breaker.onStateChange((state) => heard.push(state));
    dispose();
    expect(() => fail(3)).not.toThrow();
    expect(heard).toEqual([]);
    expect(breaker.current).toBe('open');
  });
});
