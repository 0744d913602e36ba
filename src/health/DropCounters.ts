/** Why a recording call, or part of it, was not recorded as given. */
export type DropReason =
  | 'not_initialized'
  | 'invalid_name'
  | 'invalid_value'
  | 'invalid_label'
  | 'kind_mismatch'
  | 'metric_limit'
  | 'rate_limited'
  | 'cardinality'
  | 'span_queue_full'
  | 'span_export_failed'
  | 'export_too_large'
  | 'baggage_limit';

/** Why a label was changed before it was recorded. */
export type SanitizeReason = 'label_value_truncated' | 'label_value_coerced' | 'pii_redacted';

const DROP_REASONS: readonly DropReason[] = [
  'not_initialized', 'invalid_name', 'invalid_value', 'invalid_label', 'kind_mismatch', 'metric_limit',
  'rate_limited', 'cardinality', 'span_queue_full', 'span_export_failed', 'export_too_large', 'baggage_limit',
];
const SANITIZE_REASONS: readonly SanitizeReason[] = ['label_value_truncated', 'label_value_coerced', 'pii_redacted'];

/**
 * Counts what the metric store and the pipelines dropped or changed, by reason, for `getHealth()`. Every reason is a property that exists
 * from the start, so counting is a plain increment on a fast object, cheap enough for the hot path.
 */
export class DropCounters {
  /** Calls recorded. */
  emitted = 0;
  /** Calls or label pairs dropped, by reason. */
  readonly dropped = zeroes(DROP_REASONS);
  /** Labels changed before recording, by reason. */
  readonly sanitized = zeroes(SANITIZE_REASONS);
  /** Errors seen outside recording calls, such as failed exports. */
  errors = 0;
  /** The most recent such error. */
  lastError: string | undefined;

  drop(reason: DropReason, count = 1): void {
    this.dropped[reason] += count;
  }

  sanitize(reason: SanitizeReason, count = 1): void {
    this.sanitized[reason] += count;
  }

  error(message: string): void {
    this.errors++;
    this.lastError = message;
  }

  /** Total of every drop reason. */
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
