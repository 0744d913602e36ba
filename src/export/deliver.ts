import type { ExportFailure } from './ExportFailure';
import type { ExportSink } from './ExportSink';
import { nextTurn } from './nextTurn';

/** How a batch of items (data points, spans) is measured and split. */
export interface Batching<T> {
  /** Items in a batch. */
  size(batch: T): number;
  /** Two batches holding the items of one, in order; only called with size >= 2. */
  halve(batch: T): [T, T];
}

/** What happened on the way, for the pipeline's reporting. */
export interface DeliveryHooks<T> {
  /**
   * The collector refused a request of `items` items and `bytes` bytes as too large (HTTP 413). Called for every
   * such answer; a request of more than one item is then split.
   */
  tooLarge(items: number, bytes: number | undefined): void;
  /** The collector refused even a single item as too large; it cannot be sent and was dropped. */
  dropped(batch: T): void;
  /** A request of `items` items encoded over the byte limit and was split before sending. */
  oversized?(items: number): void;
  /** The collector accepted a request but rejected part of it. */
  rejected(count: number, message: string): void;
  /** The collector accepted a request of `items` items. */
  accepted?(items: number): void;
}

/**
 * The outcome of delivering one batch: sent in full (possibly split), or the failure that stopped it; `sent` counts
 * the items of requests the collector accepted.
 */
export type Delivery =
  | { readonly ok: true; readonly requests: number; readonly sent: number }
  | { readonly ok: false; readonly failure: ExportFailure; readonly sent: number };

/**
 * Sends `batch` through `sink` as one or more requests. A request over `maxItems()` items or encoding to more than
 * `maxBytes` is split in halves before it is sent (a turn of the event loop between two encodings, so splitting
 * never stacks them up); one the collector refuses as too large (HTTP 413) is split and its halves sent in its place
 * (the hook lowers `maxItems()`, so the rest is split to fit before it is sent). A single item refused as too large
 * is dropped when other requests of the delivery got through (it is an outlier), but fails the delivery when none
 * did: a collector that refuses everything must show as failing, not be fed one item at a time. Any other failure
 * stops the delivery, since the next request would most likely fail the same way.
 */
export async function deliver<T>(
  batch: T,
  batching: Batching<T>,
  sink: ExportSink<T>,
  maxBytes: number,
  deadlineAt: number,
  hooks: DeliveryHooks<T>,
  maxItems: () => number = () => Infinity,
): Promise<Delivery> {
  const pending: T[] = [batch];
  let requests = 0;
  let sent = 0;
  let encodings = 0;
  while (pending.length > 0) {
    const next = pending.shift() as T;
    const items = batching.size(next);
    if (items === 0) continue;
    if (items > 1 && items > maxItems()) {
      pending.unshift(...batching.halve(next));
      continue;
    }
    if (encodings++ > 0) await nextTurn();
    const encoded = sink.encode?.(next);
    if (encoded !== undefined && encoded.byteLength > maxBytes && items > 1) {
      hooks.oversized?.(items);
      pending.unshift(...batching.halve(next));
      continue;
    }
    const result = await sink.send(next, encoded, deadlineAt);
    requests++;
    if (result.ok) {
      sent += items;
      hooks.accepted?.(items);
      if (result.rejected !== undefined) hooks.rejected(result.rejected.count, result.rejected.message);
      continue;
    }
    if (result.failure.kind === 'http' && result.failure.status === 413) {
      hooks.tooLarge(items, encoded?.byteLength);
      if (items > 1) {
        pending.unshift(...batching.halve(next));
        continue;
      }
      if (sent === 0) {
        return {
          ok: false,
          sent,
          failure: { ...result.failure, detail: `${result.failure.detail} (even a request of a single item was refused as too large)` },
        };
      }
      hooks.dropped(next);
      continue;
    }
    return { ok: false, failure: result.failure, sent };
  }
  return { ok: true, requests, sent };
}
