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
  | 'span_export_failed';

/** Why a label was changed before it was recorded. */
export type SanitizeReason = 'label_value_truncated' | 'label_value_coerced' | 'pii_redacted';

/**
 * Counts what the Registry dropped or changed, by reason, for `getHealth()`. Counting is a property increment,
 * cheap enough for the hot path.
 */
export class DropCounters {
  /** Calls recorded. */
  emitted = 0;
  /** Calls or label pairs dropped, by reason. */
  readonly dropped: Record<string, number> = Object.create(null) as Record<string, number>;
  /** Labels changed before recording, by reason. */
  readonly sanitized: Record<string, number> = Object.create(null) as Record<string, number>;
  /** Errors seen outside recording calls, such as failed exports. */
  errors = 0;
  /** The most recent such error. */
  lastError: string | undefined;

  drop(reason: DropReason, count = 1): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + count;
  }

  sanitize(reason: SanitizeReason, count = 1): void {
    this.sanitized[reason] = (this.sanitized[reason] ?? 0) + count;
  }

  error(message: string): void {
    this.errors++;
    this.lastError = message;
  }

  /** Total of every drop reason. */
  totalDropped(): number {
    let total = 0;
    for (const reason in this.dropped) total += this.dropped[reason];
    return total;
  }
}
