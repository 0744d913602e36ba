import { context, propagation, type Baggage, type BaggageEntry, type Context } from '@opentelemetry/api';
import { limitBaggage as limitToW3C } from '../tracing/baggageLimits';
import { globalSlot } from '../global/GlobalSlot';
import { labelsOf } from './helpers';
import type { Labels } from './labels';

const slot = globalSlot();

/**
 * Runs `fn` with `entries` added to the active baggage, so that they travel with every traced call it makes.
 * Entries over the W3C limits are dropped and counted (`baggage_limit`).
 *
 * @example await withBaggage({ tenant_id: 'acme' }, () => handle(req));
 */
export function withBaggage<T>(entries: Labels, fn: () => T): T {
  return context.with(setBaggage(context.active(), entries), fn);
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
export function setBaggage(ctx: Context, ...labels: string[]): Context;
export function setBaggage(ctx: Context, labels: Labels): Context;
export function setBaggage(ctx: Context): Context {
  const given = labelsOf(arguments, 1);
  const pairs: [string, string][] = Array.isArray(given)
    ? Array.from({ length: given.length >> 1 }, (_, i) => [String(given[2 * i]), String(given[2 * i + 1])])
    : Object.entries(given);
  const current = propagation.getBaggage(ctx)?.getAllEntries() ?? [];
  const merged = new Map<string, BaggageEntry>(current);
  for (const [key, value] of pairs) {
    merged.delete(key); // re-added last, as the newest entry
    merged.set(key, { value });
  }
  return propagation.setBaggage(ctx, limitBaggage(propagation.createBaggage(Object.fromEntries(merged))));
}

/**
 * Keeps the entries of a baggage that fit the W3C limits, in order; the rest are counted as `baggage_limit` and
 * reported once. Incoming baggage is untrusted: the middleware passes what it extracts through here too.
 */
export function limitBaggage(baggage: Baggage): Baggage {
  return limitToW3C(baggage, (dropped) => slot.runtime.dropped('baggage_limit', dropped, 'baggage_limit',
    `${dropped} baggage entr${dropped === 1 ? 'y was' : 'ies were'} dropped for exceeding the W3C limits (64 entries, ` +
      '128-byte keys, 512-byte values, 8 KB in all). Keep baggage small: it travels with every request.'));
}

export { BAGGAGE_LIMITS } from '../tracing/baggageLimits';
