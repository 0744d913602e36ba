import { ownString } from '../diagnostics/ownString';

/** Why a whole recording call was not recorded. */
export type DropReason =
  | 'not_initialized'
  | 'invalid_name'
  | 'invalid_value'
  | 'invalid_label'
  | 'kind_mismatch'
  | 'metric_limit'
  | 'rate_limited';

/**
 * Why a label of a recorded call, or something a span was given, was changed or left out. `pii_redacted` counts
 * label values, span and event names, attribute values and messages alike.
 */
export type SanitizeReason =
  | 'label_value_truncated' | 'label_key_truncated' | 'label_value_coerced' | 'pii_redacted' | 'label_dropped'
  | 'span_attribute_truncated' | 'span_attribute_dropped' | 'span_link_dropped';

/** Why a recorded call went into a folded series: a value past its label's limit (`other`), or past the series limit. */
export type FoldReason = 'label_limit' | 'series_limit';

/** What was lost outside recording calls: spans, data points the collector refused, baggage entries. */
export type LossReason = 'span_queue_full' | 'span_export_failed' | 'export_too_large' | 'baggage_limit' | 'span_not_ended';

const DROP_REASONS: readonly DropReason[] = [
  'not_initialized', 'invalid_name', 'invalid_value', 'invalid_label', 'kind_mismatch', 'metric_limit', 'rate_limited',
];
const SANITIZE_REASONS: readonly SanitizeReason[] = [
  'label_value_truncated', 'label_key_truncated', 'label_value_coerced', 'pii_redacted', 'label_dropped',
  'span_attribute_truncated', 'span_attribute_dropped', 'span_link_dropped',
];
const FOLD_REASONS: readonly FoldReason[] = ['label_limit', 'series_limit'];
const LOSS_REASONS: readonly LossReason[] = ['span_queue_full', 'span_export_failed', 'export_too_large', 'baggage_limit', 'span_not_ended'];

/**
 * Counts what became of recording calls, and what was lost on the way out. Every recording call lands in exactly
 * one of `emitted`, `dropped` (by reason) and `sampledOut`; a folded call is emitted (its value counts in the
 * totals) and also counted under `folded`. Sanitising counts labels changed in calls that were recorded. Every
 * reason is a property that exists from the start, so counting is a plain increment on a fast object.
 */
export class DropCounters {
  /** Calls recorded (folded ones included). */
  emitted = 0;
  /** Calls left out by `emitWithOptions({ sampleRate })`. */
  sampledOut = 0;
  /** Calls dropped, by reason. */
  readonly dropped = zeroes(DROP_REASONS);
  /** Labels changed or left out in recorded calls, and span names, attributes and messages changed, by reason. */
  readonly sanitized = zeroes(SANITIZE_REASONS);
  /** Recorded calls that went into a folded series, by reason. */
  readonly folded = zeroes(FOLD_REASONS);
  /** Spans, data points and baggage entries lost outside recording calls, by reason. */
  readonly lost = zeroes(LOSS_REASONS);
  /** Errors seen outside recording calls, such as a listen error. */
  errors = 0;
  /** The most recent such error. */
  lastError: string | undefined;

  /** Counts a dropped call. */
  drop(reason: DropReason, count = 1): void {
    this.dropped[reason] += count;
  }

  /** Counts a changed or left-out label or span attribute. */
  sanitize(reason: SanitizeReason, count = 1): void {
    this.sanitized[reason] += count;
  }

  /** Counts a recorded call that went into a folded series. */
  fold(reason: FoldReason): void {
    this.folded[reason]++;
  }

  /** Counts items lost outside recording calls. */
  lose(reason: LossReason, count = 1): void {
    this.lost[reason] += count;
  }

  /** Records an error outside recording calls. */
  error(message: string): void {
    this.errors++;
    // Kept until the next error: bounded, and an owned copy (messages can quote what a caller passed).
    this.lastError = ownString(message.length > 500 ? `${message.slice(0, 500)}...` : message);
  }

  /** Calls dropped, all reasons together. */
  totalDropped(): number {
    let total = 0;
    for (const reason of DROP_REASONS) total += this.dropped[reason];
    return total;
  }

  /** The drop reasons that occurred, with their counts. */
  droppedByReason(): Record<string, number> {
    return nonZero(this.dropped);
  }

  /** The sanitising reasons that occurred, with their counts. */
  sanitizedByReason(): Record<string, number> {
    return nonZero(this.sanitized);
  }

  /** The fold reasons that occurred, with their counts. */
  foldedByReason(): Record<string, number> {
    return nonZero(this.folded);
  }

  /** The loss reasons that occurred, with their counts. */
  lostByReason(): Record<string, number> {
    return nonZero(this.lost);
  }
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  const counts = {} as Record<K, number>;
  for (const key of keys) counts[key] = 0;
  return counts;
}

function nonZero(counts: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(counts)) if (value !== 0) out[key] = value;
  return out;
}
