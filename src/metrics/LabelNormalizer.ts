import type { Diagnostics } from '../diagnostics/Diagnostics';
import { REDACTED, type PiiRedactor } from '../protection/PiiRedactor';
import { ownString } from '../diagnostics/ownString';
import { truncateToBytes } from '../protection/truncate';
import { wellFormed } from '../config/printable';
import { FLAG_COERCED, FLAG_DROPPED, FLAG_KEY_TRUNCATED, FLAG_REDACTED, FLAG_TRUNCATED } from './SeriesLocator';

/** A label value as a series keeps and exports it. */
export type LabelAttributeValue = string | number | boolean;

/** Labels of one call after sanitising: sorted, de-duplicated, ready to identify a series. */
export interface NormalizedLabels {
  /** Label keys in sorted order. */
  keys: string[];
  /**
   * Label values, parallel to `keys`: strings, and finite numbers and booleans as given (exported with their
   * type, as OpenTelemetry attributes: `http.response.status_code` is an integer).
   */
  values: LabelAttributeValue[];
  /** FLAG_* bits describing what was changed. */
  flags: number;
  /**
   * Whether the raw arguments may be cached as a path to the series: not when a key or value was truncated (the
   * cache would keep the long original alive) or a pair was dropped. A redacted value is cacheable but maps many
   * raw values onto one series, so the caller caches it only while the cache has room to spare (FLAG_REDACTED).
   */
  cacheable: boolean;
}

/** Limits applied to the labels of every call. */
export interface LabelLimits {
  /** Label pairs kept per call. */
  maxLabelPairs: number;
  /** UTF-8 bytes kept per label value. */
  maxLabelValueLength: number;
  /** UTF-8 bytes kept per label key. */
  maxLabelKeyLength: number;
}

/**
 * Turns the raw label arguments of a recording call into clean labels. Never throws: a dangling key, a key that
 * is not a non-empty string, or a value that cannot be a string drops that pair; numbers and booleans are
 * coerced; long keys and values are truncated (to new strings, so the originals are not kept alive) before
 * anything else looks at them; values that look like personal data are redacted. Every change is reported once,
 * with how to fix it, and flagged (FLAG_*) for the caller to count once per call.
 */
