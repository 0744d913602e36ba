import { context, propagation, type Baggage, type BaggageEntry, type Context } from '@opentelemetry/api';
import { limitBaggage as limitToW3C } from '../tracing/baggageLimits';
import { globalSlot } from '../global/GlobalSlot';
import { labelsOf } from './helpers';
import type { LabelValue, Labels } from './labels';

const slot = globalSlot();

/**
 * Runs `fn` with `entries` added to the active baggage, so that they travel with every traced call it makes.
 * Entries over the W3C limits are dropped and counted (`baggage_limit`).
 *
 * @example await withBaggage({ tenant_id: 'acme' }, () => handle(req));
 */
export function withBaggage<T>(entries: Labels, fn: () => T): T {
  return context.with(setBaggage(context.active(), entries ?? {}), fn);
}

/** The value of a baggage entry in the active context, if any. */
export function getBaggage(key: string): string | undefined {
  return propagation.getBaggage(context.active())?.getEntry(key)?.value;
}

/**
 * Returns a copy of `ctx` whose baggage has these entries added (key/value pairs or one object), within the W3C
 * limits. For code that passes contexts explicitly.
 *
 * @example const ctx = setBaggage(context.active(), 'tenant_id', 'acme', 'plan', 'pro');
 */
export function setBaggage(ctx: Context, ...labels: LabelValue[]): Context;
export function setBaggage(ctx: Context, labels: Labels): Context;
export function setBaggage(ctx: Context): Context {
  const pairs = baggagePairs(labelsOf(arguments, 1));
  // Not a context (undefined, a plain object), or one whose methods throw or return odd things (a proxy, revoked
  // or not): the active one.
  try {
    if (ctx !== null && typeof ctx === 'object' && typeof (ctx as Partial<Context>).getValue === 'function') return withEntries(ctx, pairs);
  } catch {
    // fall through
  }
  return withEntries(context.active(), pairs);
}

/** `ctx` with its baggage plus `pairs` (each re-added last, as the newest entry), within the W3C limits. */
function withEntries(ctx: Context, pairs: readonly [string, string][]): Context {
  const current = propagation.getBaggage(ctx)?.getAllEntries() ?? [];
  const merged = new Map<string, BaggageEntry>(current);
  for (const [key, value] of pairs) {
    merged.delete(key);
    merged.set(key, { value });
  }
  return propagation.setBaggage(ctx, limitBaggage(propagation.createBaggage(Object.fromEntries(merged))));
}

/** Entries as key/value strings; keys that are not non-empty strings and values that are not primitives are left out. */
function baggagePairs(given: unknown[] | Labels): [string, string][] {
  const pairs: [string, string][] = [];
  const add = (key: unknown, value: unknown): void => {
    if (typeof key !== 'string' || key === '') return;
    if (typeof value === 'string') pairs.push([key, value]);
    else if (typeof value === 'number' || typeof value === 'boolean') pairs.push([key, String(value)]);
  };
  try {
    // A list is read only as far as baggage can hold (64 entries, and one more to see the limit passed): a sparse
    // array may claim 2^32 - 1 items.
    if (Array.isArray(given)) for (let i = 0, n = Math.min(given.length, 2 * 65); i + 1 < n; i += 2) add(given[i], given[i + 1]);
    else for (const [key, value] of Object.entries(given)) add(key, value);
  } catch {
    // A hostile entries object: what was read before it threw is kept.
  }
  return pairs;
}

/**
 * Keeps the entries of a baggage that fit the W3C limits, in order; the rest are counted as `baggage_limit` and
 * reported once (`lostByReason.baggage_limit`). Incoming baggage is untrusted: the middleware passes what it extracts through here too.
 */
export function limitBaggage(baggage: Baggage): Baggage {
  return limitToW3C(baggage, (dropped) => slot.runtime.lost('baggage_limit', dropped, 'baggage_limit',
    `${dropped} baggage entr${dropped === 1 ? 'y was' : 'ies were'} dropped for exceeding the W3C limits (64 entries, ` +
      '128-byte keys, 512-byte values, 8 KB in all). Keep baggage small: it travels with every request.'));
}

export { BAGGAGE_LIMITS } from '../tracing/baggageLimits';
