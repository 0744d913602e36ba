import { labelHash, SeriesTable } from '../../src/metrics/SeriesTable';

const bounds = (values: number[]) => Float64Array.from(values);

/** Adds a series for sorted labels given as one object, as the metric does. */
function add(table: SeriesTable, labels: Record<string, string>, now = 0): number {
  const keys = Object.keys(labels).sort();
  const values = keys.map((key) => labels[key]);
  return table.add(keys, values, table.hashOf(keys, values), now);
}

function find(table: SeriesTable, labels: Record<string, string>): number {
  const keys = Object.keys(labels).sort();
  const values = keys.map((key) => labels[key]);
  return table.find(keys, values, table.hashOf(keys, values));
}

describe('SeriesTable: histograms', () => {
  it('counts values into buckets with inclusive upper bounds, like OpenTelemetry', () => {
    const table = new SeriesTable(bounds([1, 5, 10]));
    const id = add(table, {});
    for (const v of [0, 1, 1.5, 5, 7, 10, 10.1, 1000]) table.observe(id, v);
    expect(table.histogram(id)).toEqual({ counts: [2, 2, 2, 2], count: 8, sum: 1034.6, min: 0, max: 1000 });
  });

  it('uses binary search on long bucket lists with the same result as a scan', () => {
    const boundaries = Array.from({ length: 40 }, (_, i) => i * 10);
    const table = new SeriesTable(bounds(boundaries));
    const id = add(table, {});
    const expected = new Array(41).fill(0);
    for (let v = -5; v < 420; v += 3.5) {
      table.observe(id, v);
      let i = 0;
      while (i < boundaries.length && v > boundaries[i]) i++;
      expected[i]++;
    }
    expect(table.histogram(id)?.counts).toEqual(expected);
  });

  it('keeps each series its own row, across growth and id reuse', () => {
    const table = new SeriesTable(bounds([10]));
    const ids = Array.from({ length: 40 }, (_, i) => add(table, { n: String(i) }, i));
    ids.forEach((id, i) => table.observe(id, i < 20 ? 1 : 100));
    expect(table.histogram(ids[3])).toEqual({ counts: [1, 0], count: 1, sum: 1, min: 1, max: 1 });
    expect(table.histogram(ids[33])).toEqual({ counts: [0, 1], count: 1, sum: 100, min: 100, max: 100 });
    table.remove(ids[3]);
    const again = add(table, { n: 'new' }, 99);
    expect(again).toBe(ids[3]); // reused, and starts empty
    expect(table.histogram(again)).toEqual({ counts: [0, 0], count: 0, sum: 0, min: Infinity, max: -Infinity });
    expect(table.startTimeMs(again)).toBe(99);
  });
});

describe('SeriesTable: sums and gauges', () => {
  it('carry no histogram state', () => {
    const table = new SeriesTable(null);
    const id = add(table, { route: '/a' });
    table.values[id] += 2;
    expect(table.histogram(id)).toBeUndefined();
    expect(table.bucketCount).toBe(0);
    expect(table.values[id]).toBe(2);
  });

  it('finds a series by its labels only, whatever order they were given in', () => {
    const table = new SeriesTable(null);
    const a = add(table, { route: '/a', method: 'GET' });
    const b = add(table, { route: '/a', method: 'POST' });
    expect(find(table, { method: 'GET', route: '/a' })).toBe(a);
    expect(find(table, { route: '/a', method: 'POST' })).toBe(b);
    expect(find(table, { route: '/a' })).toBe(-1);
    expect(find(table, { route: '/a', method: 'GET', extra: 'x' })).toBe(-1);
    expect(table.attributes[a]).toEqual({ method: 'GET', route: '/a' });
  });

  it('keeps __proto__ and constructor as ordinary labels', () => {
    const table = new SeriesTable(null);
    const keys = ['__proto__', 'constructor'];
    const values = ['p', 'c'];
    const id = table.add(keys, values, table.hashOf(keys, values), 0);
    expect(table.find(keys, values, table.hashOf(keys, values))).toBe(id);
    expect(Object.getPrototypeOf(table.attributes[id])).toBe(Object.prototype);
    const attributes = table.attributes[id] as Record<string, unknown>;
    expect(Object.keys(attributes).sort()).toEqual(['__proto__', 'constructor']);
  });

  it('grows past its first capacity and hands out ids densely', () => {
    const table = new SeriesTable(null);
    const ids = Array.from({ length: 1000 }, (_, i) => add(table, { n: String(i) }, i));
    expect(ids).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    ids.forEach((id) => (table.values[id] = id * 2));
    expect(table.values[999]).toBe(1998);
    expect(table.startTimeMs(999)).toBe(999);
    expect(find(table, { n: '500' })).toBe(500);
    expect(table.size).toBe(1000);
  });
});

