import type { LRUCache } from 'lru-cache';

/** The value a label takes once its label has used up its distinct values. */
export const OTHER_VALUE = 'other';

/** Limits of one metric. */
export interface CardinalityLimits {
  /** Distinct values per label name (only the labels named here are limited). */
  perLabel: Readonly<Record<string, number>>;
  /** How long a value may stay unused before it no longer takes one of its label's places. */
  valueTtlMs: number;
}

/**
 * Per-label value limits for one metric. A label named in `cardinalityLimits` admits that many distinct values;
 * further values are reported as `other` while the other labels are kept. Values that stay unused for
 * `valueTtlMs` expire (an lru-cache with a TTL), which frees their place for new values.
 *
 * The series limit of the metric is enforced by `Metric`; this class only rewrites label values.
 */
export class CardinalityLimiter {
  private readonly values = new Map<string, LRUCache<string, true>>();
  /** The limits by label, in a Map: label names are user input, and `constructor` must not find Object's. */
  private readonly perLabel: ReadonlyMap<string, number>;
  /** Clock reads for purging expired values, so a flood of new values costs one purge per second at most. */
  private nextPurgeAt = 0;

  constructor(
    private readonly limits: CardinalityLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.perLabel = new Map(Object.entries(limits.perLabel));
  }

  /** Whether any label of this metric is limited. */
  get active(): boolean {
    return this.perLabel.size > 0;
  }

  /**
   * Admits the values of a new label set (`values` parallel to `keys`), replacing those over their label's limit
   * with `other` in place. Returns the names of the labels that were folded, or undefined when all were admitted.
   */
  admit(keys: readonly string[], values: (string | number | boolean)[]): string[] | undefined {
    let folded: string[] | undefined;
    for (let i = 0; i < keys.length; i++) {
      const limit = this.perLabel.get(keys[i]);
      if (limit === undefined) continue;
      const value = String(values[i]); // 200 and '200' take one place
      const cache = this.cacheFor(keys[i], limit);
      if (cache.get(value) !== undefined) continue;
      if (cache.size >= limit && !this.purge(cache)) {
        values[i] = OTHER_VALUE;
        (folded ??= []).push(keys[i]);
        continue;
      }
      cache.set(value, true);
    }
    return folded;
  }

  /** Marks the limited values of a series as in use, so they do not expire while the series is active. */
  touch(attributes: Readonly<Record<string, unknown>>): void {
    for (const [label, cache] of this.values) {
      const given = attributes[label];
      if (given === undefined) continue;
      const value = String(given);
      if (value === OTHER_VALUE) continue;
      if (cache.get(value) === undefined && cache.size < (cache.max as number)) cache.set(value, true);
    }
  }

  /** Whether a series with these attributes carries a limited label. */
  hasLimitedLabel(attributes: Readonly<Record<string, unknown>>): boolean {
    for (const label in attributes) if (this.perLabel.has(label)) return true;
    return false;
  }

  /** Distinct values currently held for `label`. */
  heldValues(label: string): number {
    return this.values.get(label)?.size ?? 0;
  }

  private cacheFor(label: string, limit: number): LRUCache<string, true> {
    let cache = this.values.get(label);
    if (cache === undefined) {
      // lru-cache loads with the first limited label, not when the package is required.
      const { LRUCache: Cache } = require('lru-cache') as typeof import('lru-cache');
      cache = new Cache<string, true>({
        max: limit,
        ttl: this.limits.valueTtlMs,
        updateAgeOnGet: true,
        perf: { now: this.now },
      });
      this.values.set(label, cache);
    }
    return cache;
  }

  /** Drops expired values when the label is full; true if that made room. At most once per second. */
  private purge(cache: LRUCache<string, true>): boolean {
    const now = this.now();
    if (now < this.nextPurgeAt) return false;
    this.nextPurgeAt = now + 1000;
    cache.purgeStale();
    return cache.size < (cache.max as number);
  }
}
