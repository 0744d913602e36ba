import type { Attributes, AttributeValue, Link } from '@opentelemetry/api';
import { REDACTED, type PiiRedactor } from '../protection/PiiRedactor';
import { setOwn } from '../protection/setOwn';
import { truncateToChars } from '../protection/truncate';
import type { DropCounters } from '../health/DropCounters';

/** The limits on what a span carries. */
export interface SpanLimits {
  /** Most characters of a string attribute value (and of each string in an array value). */
  attributeValueLengthLimit: number;
  /** Most attributes on a span, an event or a link. */
  attributeCountLimit: number;
}

/** Most characters of a span or event name; names are meant to be low-cardinality identifiers. */
const MAX_NAME_LENGTH = 1024;
/** Most characters of an exception or status message, and of an exception's stack trace. */
const MAX_MESSAGE_LENGTH = 4096;
const MAX_STACK_LENGTH = 16384;

/**
 * What a facade span is given goes through here before the SDK sees it: strings are cut to their limit first (to a
 * new string, so a 1 MB original is not kept alive) and then redacted when `piiRedaction` is on, so redaction always
 * runs on a bounded string. This covers attribute values (arrays too), span and event names, link attributes, and
 * exception and status messages. Attributes past the count limit are left out. Never throws: a value that cannot be
 * read is left out. What was cut, redacted or left out is counted (`span_attribute_truncated`, `pii_redacted`,
 * `span_attribute_dropped`), since the SDK only counts the attributes it drops itself.
 */
export class SpanSanitizer {
  constructor(
    private readonly limits: SpanLimits,
    private readonly redactor: PiiRedactor | null,
    private readonly counters: DropCounters | null = null,
  ) {}

  /** A span or event name, cut and redacted; `unnamed` for anything but a non-empty string. */
  name(name: unknown): string {
    if (typeof name !== 'string' || name === '') return 'unnamed';
    return this.text(name, MAX_NAME_LENGTH);
  }

  /** A message (exception, status), cut and redacted. */
  message(message: string): string {
    return this.text(message, MAX_MESSAGE_LENGTH);
  }

  /** One attribute value, cut and redacted; undefined (counted as dropped) when it is not a valid attribute value. */
  value(key: string, value: unknown): AttributeValue | undefined {
    if (typeof value === 'string') return this.string(key, value);
    if (typeof value === 'number' || typeof value === 'boolean') return value;
    if (Array.isArray(value)) {
      const out: (string | number | boolean | null | undefined)[] = [];
      for (const item of value as unknown[]) {
        if (typeof item === 'string') out.push(this.string(key, item));
        else if (typeof item === 'number' || typeof item === 'boolean' || item === null || item === undefined) out.push(item);
      }
      return out as AttributeValue;
    }
    if (value !== undefined && value !== null) this.counters?.sanitize('span_attribute_dropped');
    return undefined;
  }

  /** Attributes, each value cut and redacted, at most the count limit of them; a new object. */
  attributes(attributes: unknown): Attributes | undefined {
    if (attributes === undefined || attributes === null || typeof attributes !== 'object') return undefined;
    const out: Attributes = {};
    let count = 0;
    try {
      const keys = Object.keys(attributes);
      for (let i = 0; i < keys.length; i++) {
        if (count >= this.limits.attributeCountLimit) {
          this.counters?.sanitize('span_attribute_dropped', keys.length - i);
          break;
        }
        const key = keys[i];
        const value = this.value(key, (attributes as Record<string, unknown>)[key]);
        if (value === undefined) continue;
        setOwn(out, truncateToChars(key, MAX_NAME_LENGTH), value);
        count++;
      }
    } catch {
      // A hostile attributes object: what was read before it threw is kept.
    }
    return out;
  }

  /** Links with their attributes sanitised. */
  links(links: readonly Link[] | undefined): Link[] | undefined {
    if (!Array.isArray(links)) return undefined;
    return links.map((link: Link) => ({ context: link.context, attributes: this.attributes(link.attributes) }));
  }

  /**
   * The `exception` event's attributes for an error of any shape: type, message (cut and redacted) and stack trace
   * (cut, with its first line, which repeats the message, redacted the same way). Reads nothing that can throw.
   */
  exception(error: unknown): { attributes: Attributes; message: string } {
    let type = typeof error;
    let message = '';
    let stack: string | undefined;
    try {
      if (error !== null && typeof error === 'object') {
        const e = error as { name?: unknown; message?: unknown; stack?: unknown };
        if (typeof e.name === 'string') type = e.name as typeof type;
        if (typeof e.message === 'string') message = e.message;
        if (typeof e.stack === 'string') stack = e.stack;
      } else if (typeof error === 'string') {
        message = error;
      } else if (typeof error === 'number' || typeof error === 'boolean' || typeof error === 'bigint') {
        message = String(error);
      }
    } catch {
      // Getters that throw: keep what was read.
    }
    const safeMessage = this.message(message);
    const attributes: Attributes = { 'exception.type': this.text(String(type), MAX_NAME_LENGTH), 'exception.message': safeMessage };
    if (stack !== undefined) {
      const cut = truncateToChars(stack, MAX_STACK_LENGTH);
      const newline = cut.indexOf('\n');
      const first = newline === -1 ? cut : cut.slice(0, newline);
      const rest = newline === -1 ? '' : cut.slice(newline);
      attributes['exception.stacktrace'] = this.redactor !== null && this.redactor.redact(truncateToChars(first, MAX_MESSAGE_LENGTH)) === REDACTED
        ? `${String(type)}: ${REDACTED}${rest}`
        : cut;
    }
    return { attributes, message: safeMessage };
  }

  private string(key: string, value: string): string {
    return this.cutAndRedact(value, this.limits.attributeValueLengthLimit, key);
  }

  private text(value: string, max: number): string {
    return this.cutAndRedact(value, max, undefined);
  }

  private cutAndRedact(value: string, max: number, key: string | undefined): string {
    const cut = truncateToChars(value, max);
    if (cut !== value && key !== undefined) this.counters?.sanitize('span_attribute_truncated');
    if (this.redactor === null) return cut;
    const redacted = this.redactor.redact(cut, key);
    if (redacted === REDACTED && cut !== REDACTED) this.counters?.sanitize('pii_redacted');
    return redacted;
  }
}
