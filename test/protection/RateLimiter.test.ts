import { RateLimiter } from '../../src/protection/RateLimiter';

describe('RateLimiter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('admits a burst, then the sustained rate, then a burst again after idling', () => {
    const limiter = new RateLimiter(100, 10);
    const take = (n: number) => Array.from({ length: n }, () => limiter.tryTake()).filter(Boolean).length;
    expect(take(15)).toBe(10);
    jest.advanceTimersByTime(50); // 5 tokens at 100/s
    expect(take(10)).toBe(5);
    jest.advanceTimersByTime(10_000); // refills to the burst, no further
    expect(take(50)).toBe(10);
  });

  it('holds the long-run rate under a constant flood', () => {
    const limiter = new RateLimiter(1000, 100);
    let admitted = 0;
    for (let ms = 0; ms < 5000; ms++) {
      for (let i = 0; i < 20; i++) if (limiter.tryTake()) admitted++;
      jest.advanceTimersByTime(1);
    }
    expect(admitted).toBeGreaterThanOrEqual(5000);
    expect(admitted).toBeLessThanOrEqual(5000 + 100);
  });

  it('does not read the clock while tokens remain', () => {
    const now = jest.fn(() => 0);
    const limiter = new RateLimiter(10, 5, now);
    now.mockClear();
    for (let i = 0; i < 5; i++) limiter.tryTake();
    expect(now).not.toHaveBeenCalled();
    limiter.tryTake();
    expect(now).toHaveBeenCalledTimes(1);
  });
});
