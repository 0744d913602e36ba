import { ownKey } from '../diagnostics/ownString';

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

/** Bits of a cached leaf that hold its FLAG_* bits; the series id is above them. */
const FLAG_BITS = 7;
const FLAG_MASK = (1 << FLAG_BITS) - 1;
/** What a lookup returns on a miss. */
export const MISS = -1;

/** A leaf as cached: the series id and the FLAG_* bits of its path, in one small integer. */
export function packLeaf(id: number, flags: number): number {
  return (id << FLAG_BITS) | flags;
}

/** The series id of a leaf `find` returned. */
export function leafSeries(leaf: number): number {
  return leaf >> FLAG_BITS;
}

/** The FLAG_* bits of a leaf `find` returned. */
export function leafFlags(leaf: number): number {
  return leaf & FLAG_MASK;
}

/**
 * A child slot of the path cache: a node, or, where a path ends and nothing goes deeper, the leaf itself (a packed
 * small integer, so that the last step of a path costs no node).
 */
type Slot = PathNode | number;

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
  next: Slot | undefined = undefined;
  /** Its children by label value, once there are two or more. */
  values: Map<unknown, Slot> | undefined = undefined;
  /** Children for any other label key at this depth (label order differs between call sites). */
  otherKeys: Map<unknown, Map<unknown, Slot>> | undefined = undefined;
  /** The leaf of a path ending here (`packLeaf`), or MISS. */
  leaf = MISS;

  child(key: unknown, value: unknown): Slot | undefined {
    if (this.key === key) {
      const values = this.values;
      if (values !== undefined) return values.get(value);
      return this.value === value ? this.next : undefined;
    }
    return this.otherKeys?.get(key)?.get(value);
  }

  /** Sets the child slot for `key` and `value`, which must be new or replace a leaf by a node. */
  setChild(key: unknown, value: unknown, slot: Slot): void {
    if (this.key === undefined || (this.key === key && this.values === undefined && this.value === value)) {
      this.key = key;
      this.value = value;
      this.next = slot;
    } else if (this.key === key) {
      if (this.values === undefined) {
        this.values = new Map([[this.value, this.next as Slot]]);
        this.value = this.next = undefined;
      }
      this.values.set(value, slot);
    } else {
      this.otherKeys ??= new Map();
      let values = this.otherKeys.get(key);
      if (values === undefined) this.otherKeys.set(key, (values = new Map()));
      values.set(value, slot);
    }
  }
}

/** The leaf a slot holds for a path that ends at it. */
function leafOf(slot: Slot | undefined): number {
  if (slot === undefined) return MISS;
  return typeof slot === 'number' ? slot : slot.leaf;
}

/**
 * A cache from the raw label arguments of a call, in call order, to the series they resolve to. Looking a series
 * up walks one step per label pair and builds no string, sorts nothing and allocates nothing. A hit is a leaf: the
 * series id with the FLAG_* bits of the path (labels that had to be changed on the way), for the caller to count.
 *
 * The cache is bounded: it holds at most `maxNodes` steps and starts over when full. The budget is room for every
 * series of the metric reached through two label orders of its widest path so far (at least four pairs): a path
 * takes one step per pair, so a metric recorded with nine pairs needs more than one recorded with two, and a fixed
 * budget made the cache start over on every round of a metric with many pairs. Widths are bounded by
 * `maxLabelPairs` (wider calls are not cached), so the cache stays proportional to what it indexes. Only paths whose
 * labels were admitted as given are cached, so label values folded into `other` or the overflow series never take
 * room.
 */
export class SeriesLocator {
  private root = new PathNode();
  private nodes = 1;
  /** Steps per series the budget allows: twice the widest path cached so far, at least 8. */
  private stepsPerSeries = 8;
  private maxNodes: number;

  constructor(
    /** Series the metric may hold (its limit and the overflow series). */
    private readonly seriesRoom: number,
    /** Steps allowed beyond that, for other label orders and values folded away. */
    private readonly spare = 1024,
  ) {
    this.maxNodes = seriesRoom * this.stepsPerSeries + spare;
  }

