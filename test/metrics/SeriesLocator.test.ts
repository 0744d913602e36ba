import { leafFlags, leafSeries, MISS, SeriesLocator } from '../../src/metrics/SeriesLocator';

/** The series id a positional lookup finds, or MISS. */
const find = (locator: SeriesLocator, ...args: unknown[]) => {
  const leaf = locator.find(args.length, args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7],
    args[8], args[9], args[10], args[11]);
  return leaf === MISS ? MISS : leafSeries(leaf);
};

describe('SeriesLocator', () => {
  it('finds a remembered path from equal strings that are different objects', () => {
    const locator = new SeriesLocator(10, 20);
    locator.remember(['method', 'GET', 'status', '200'], 0, 7, 0);
    const fresh = (text: string) => `${text} `.slice(0, -1);
    expect(find(locator, fresh('method'), fresh('GET'), fresh('status'), fresh('200'))).toBe(7);
    expect(find(locator, 'method', 'GET', 'status', '201')).toBe(MISS);
    expect(find(locator, 'method', 'GET')).toBe(MISS);
  });

  it('keeps paths for other key orders and for prefixes apart', () => {
    const locator = new SeriesLocator(10, 20);
    locator.remember(['a', '1', 'b', '2'], 0, 1, 0);
    locator.remember(['b', '2', 'a', '1'], 0, 2, 0);
    locator.remember(['a', '1'], 0, 3, 0);
    expect(find(locator, 'a', '1', 'b', '2')).toBe(1);
    expect(find(locator, 'b', '2', 'a', '1')).toBe(2);
    expect(find(locator, 'a', '1')).toBe(3);
  });

  it('a leaf ending a path stays when a longer path goes through it, and the other way round', () => {
    const locator = new SeriesLocator(10, 20);
    locator.remember(['a', '1'], 0, 3, 0); // a leaf in the root's slot
    locator.remember(['a', '1', 'b', '2', 'c', '3'], 0, 4, 0); // the leaf becomes a node keeping it
    expect(find(locator, 'a', '1')).toBe(3);
    expect(find(locator, 'a', '1', 'b', '2', 'c', '3')).toBe(4);
    expect(find(locator, 'a', '1', 'b', '2')).toBe(MISS);
    locator.remember(['a', '1', 'b', '2'], 0, 5, 0); // a leaf set on an existing node
    expect(find(locator, 'a', '1', 'b', '2')).toBe(5);
    expect(find(locator, 'a', '1', 'b', '2', 'c', '3')).toBe(4);
    expect(find(locator, 'a', '1', 'b', '2', 'c', '3', 'd', '4')).toBe(MISS); // deeper than any path
  });

  it('serves no-label calls, six positional pairs, lists and objects, with the flags of the path', () => {
    const locator = new SeriesLocator(10, 20);
    locator.remember([], 0, 0, 0);
    const six = ['k1', 'v1', 'k2', 'v2', 'k3', 'v3', 'k4', 'v4', 'k5', 'v5', 'k6', 'v6'];
    locator.remember(['x', ...six], 1, 9, 2);
    expect(find(locator)).toBe(0);
    expect(find(locator, ...six)).toBe(9);
    expect(leafFlags(locator.find(12, ...(six as [string, string, string, string, string, string, string, string, string, string, string, string])))).toBe(2);
    expect(leafSeries(locator.findList(['x', ...six], 1))).toBe(9);
    expect(locator.findList(['x', ...six], 0)).toBe(MISS);
    expect(leafSeries(locator.findObject({ k1: 'v1', k2: 'v2', k3: 'v3', k4: 'v4', k5: 'v5', k6: 'v6' }))).toBe(9);
    const seven = [...six, 'k7', 'v7'];
    locator.remember(seven, 0, 11, 0);
    expect(leafSeries(locator.findList(seven, 0))).toBe(11);
  });

  it('never answers for an odd number of label arguments', () => {
    const locator = new SeriesLocator(10, 20);
    locator.remember(['a', '1'], 0, 1, 0);
    expect(find(locator, 'a', '1', 'b')).toBe(MISS);
    expect(locator.findList(['a', '1', 'b'], 0)).toBe(MISS);
  });

  it('stays within its budget by starting over, counting leaves held in slots as steps', () => {
    const locator = new SeriesLocator(5, 10); // 5 series x 8 steps + 10
    for (let i = 0; i < 1000; i++) locator.remember(['user', `u${i}`], 0, i, 0);
    expect(locator.size).toBeLessThanOrEqual(50);
    expect(find(locator, 'user', 'u999')).toBe(999);
    expect(find(locator, 'user', 'u0')).toBe(MISS);
  });

  it('finds a path through a long sliced string by its content', () => {
    const locator = new SeriesLocator(10, 20);
    const long = `${'x'.repeat(40)}-${Math.random()}`.slice(0, 30);
    locator.remember(['path', long], 0, 1, 0);
    expect(find(locator, 'path', `${long}`)).toBe(1);
  });
});

describe('SeriesLocator: a budget that grows with the widest path', () => {
  it('holds every series of a metric with nine pairs without starting over, round after round', () => {
    const series = 2000;
    const locator = new SeriesLocator(series + 1);
    const fixed = Array.from({ length: 8 }, (_, i) => [`k${i}`, `v${i}`]).flat();
    const path = (i: number) => ['first', `value-${i}`, ...fixed]; // nine pairs, the first varies
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < series; i++) {
        if (locator.findList(path(i), 0) === MISS) locator.remember(path(i), 0, i, 0);
      }
    }
    // Every path is still there: the cache never started over (it would have after the first 1,000 or so before).
    for (let i = 0; i < series; i++) expect(leafSeries(locator.findList(path(i), 0))).toBe(i);
    expect(locator.size).toBe(1 + series * 9);
  });
});

describe('SeriesLocator: one child inline, a Map from the second', () => {
  it('finds every path whether a node has one child or several, in any label order', () => {
    const locator = new SeriesLocator(100, 200);
    locator.remember(['route', '/a', 'method', 'GET'], 0, 1, 0);
    expect(find(locator, 'route', '/a', 'method', 'GET')).toBe(1);
    expect(find(locator, 'route', '/a', 'method', 'POST')).toBe(MISS);
    locator.remember(['route', '/a', 'method', 'POST'], 0, 2, 0); // the second child of /a's node
    locator.remember(['method', 'GET', 'route', '/a'], 0, 3, 0); // another key at the root
    expect(find(locator, 'route', '/a', 'method', 'GET')).toBe(1);
    expect(find(locator, 'route', '/a', 'method', 'POST')).toBe(2);
    expect(find(locator, 'method', 'GET', 'route', '/a')).toBe(3);
    expect(find(locator, 'route', '/b', 'method', 'GET')).toBe(MISS);
    expect(find(locator, 'route', undefined)).toBe(MISS);
    // root, two nodes after the first pair, and three leaves held in slots
    expect(locator.size).toBe(1 + 2 + 3);
  });
});