export class LabelNormalizer {
  constructor(
    private readonly limits: LabelLimits,
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
      flags |= FLAG_DROPPED;
      this.diagnostics.warnOnce(`odd_labels:${metric}`,
        `${metric}: labels are key/value pairs but ${argc} label arguments were given; the unpaired key ` +
          `${describe(list[list.length - 1])} was dropped. Pass labels as 'key', 'value', 'key', 'value'.`);
    }
    // Parallel arrays, not a Map: a handful of pairs, and this runs for every new series.
    const keys: string[] = [];
    const values: LabelAttributeValue[] = [];
    const pairs = argc >> 1;
    for (let p = 0; p < pairs; p++) {
      if (p >= this.limits.maxLabelPairs) {
        cacheable = false;
        flags |= FLAG_DROPPED;
        this.diagnostics.warnOnce(`label_limit:${metric}`,
          `${metric}: ${pairs} label pairs given, at most ${this.limits.maxLabelPairs} are kept; the rest were ` +
            'dropped. Use fewer labels (or raise maxLabelPairs).');
        break;
      }
      const given = list[start + 2 * p];
      const rawValue = list[start + 2 * p + 1];
      if (typeof given !== 'string' || given === '') {
        cacheable = false;
        flags |= FLAG_DROPPED;
        this.diagnostics.warnOnce(`label_key:${metric}`,
          `${metric}: label key ${describe(given)} is not a non-empty string; that pair was dropped.`);
        continue;
      }
      let key = this.wellFormed(metric, given);
      if (key !== given) flags |= FLAG_COERCED;
      if (key.length * 3 > this.limits.maxLabelKeyLength) {
        const cut = truncateToBytes(key, this.limits.maxLabelKeyLength);
        if (cut !== key) {
          cacheable = false;
          flags |= FLAG_KEY_TRUNCATED;
          this.diagnostics.warnOnce(`label_key_truncated:${metric}`,
            `${metric}: a label key of ${key.length} characters was truncated to ${this.limits.maxLabelKeyLength} bytes ` +
              `('${cut.slice(0, 40)}...'). Label keys are names: keep them short and fixed.`);
          key = cut;
        }
      }
      // A key that looks personal cannot become `[REDACTED]` (keys would collide): the pair is left out.
      if (this.redactor !== null && this.redactor.redactTruncated(key, given) === REDACTED) {
        flags |= FLAG_REDACTED;
        this.diagnostics.warnOnce(`label_key_redacted:${metric}`,
          `${metric}: a label key looked like personal data and that pair was left out. Label keys are names: keep data in values.`);
        continue;
      }
      let value: string;
      if (typeof rawValue === 'string') {
        value = rawValue;
      } else if ((typeof rawValue === 'number' && Number.isFinite(rawValue) && (Number.isSafeInteger(rawValue) || !Number.isInteger(rawValue)))
        || typeof rawValue === 'boolean') {
        // Kept with its type; redaction still judges its text (a card number given as a number is still one).
        const text = String(rawValue);
        if (this.redactor !== null && this.redactor.redact(text, key) === REDACTED) {
          flags |= FLAG_REDACTED;
          insertSorted(keys, values, ownString(key), REDACTED);
        } else {
          insertSorted(keys, values, ownString(key), rawValue);
        }
        continue;
      } else if (typeof rawValue === 'number' || typeof rawValue === 'bigint') {
        // NaN, the infinities, integers past 2^53 (OTLP/JSON would write them as out-of-range int64) and bigints:
        // their text.
        value = String(rawValue);
        flags |= FLAG_COERCED;
      } else {
        cacheable = false;
        flags |= FLAG_DROPPED;
        this.diagnostics.warnOnce(`label_value:${metric}:${key}`,
          `${metric}: label '${key}' has a value of type ${rawValue === null ? 'null' : typeof rawValue}; ` +
            'that pair was dropped. Pass label values as strings, numbers or booleans.');
        continue;
      }
      const formed = this.wellFormed(metric, value);
      if (formed !== value) {
        flags |= FLAG_COERCED;
        value = formed;
      }
      const untruncated = value;
      if (value.length * 3 > this.limits.maxLabelValueLength) {
        const cut = truncateToBytes(value, this.limits.maxLabelValueLength);
        if (cut !== value) {
          cacheable = false;
          flags |= FLAG_TRUNCATED;
          this.diagnostics.warnOnce(`label_truncated:${metric}:${key}`,
            `${metric}: label '${key}' has a value of ${value.length} characters; it was truncated to ` +
              `${this.limits.maxLabelValueLength} bytes. Long values are rarely useful labels: record an identifier instead.`);
          value = cut;
        }
      }
      // Redaction sees only the truncated value (and a little of what followed it), so its cost is bounded whatever
      // the caller passed.
      if (this.redactor !== null && this.redactor.redactTruncated(value, untruncated, key) === REDACTED) {
        value = REDACTED;
        flags |= FLAG_REDACTED;
      }
      // Owned copies: these strings key the series, the limiter and the path to them for as long as the series
      // lives, and must not keep alive a larger string they were sliced from (a request body, say).
      insertSorted(keys, values, ownString(key), ownString(value));
    }
    return { keys, values, flags, cacheable };
  }

  /**
   * A key or value as it is exported: unpaired surrogates become U+FFFD, as every UTF-8 encoder writes them, so that
   * `'\ud800'` and `'\ufffd'` are one series here as they are one on the wire (counted as coerced, said once).
   */
  private wellFormed(metric: string, text: string): string {
    const formed = wellFormed(text);
    if (formed !== text) {
      this.diagnostics.warnOnce(`label_unpaired_surrogate:${metric}`,
        `${metric}: a label key or value held an unpaired UTF-16 surrogate (half of an emoji or a cut string); it ` +
          'was replaced by U+FFFD, as UTF-8 encoders write it. Cut strings by code point, not by UTF-16 unit.');
    }
    return formed;
  }
}

/**
 * Inserts a pair into parallel arrays kept sorted by key (code unit order, as `Array.prototype.sort`); a key given
 * twice keeps its last value. Linear per pair, and the pairs are bounded by maxLabelPairs.
 */
function insertSorted(keys: string[], values: LabelAttributeValue[], key: string, value: LabelAttributeValue): void {
  let i = keys.length;
  while (i > 0 && keys[i - 1] > key) i--;
  if (i > 0 && keys[i - 1] === key) {
    values[i - 1] = value;
    return;
  }
  if (i === keys.length) {
    keys.push(key);
    values.push(value);
  } else {
    keys.splice(i, 0, key);
    values.splice(i, 0, value);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : typeof value === 'symbol' ? 'a symbol' : safeString(value);
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}
