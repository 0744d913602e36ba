import type { DropCounters } from '../health/DropCounters';
import type { Diagnostics } from '../diagnostics/Diagnostics';
import { FLAG_COERCED, FLAG_REDACTED, FLAG_TRUNCATED } from './SeriesLocator';
import { REDACTED, type PiiRedactor } from '../protection/PiiRedactor';

/** Labels of one call after sanitising: sorted, de-duplicated, ready to identify a series. */
export interface NormalizedLabels {
  /** Label keys in sorted order. */
  keys: string[];
  /** Label values, parallel to `keys`. */
  values: string[];
  /** FLAG_* bits describing what was changed. */
  flags: number;
  /** Whether the raw arguments may be cached as a path to the series (nothing was dropped, nothing huge). */
  cacheable: boolean;
}

/** Limits applied to the labels of every call. */
export interface LabelLimits {
  /** Label pairs kept per call. */
  maxLabelPairs: number;
  /** Characters kept per label value. */
  maxLabelValueLength: number;
}

/**
 * Turns the raw label arguments of a recording call into clean labels. Never throws: a dangling key, a key that
 * is not a non-empty string, or a value that cannot be a string drops that pair; numbers and booleans are
 * coerced; long values are truncated. Every change is counted and reported once, with how to fix it.
 */
export class LabelNormalizer {
  constructor(
    private readonly limits: LabelLimits,
    private readonly counters: DropCounters,
    private readonly diagnostics: Diagnostics,
    /** Redacts values that look like personal data, when `piiRedaction` is on. */
    private readonly redactor: PiiRedactor | null = null,
  ) {}

  normalize(metric: string, list: ArrayLike<unknown>, start: number): NormalizedLabels {
    const argc = list.length - start;
    let flags = 0;
    let cacheable = true;
    if ((argc & 1) !== 0) {
      cacheable = false;
      this.counters.drop('invalid_label');
      this.diagnostics.warnOnce(`odd_labels:${metric}`,
        `${metric}: labels are key/value pairs but ${argc} label arguments were given; the unpaired key ` +
          `${describe(list[list.length - 1])} was dropped. Pass labels as 'key', 'value', 'key', 'value'.`);
    }
    const byKey = new Map<string, string>();
    const pairs = argc >> 1;
    for (let p = 0; p < pairs; p++) {
      const rawKey = list[start + 2 * p];
      const rawValue = list[start + 2 * p + 1];
      if (p >= this.limits.maxLabelPairs) {
        cacheable = false;
        this.counters.drop('invalid_label', pairs - p);
        this.diagnostics.warnOnce(`label_limit:${metric}`,
          `${metric}: ${pairs} label pairs given, at most ${this.limits.maxLabelPairs} are kept; the rest were ` +
            'dropped. Use fewer labels (or raise maxLabelPairs).');
        break;
      }
      if (typeof rawKey !== 'string' || rawKey === '') {
        cacheable = false;
        this.counters.drop('invalid_label');
        this.diagnostics.warnOnce(`label_key:${metric}`,
          `${metric}: label key ${describe(rawKey)} is not a non-empty string; that pair was dropped.`);
        continue;
      }
      let value: string;
      if (typeof rawValue === 'string') {
        value = rawValue;
      } else if (typeof rawValue === 'number' || typeof rawValue === 'boolean' || typeof rawValue === 'bigint') {
        value = String(rawValue);
        flags |= FLAG_COERCED;
        this.diagnostics.warnOnce(`label_coerced:${metric}:${rawKey}`,
          `${metric}: label '${rawKey}' has a ${typeof rawValue} value; it was recorded as the string '${value}'. ` +
            'Pass label values as strings.');
      } else {
        cacheable = false;
        this.counters.drop('invalid_label');
        this.diagnostics.warnOnce(`label_value:${metric}:${rawKey}`,
          `${metric}: label '${rawKey}' has a value of type ${rawValue === null ? 'null' : typeof rawValue}; ` +
            'that pair was dropped. Pass label values as strings.');
        continue;
      }
      if (this.redactor !== null && this.redactor.redact(value) === REDACTED) {
        // Redacted before the limiter, the series table and the exporter see it. The path of the raw value may be
        // cached: it leads to the `[REDACTED]` series, and repeated calls then skip the check entirely.
        value = REDACTED;
        flags |= FLAG_REDACTED;
      }
      if (value.length > this.limits.maxLabelValueLength) {
        if (value.length > 4 * this.limits.maxLabelValueLength) cacheable = false;
        flags |= FLAG_TRUNCATED;
        this.diagnostics.warnOnce(`label_truncated:${metric}:${rawKey}`,
          `${metric}: label '${rawKey}' has a value of ${value.length} characters; it was truncated to ` +
            `${this.limits.maxLabelValueLength}. Long values are rarely useful labels: record an identifier instead.`);
        value = value.slice(0, this.limits.maxLabelValueLength);
      }
      byKey.set(rawKey, value);
    }
    const keys = [...byKey.keys()].sort();
    const values = keys.map((key) => byKey.get(key) as string);
    return { keys, values, flags, cacheable };
  }
}

/** The identity of a label set, unambiguous whatever the characters in keys and values. */
export function seriesKey(keys: readonly string[], values: readonly string[]): string {
  let key = '';
  for (let i = 0; i < keys.length; i++) key += `${keys[i].length}:${keys[i]}=${values[i].length}:${values[i]};`;
  return key;
}

/** Builds the exported attributes of a label set. */
export function toAttributes(keys: readonly string[], values: readonly string[]): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let i = 0; i < keys.length; i++) attributes[keys[i]] = values[i];
  return attributes;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}
