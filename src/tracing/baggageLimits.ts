import { propagation, type Baggage, type BaggageEntry } from '@opentelemetry/api';

/** W3C baggage limits this library enforces on what it sets and what it receives. */
export const BAGGAGE_LIMITS = {
  /** Entries. */
  maxEntries: 64,
  /** Bytes per key (UTF-8). */
  maxKeyBytes: 128,
  /** Bytes per value (UTF-8). */
  maxValueBytes: 512,
  /** Bytes of the whole `baggage` header. */
  maxTotalBytes: 8192,
} as const;

/**
 * Keeps the entries of a baggage that fit the W3C limits, in order, and tells `onDropped` how many did not.
 * Incoming baggage is untrusted: the middleware passes what it extracts through here too.
 */
export function limitBaggage(baggage: Baggage, onDropped: (count: number) => void): Baggage {
  const kept: Record<string, BaggageEntry> = {};
  let dropped = 0;
  let total = 0;
  let count = 0;
  for (const [key, entry] of baggage.getAllEntries()) {
    const keyBytes = Buffer.byteLength(key);
    const valueBytes = Buffer.byteLength(entry.value);
    const size = keyBytes + valueBytes + 1 + (count > 0 ? 1 : 0);
    if (count >= BAGGAGE_LIMITS.maxEntries || keyBytes > BAGGAGE_LIMITS.maxKeyBytes || valueBytes > BAGGAGE_LIMITS.maxValueBytes ||
      total + size > BAGGAGE_LIMITS.maxTotalBytes) {
      dropped++;
      continue;
    }
    kept[key] = entry;
    total += size;
    count++;
  }
  if (dropped === 0) return baggage;
  onDropped(dropped);
  return propagation.createBaggage(kept);
}
