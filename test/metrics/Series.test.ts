import { HistogramSeries, Series } from '../../src/metrics/Series';

describe('HistogramSeries.observe', () => {
  it('counts values into buckets with inclusive upper bounds, like OpenTelemetry', () => {
    const s = new HistogramSeries({}, 0, Float64Array.from([1, 5, 10]));
    for (const v of [0, 1, 1.5, 5, 7, 10, 10.1, 1000]) s.observe(v);
    expect(Array.from(s.counts)).toEqual([2, 2, 2, 2]);
    expect([s.count, s.sum, s.min, s.max]).toEqual([8, 1034.6, 0, 1000]);
  });

  it('uses binary search on long bucket lists with the same result as a scan', () => {
    const bounds = Array.from({ length: 40 }, (_, i) => i * 10);
    const long = new HistogramSeries({}, 0, Float64Array.from(bounds));
    const expected = new Array(41).fill(0);
    for (let v = -5; v < 420; v += 3.5) {
      long.observe(v);
      let i = 0;
      while (i < bounds.length && v > bounds[i]) i++;
      expected[i]++;
    }
    expect(Array.from(long.counts)).toEqual(expected);
  });
});

describe('Series', () => {
  it('a sum or gauge series carries no histogram state', () => {
    const series = new Series({ route: '/a' }, 0);
    expect(Object.keys(series).sort()).toEqual(['attributes', 'stamp', 'startTimeMs', 'value']);
    expect(series).not.toBeInstanceOf(HistogramSeries);
  });
});
