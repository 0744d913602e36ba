import { isTooLarge, type ExportFailure } from './ExportFailure';
import type { ExportSink } from './ExportSink';
import { nextTurn } from './nextTurn';
import type { RequestLimit } from './RequestLimit';
import type { RequestPacer } from './RequestPacer';

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
   * The collector refused a request of `items` items and `bytes` bytes as too large (HTTP 413, or gRPC
   * RESOURCE_EXHAUSTED over its message size). Called for every
   * such answer; a request of more than one item is then split.
   */
  tooLarge(items: number, bytes: number | undefined): void;
  /** The collector refused a single item as too large while it took others: it cannot be sent and was dropped. */
  dropped(batch: T): void;
  /** A request of `items` items encoded over the byte limit and was split before sending. */
  oversized?(items: number): void;
  /** The collector accepted a request but rejected part of it. */
  rejected(count: number, message: string): void;
  /** The collector accepted `batch`, a request of `items` items. */
  accepted?(items: number, batch: T): void;
}

/**
 * The outcome of delivering one batch: sent in full (possibly split), or the failure that stopped it; `sent` counts
 * the items of requests the collector accepted.
 */
export type Delivery =
  | { readonly ok: true; readonly requests: number; readonly sent: number }
  | { readonly ok: false; readonly failure: ExportFailure; readonly sent: number };

/**
 * A single item of at most this many bytes refused as too large, before anything was accepted, means the collector
 * refuses everything: no collector's limit is that small. Larger ones may be outliers, whatever their number.
 */
const SMALL_ITEM_BYTES = 4096;
/** Single items refused alone, with nothing accepted, after which the delivery gives up whatever their size. */
const REFUSED_ALONE_LIMIT = 32;

/**
 * Sends `batch` through `sink` as one or more requests, within `limit` (learned from the collector's 413 answers).
 * A request over the limit in items, or encoding to more than its bytes, is split in halves before it is sent (a
 * turn of the event loop between two encodings, so splitting never stacks them up); one the collector refuses as
 * too large (HTTP 413) is split and its halves sent in its place, and the limit lowered. A single item refused as
 * too large is an outlier once anything else got through: it is dropped, and the rest delivered. While nothing has
 * got through yet, the next requests are single items. A small one (4 KB or less) refused too means the collector
 * refuses everything, whatever the size, and the delivery fails (in a logarithmic number of requests, not one per
 * item), with the limit put back as it was; large ones refused alone are outliers, up to 32 of them in a row. Any other failure stops the delivery, since the next request would most likely
 * fail the same way.
 */
export async function deliver<T>(
  batch: T,
  batching: Batching<T>,
  sink: ExportSink<T>,
  limit: RequestLimit,
  deadlineAt: number,
  hooks: DeliveryHooks<T>,
  /** Shared by the requests of one export: stops it when too little time is left for another. */
  pacer?: RequestPacer,
): Promise<Delivery> {
  const pending: T[] = [batch];
  const before = limit.mark();
  const refusedAlone: T[] = [];
  let requests = 0;
  let sent = 0;
  let encodings = 0;
  while (pending.length > 0) {
    const next = pending.shift() as T;
    const items = batching.size(next);
    if (items === 0) continue;
    const probing = sent === 0 && refusedAlone.length > 0;
    if (items > 1 && (probing || items > limit.items)) {
      pending.unshift(...batching.halve(next));
      continue;
    }
    if (encodings++ > 0) await nextTurn();
    const encoded = sink.encode?.(next);
    if (encoded !== undefined && encoded.byteLength > limit.bytes && items > 1) {
      hooks.oversized?.(items);
      pending.unshift(...batching.halve(next));
      continue;
    }
    if (items === 1 && encoded !== undefined && limit.knownTooLarge(encoded.byteLength)) {
      // The collector refused an item this large lately: not sent again to be refused again.
      hooks.dropped(next);
      continue;
    }
    if (pacer !== undefined && !pacer.allows()) return { ok: false, sent, failure: pacer.stopped(sent) };
    const result = pacer === undefined ? await sink.send(next, encoded, deadlineAt) : await pacer.time(() => sink.send(next, encoded, deadlineAt));
    requests++;
    if (result.ok) {
      sent += items;
      limit.accepted();
      hooks.accepted?.(items, next);
      if (result.rejected !== undefined) hooks.rejected(result.rejected.count, result.rejected.message);
      // Items refused alone before were outliers, now that the collector takes requests.
      for (const refused of refusedAlone.splice(0)) hooks.dropped(refused);
      continue;
    }
    const failure = result.failure;
    if (isTooLarge(failure)) {
      limit.refused(items, encoded?.byteLength);
      hooks.tooLarge(items, encoded?.byteLength);
      if (items > 1) {
        pending.unshift(...batching.halve(next));
        continue;
      }
      if (sent > 0) {
        hooks.dropped(next);
        continue;
      }
      refusedAlone.push(next);
      // Sizes unknown (an exporter given by the application): three refused in a row decide.
      const small = encoded === undefined ? refusedAlone.length >= 3 : encoded.byteLength <= SMALL_ITEM_BYTES;
      if (!small && refusedAlone.length < REFUSED_ALONE_LIMIT && pending.length > 0) continue;
      limit.restore(before);
      const size = encoded === undefined ? '' : ` of ${encoded.byteLength} bytes`;
      const why = refusedAlone.length === 1 && pending.length === 0
        ? `even a request of a single item${size} was refused as too large`
        : `the collector refused every request as too large, even single items${size}`;
      return { ok: false, sent, failure: { ...failure, detail: `${failure.detail} (${why})` } };
    }
    if (failure.kind === 'timeout' && sent > 0) {
      // Earlier requests used up the export's time: say so, or "no answer within 2 ms" reads like a broken collector.
      return { ok: false, sent, failure: { ...failure, detail: `${failure.detail}, after ${sent} items of this export had gone through in ${requests - 1} requests` } };
    }
    return { ok: false, failure, sent };
  }
  return { ok: true, requests, sent };
}