describe('SeriesTable: hash collisions', () => {
  it('a label set whose hash is taken is found through its key string, and removal keeps the rest findable', () => {
    const table = new SeriesTable(null, () => 7); // every label set collides
    const ids = ['a', 'b', 'c', 'd'].map((v) => add(table, { k: v }));
    expect(new Set(ids).size).toBe(4);
    for (const [i, v] of ['a', 'b', 'c', 'd'].entries()) expect(find(table, { k: v })).toBe(ids[i]);
    expect(find(table, { k: 'e' })).toBe(-1);
    table.remove(ids[0]); // the one holding the hash
    expect(find(table, { k: 'a' })).toBe(-1);
    expect(find(table, { k: 'b' })).toBe(ids[1]);
    table.remove(ids[2]); // a collider
    expect(find(table, { k: 'c' })).toBe(-1);
    expect(find(table, { k: 'd' })).toBe(ids[3]);
    const e = add(table, { k: 'e' }); // takes the vacated hash
    expect(find(table, { k: 'e' })).toBe(e);
    table.remove(ids[1]);
    table.remove(ids[3]);
    table.remove(e);
    expect(table.size).toBe(0);
    expect(find(table, { k: 'b' })).toBe(-1);
    expect(add(table, { k: 'b' })).toBeGreaterThanOrEqual(0);
    expect(find(table, { k: 'b' })).toBeGreaterThanOrEqual(0);
  });

  it('the hash tells apart label sets that differ only in where a key ends', () => {
    expect(labelHash(['ab'], ['c'])).not.toBe(labelHash(['a'], ['bc']));
    expect(labelHash(['a', 'b'], ['', ''])).not.toBe(labelHash(['ab'], ['']));
  });

  it('is linear in the characters: 10,000 label sets of 1 KB hash without a quadratic step', () => {
    const value = 'v'.repeat(1024);
    let hash = 0;
    for (let i = 0; i < 10_000; i++) hash ^= labelHash(['k'], [value + i]);
    expect(typeof hash).toBe('number');
  });
});

describe('SeriesTable: delta baselines', () => {
  it('tells what a sum gained since its last commit, and nothing when it did not change', () => {
    const table = new SeriesTable(null);
    const id = add(table, { q: 'a' }, 1000);
    table.values[id] += 5;
    table.trackDeltas(); // series held before tracking start from nothing delivered
    const first = table.deltaOf(id);
    expect(first?.value).toBe(5);
    expect(table.deltaStartMs(id)).toBe(1000);
    table.values[id] += 2; // recorded while the point is on its way
    table.commit(first!.commit, 2000);
    expect(table.deltaStartMs(id)).toBe(2000);
    expect(table.deltaOf(id)?.value).toBe(2);
    const second = table.deltaOf(id)!;
    table.commit(second.commit, 3000);
    expect(table.deltaOf(id)).toBeUndefined();
  });

  it('an uncommitted delta (a failed export) is folded into the next one, with its window still open', () => {
    const table = new SeriesTable(null);
    table.trackDeltas();
    const id = add(table, {}, 1000);
    table.values[id] += 3;
    table.deltaOf(id); // taken, never delivered
    table.values[id] += 4;
    expect(table.deltaOf(id)?.value).toBe(7);
    expect(table.deltaStartMs(id)).toBe(1000);
  });

  it('a commit for a series that went and whose id was handed out again changes nothing', () => {
    const table = new SeriesTable(null);
    table.trackDeltas();
    const id = add(table, { q: 'old' }, 1000);
    table.values[id] += 9;
    const stale = table.deltaOf(id)!;
    table.remove(id);
    const reused = add(table, { q: 'new' }, 5000);
    expect(reused).toBe(id);
    table.values[reused] += 1;
    table.commit(stale.commit, 6000);
    expect(table.deltaOf(reused)?.value).toBe(1);
    expect(table.deltaStartMs(reused)).toBe(5000);
  });

  it('histograms: bucket counts, count and sum since the baseline; no min or max', () => {
    const table = new SeriesTable(bounds([1, 10]));
    table.trackDeltas();
    const id = add(table, {});
    for (const v of [0.5, 5, 50]) table.observe(id, v);
    const first = table.deltaOf(id)!;
    expect(first.histogram).toEqual({ counts: [1, 1, 1], count: 3, sum: 55.5, min: NaN, max: NaN });
    table.commit(first.commit, 1);
    table.observe(id, 7);
    expect(table.deltaOf(id)?.histogram).toMatchObject({ counts: [0, 1, 0], count: 1, sum: 7 });
  });

  it('grows its baseline columns with the table', () => {
    const table = new SeriesTable(bounds([1]));
    table.trackDeltas();
    const ids = Array.from({ length: 100 }, (_, i) => add(table, { i: String(i) }, i));
    for (const id of ids) table.observe(id, id);
    for (const id of ids) table.commit(table.deltaOf(id)!.commit, 500);
    for (const id of ids) expect(table.deltaOf(id)).toBeUndefined();
    table.observe(ids[99], 0);
    expect(table.deltaOf(ids[99])?.histogram).toMatchObject({ counts: [1, 0], count: 1 });
  });
});