  /** The leaf for up to six label pairs given as positional arguments, or MISS. */
  find(argc: number, a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown,
    a6: unknown, a7: unknown, a8: unknown, a9: unknown, a10: unknown, a11: unknown): number {
    if (argc === 0) return this.root.leaf;
    if ((argc & 1) !== 0) return MISS;
    let slot = this.root.child(a0, a1);
    if (argc === 2) return leafOf(slot);
    if (typeof slot !== 'object') return MISS;
    slot = slot.child(a2, a3);
    if (argc === 4) return leafOf(slot);
    if (typeof slot !== 'object') return MISS;
    slot = slot.child(a4, a5);
    if (argc === 6) return leafOf(slot);
    if (typeof slot !== 'object') return MISS;
    slot = slot.child(a6, a7);
    if (argc === 8) return leafOf(slot);
    if (typeof slot !== 'object') return MISS;
    slot = slot.child(a8, a9);
    if (argc === 10) return leafOf(slot);
    if (typeof slot !== 'object') return MISS;
    return leafOf(slot.child(a10, a11));
  }

  /** The leaf for label arguments held in a list, from `start`, or MISS. */
  findList(list: ArrayLike<unknown>, start: number): number {
    if (((list.length - start) & 1) !== 0) return MISS;
    let slot: Slot | undefined = this.root;
    for (let i = start; i < list.length; i += 2) {
      if (typeof slot !== 'object') return MISS;
      slot = slot.child(list[i], list[i + 1]);
    }
    return leafOf(slot);
  }

  /** The leaf for labels given as an object, walking its keys in insertion order, or MISS. */
  findObject(labels: Readonly<Record<string, unknown>>): number {
    let slot: Slot | undefined = this.root;
    for (const key in labels) {
      if (typeof slot !== 'object') return MISS;
      slot = slot.child(key, labels[key]);
    }
    return leafOf(slot);
  }

  /** Caches the path of raw label arguments `list[start..]` to series `id`, whose path carries `flags`. */
  remember(list: ArrayLike<unknown>, start: number, id: number, flags: number): void {
    const pairs = (list.length - start) >> 1;
    if (2 * pairs > this.stepsPerSeries) {
      this.stepsPerSeries = 2 * pairs;
      this.maxNodes = this.seriesRoom * this.stepsPerSeries + this.spare;
    }
    if (this.nodes + pairs > this.maxNodes) this.clear();
    const leaf = packLeaf(id, flags);
    if (pairs === 0) {
      this.root.leaf = leaf;
      return;
    }
    let node = this.root;
    for (let i = start; i + 1 < list.length; i += 2) {
      // Owned copies of strings: a cached path must not keep alive a larger string an argument was sliced from.
      const key = owned(list[i]);
      const value = owned(list[i + 1]);
      const slot = node.child(key, value);
      // Each step counts once, a leaf in a slot as a node does: both take a Map entry or a node.
      if (slot === undefined) this.nodes++;
      if (i + 3 >= list.length) {
        // The last pair: the leaf goes into the slot itself, or into the node already there.
        if (typeof slot === 'object') slot.leaf = leaf;
        else node.setChild(key, value, leaf);
        return;
      }
      if (typeof slot === 'object') {
        node = slot;
        continue;
      }
      // A node is needed here: a new one, or one taking the place of a leaf that ended a shorter path.
      const next = new PathNode();
      if (slot !== undefined) next.leaf = slot;
      node.setChild(key, value, next);
      node = next;
    }
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

  /** Cached steps (nodes, and leaves held in a slot), for tests and health. */
  get size(): number {
    return this.nodes;
  }
}

/**
 * A string argument as an owned copy. A string shorter than 13 characters is its own already (V8 makes neither
 * slices nor concatenations that short), and is kept as given: a lookup with the caller's string compares
 * pointers, another copy compares a few characters. A longer one is internalized (see `ownKey`), so lookups with
 * callers' literals stay fast and nothing larger is pinned.
 */
function owned(value: unknown): unknown {
  return typeof value === 'string' && value.length >= 13 ? ownKey(value) : value;
}
