import { SeriesLocator } from '../../src/metrics/SeriesLocator';
import { Series } from '../../src/metrics/Series';

const series = (name: string) => new Series({ name }, 0);
const find = (locator: SeriesLocator, ...args: unknown[]) =>
  locator.find(args.length, args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7]);

describe('SeriesLocator', () => {
  it('finds a remembered path from equal strings that are different objects', () => {
    const locator = new SeriesLocator(100);
    const s = series('a');
    locator.remember(['method', 'GET', 'status', '200'], 0, s, 0);
    const fresh = (text: string) => `${text} `.slice(0, -1);
    expect(find(locator, fresh('method'), fresh('GET'), fresh('status'), fresh('200'))).toBe(s);
    expect(find(locator, 'method', 'GET', 'status', '201')).toBeUndefined();
    expect(find(locator, 'method', 'GET')).toBeUndefined();
  });

  it('keeps paths for other key orders and for prefixes apart', () => {
    const locator = new SeriesLocator(100);
    const ab = series('ab');
    const ba = series('ba');
    const a = series('a');
    locator.remember(['a', '1', 'b', '2'], 0, ab, 0);
    locator.remember(['b', '2', 'a', '1'], 0, ba, 0);
    locator.remember(['a', '1'], 0, a, 0);
    expect(find(locator, 'a', '1', 'b', '2')).toBe(ab);
    expect(find(locator, 'b', '2', 'a', '1')).toBe(ba);
    expect(find(locator, 'a', '1')).toBe(a);
  });

  it('serves no-label calls, lists and more than four pairs', () => {
    const locator = new SeriesLocator(100);
    const none = series('none');
    const many = series('many');
    locator.remember([], 0, none, 0);
    const labels = ['x', 'k1', 'v1', 'k2', 'v2', 'k3', 'v3', 'k4', 'v4', 'k5', 'v5'];
    locator.remember(labels, 1, many, 2);
    expect(find(locator)).toBe(none);
    expect(locator.findList(labels, 1)).toBe(many);
    expect(locator.lastFlags).toBe(2);
    expect(locator.findList(labels, 0)).toBeUndefined();
  });

  it('never answers for an odd number of label arguments', () => {
    const locator = new SeriesLocator(100);
    locator.remember(['a', '1'], 0, series('a'), 0);
    expect(find(locator, 'a', '1', 'b')).toBeUndefined();
  });

  it('stays within its node budget by starting over', () => {
    const locator = new SeriesLocator(50);
    for (let i = 0; i < 1000; i++) locator.remember(['user', `u${i}`], 0, series(`u${i}`), 0);
    expect(locator.size).toBeLessThanOrEqual(50);
    expect(find(locator, 'user', 'u999')).toBeDefined();
    expect(find(locator, 'user', 'u0')).toBeUndefined();
  });
});

describe('SeriesLocator: one child inline, a Map from the second', () => {
  it('finds every path whether a node has one child or several, in any label order', () => {
    const locator = new SeriesLocator(1000);
    const a = series('a');
    const b = series('b');
    const c = series('c');
    locator.remember(['route', '/a', 'method', 'GET'], 0, a, 0);
    expect(find(locator, 'route', '/a', 'method', 'GET')).toBe(a);
    expect(find(locator, 'route', '/a', 'method', 'POST')).toBeUndefined();
    locator.remember(['route', '/a', 'method', 'POST'], 0, b, 0); // the second child of /a's node
    locator.remember(['method', 'GET', 'route', '/a'], 0, c, 0); // another key at the root
    expect(find(locator, 'route', '/a', 'method', 'GET')).toBe(a);
    expect(find(locator, 'route', '/a', 'method', 'POST')).toBe(b);
    expect(find(locator, 'method', 'GET', 'route', '/a')).toBe(c);
    expect(find(locator, 'route', '/b', 'method', 'GET')).toBeUndefined();
    expect(find(locator, 'route', undefined)).toBeUndefined();
    expect(locator.size).toBe(1 + 2 + 1 + 2);
  });
});
