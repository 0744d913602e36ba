import { ownKey } from '../diagnostics/ownString';
import type { Series } from './Series';

/** What the hot path counts each time a cached path is used: labels that had to be changed on the way. */
export const FLAG_TRUNCATED = 1;
/** A label value was coerced to a string (a number or a boolean). */
export const FLAG_COERCED = 2;
/** A label value looked like personal data and was replaced by `[REDACTED]`. */
export const FLAG_REDACTED = 4;
/** A label pair was left out (an unpaired key, a key or value of the wrong type, past maxLabelPairs). */
export const FLAG_DROPPED = 8;
/** A label key was truncated. */
export const FLAG_KEY_TRUNCATED = 16;
/** A label value past its label's limit was recorded as `other`. */
export const FLAG_FOLDED_LABEL = 32;
/** A new label combination on a metric at its series limit went to the overflow series. */
export const FLAG_FOLDED_SERIES = 64;

/**
 * One step of a cached label path. Its first child is held inline (`value`, `next`): past the first label most
 * nodes have one child (the route is unique, the method after it is `GET`), and a Map for one entry costs more
 * than the series it leads to. A second child moves them into `values`.
 */
class PathNode {
  /** The label key most calls branch on at this depth. */
  key: unknown = undefined;
  /** Its only child so far, by label value (while `values` is undefined). */
  value: unknown = undefined;
  next: PathNode | undefined = undefined;
  /** Its children by label value, once there are two or more. */
  values: Map<unknown, PathNode> | undefined = undefined;
  /** Children for any other label key at this depth (label order differs between call sites). */
  otherKeys: Map<unknown, Map<unknown, PathNode>> | undefined = undefined;
  /** The series a path ending here leads to. */
  series: Series | undefined = undefined;
  /** FLAG_* bits for that path. */
  flags = 0;

  child(key: unknown, value: unknown): PathNode | undefined {
    if (this.key === key) {
      const values = this.values;
      if (values !== undefined) return values.get(value);
      return this.value === value ? this.next : undefined;
    }
    return this.otherKeys?.get(key)?.get(value);
  }
}

/**
 * A cache from the raw label arguments of a call, in call order, to the series they resolve to. Looking a series
 * up walks one Map per label pair and builds no string, sorts nothing and allocates nothing.
 *
 * The cache is bounded: it holds at most `maxNodes` nodes and starts over when full. Only paths whose labels
 * were admitted as given are cached, so label values folded into `other` or the overflow series never take room.
 */
export class SeriesLocator {
  private root = new PathNode();
  private nodes = 1;
  /** Where the last lookup ended, for the caller to count its flags without a second walk. */
  lastFlags = 0;

  constructor(private readonly maxNodes: number) {}

  /** Finds the series for up to four label pairs given as positional arguments; undefined on a miss. */
  find(argc: number, a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown, a6: unknown, a7: unknown): Series | undefined {
    let node: PathNode | undefined = this.root;
    if (argc !== 0) {
      if ((argc & 1) !== 0) return undefined;
      node = node.child(a0, a1);
      if (argc > 2 && node !== undefined) {
        node = node.child(a2, a3);
        if (argc > 4 && node !== undefined) {
          node = node.child(a4, a5);
          if (argc > 6 && node !== undefined) node = node.child(a6, a7);
        }
      }
      if (node === undefined) return undefined;
    }
    this.lastFlags = node.flags;
    return node.series;
  }

  /** Finds the series for label arguments held in a list, from `start`; undefined on a miss. */
  findList(list: ArrayLike<unknown>, start: number): Series | undefined {
    if (((list.length - start) & 1) !== 0) return undefined;
    let node: PathNode | undefined = this.root;
    for (let i = start; i < list.length && node !== undefined; i += 2) node = node.child(list[i], list[i + 1]);
    if (node === undefined) return undefined;
    this.lastFlags = node.flags;
    return node.series;
  }

  /** Finds the series for labels given as an object, walking its keys in insertion order; undefined on a miss. */
  findObject(labels: Readonly<Record<string, unknown>>): Series | undefined {
    let node: PathNode | undefined = this.root;
    for (const key in labels) {
      node = node.child(key, labels[key]);
      if (node === undefined) return undefined;
    }
    this.lastFlags = node.flags;
    return node.series;
  }

  /** Caches the path of raw label arguments `list[start..]` to `series`. */
  remember(list: ArrayLike<unknown>, start: number, series: Series, flags: number): void {
    const pairs = (list.length - start) >> 1;
    if (this.nodes + pairs > this.maxNodes) this.clear();
    let node = this.root;
    for (let i = start; i + 1 < list.length; i += 2) {
      // Owned copies of strings: a cached path must not keep alive a larger string an argument was sliced from.
      const key = owned(list[i]);
      const value = owned(list[i + 1]);
      let next = node.child(key, value);
      if (next === undefined) {
        next = new PathNode();
        this.nodes++;
        if (node.key === undefined) {
          node.key = key;
          node.value = value;
          node.next = next;
        } else if (node.key === key) {
          if (node.values === undefined) {
            node.values = new Map([[node.value, node.next as PathNode]]);
            node.value = node.next = undefined;
          }
          node.values.set(value, next);
        } else {
          node.otherKeys ??= new Map();
          let values = node.otherKeys.get(key);
          if (values === undefined) node.otherKeys.set(key, (values = new Map()));
          values.set(value, next);
        }
      }
      node = next;
    }
    node.series = series;
    node.flags = flags;
  }

  /** Whether the cache is at most half full: room for paths that are not worth evicting the hot ones for. */
  hasRoomToSpare(): boolean {
    return this.nodes * 2 <= this.maxNodes;
  }

  /** Forgets every cached path; lookups fall back to the slow path until they are cached again. */
  clear(): void {
    this.root = new PathNode();
    this.nodes = 1;
  }

  /** Cached nodes, for tests and health. */
  get size(): number {
    return this.nodes;
  }
}

/** A string argument as an owned, internalized copy (see `ownKey`): lookups with callers' literals stay fast. */
function owned(value: unknown): unknown {
  return typeof value === 'string' ? ownKey(value) : value;
}
