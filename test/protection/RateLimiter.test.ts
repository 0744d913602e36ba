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

  it('admits at most its burst after any idle period, even when the bucket was partly used before it', () => {
    const limiter = new RateLimiter(100, 10);
    expect(limiter.tryTake()).toBe(true); // 9 tokens left, and then a long pause
    jest.advanceTimersByTime(60_000);
    let admitted = 0;
    for (let i = 0; i < 1000; i++) if (limiter.tryTake()) admitted++;
    // Not 9 + a fresh burst of 10: at most the burst. (The take before the pause is counted as if just made, so
    // the bucket errs by at most burst/64 takes, here one, on the side of admitting less.)
    expect(admitted).toBeLessThanOrEqual(10);
    expect(admitted).toBeGreaterThanOrEqual(9);
  });

  it('with a large burst, also after a partial use and a pause, admits at most the burst plus the rate', () => {
    const limiter = new RateLimiter(100_000, 200_000); // the production profile's
    for (let i = 0; i < 500; i++) limiter.tryTake();
    jest.advanceTimersByTime(60_000);
    let admitted = 0;
    for (let i = 0; i < 1_000_000; i++) if (limiter.tryTake()) admitted++; // in no time: the clock stands still
    expect(admitted).toBeLessThanOrEqual(200_000);
    expect(admitted).toBeGreaterThanOrEqual(200_000 - 200_000 / 64);
  });

  it('reads the clock once every burst/64 takes, not per call', () => {
    const now = jest.fn(() => 0);
    const limiter = new RateLimiter(1_000_000, 6400, now);
    now.mockClear();
    for (let i = 0; i < 1000; i++) limiter.tryTake();
    expect(now).toHaveBeenCalledTimes(9); // at takes 101, 201, ... 901
    expect(now.mock.calls.length * 100).toBeLessThanOrEqual(1000);
  });
});
