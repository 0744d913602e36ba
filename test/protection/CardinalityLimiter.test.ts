import { CardinalityLimiter, OTHER_VALUE } from '../../src/protection/CardinalityLimiter';
import type { NormalizedLabels } from '../../src/metrics/LabelNormalizer';

const labels = (pairs: Record<string, string>): NormalizedLabels => {
  const keys = Object.keys(pairs).sort();
  return { keys, values: keys.map((k) => pairs[k]), flags: 0, cacheable: true };
};
/** Admits a label set given as an object. */
const admit = (limiter: CardinalityLimiter, pairs: Record<string, string>): string[] | undefined => {
  const l = labels(pairs);
  return limiter.admit(l.keys, l.values);
};

describe('CardinalityLimiter', () => {
  // Not 0: lru-cache reads a start time of 0 as 'no TTL'.
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it("reports values past a label's limit as 'other' and keeps the other labels", () => {
    const limiter = new CardinalityLimiter({ perLabel: { user_id: 2 }, valueTtlMs: 600_000 });
    const seen = ['u1', 'u2', 'u3', 'u1'].map((user) => {
      const l = labels({ user_id: user, method: 'GET' });
      const folded = limiter.admit(l.keys, l.values);
      return [l.values[l.keys.indexOf('user_id')], l.values[l.keys.indexOf('method')], folded];
    });
    expect(seen).toEqual([
      ['u1', 'GET', undefined],
      ['u2', 'GET', undefined],
      [OTHER_VALUE, 'GET', ['user_id']],
      ['u1', 'GET', undefined],
    ]);
    expect(limiter.heldValues('user_id')).toBe(2);
  });

  it('forgets values idle for the TTL, which frees their places', () => {
    const limiter = new CardinalityLimiter({ perLabel: { user_id: 2 }, valueTtlMs: 60_000 });
    admit(limiter, { user_id: 'u1' });
    admit(limiter, { user_id: 'u2' });
    jest.advanceTimersByTime(30_000);
    admit(limiter, { user_id: 'u2' }); // used again: its age starts over
    jest.advanceTimersByTime(30_001);
    const l = labels({ user_id: 'u3' });
    expect(limiter.admit(l.keys, l.values)).toBeUndefined();
    expect(l.values).toEqual(['u3']);
    const l4 = labels({ user_id: 'u4' });
    expect(limiter.admit(l4.keys, l4.values)).toEqual(['user_id']); // u2 is still fresh, so the label is full again
  });

  it('touch() keeps the values of an active series from expiring', () => {
    const limiter = new CardinalityLimiter({ perLabel: { user_id: 1 }, valueTtlMs: 60_000 });
    admit(limiter, { user_id: 'u1' });
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(50_000);
      limiter.touch({ user_id: 'u1' });
    }
    expect(admit(limiter, { user_id: 'u2' })).toEqual(['user_id']);
  });

  it('leaves labels without a limit alone', () => {
    const limiter = new CardinalityLimiter({ perLabel: { user_id: 1 }, valueTtlMs: 60_000 });
    for (let i = 0; i < 100; i++) expect(admit(limiter, { endpoint: `/e${i}` })).toBeUndefined();
  });
});
