import { createTraceState, isSpanContextValid, type Attributes, type AttributeValue, type Link, type SpanContext } from '@opentelemetry/api';
import { REDACTED, type PiiRedactor } from '../protection/PiiRedactor';
import { ownString } from '../diagnostics/ownString';
import { setOwn } from '../config/setOwn';
import { truncateToChars } from '../protection/truncate';
import type { DropCounters } from '../health/DropCounters';

/** The limits on what a span carries. */
export interface SpanLimits {
  /** Most characters of a string attribute value (and of each string in an array value). */
  attributeValueLengthLimit: number;
  /** Most attributes on a span, an event or a link. */
  attributeCountLimit: number;
  /** Most events on a span (the SDK drops the oldest past it). */
  eventCountLimit?: number;
  /** Most links on a span; further ones are left out, and counted. */
  linkCountLimit?: number;
}

/** Most characters of a span or event name, or of an attribute key; names are meant to be low-cardinality identifiers. */
const MAX_NAME_LENGTH = 1024;
/** Most items of an array attribute value read; the rest are left out (a sparse array may claim 2^32 - 1). */
const MAX_ARRAY_ITEMS = 1024;
/** Most links of a span read (the SDK's own default link count limit). */
const MAX_LINKS = 128;
/**
 * Most characters of attribute strings one operation (starting a span, setting attributes, adding an event) has
 * checked for personal data; strings past it are left out (counted). Cutting and checking a string not seen before
 * costs up to about 80 ns a character, so 64 K characters (16 attribute values of 4 KB) bound an operation to a few
 * milliseconds, where 32 attributes each an array of 1,024 strings of 4 KB took 7 s. Without redaction nothing is
 * scanned and nothing is left out.
 */
const MAX_SCANNED_CHARS = 64 * 1024;
/** Most characters of a link's serialised trace state (the W3C limit an implementation must be able to propagate). */
const MAX_TRACE_STATE_LENGTH = 512;
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
  /** Characters the current operation may still have checked; Infinity outside `budgeted()`. */
  private budget = Infinity;

  constructor(
    private readonly limits: SpanLimits,
    private readonly redactor: PiiRedactor | null,
    private readonly counters: DropCounters | null = null,
  ) {}

  /** Runs one operation's sanitising (a span's attributes and links, a setAttributes call) within one scanning budget. */
  budgeted<T>(operation: () => T): T {
    const opened = this.openBudget();
    try {
      return operation();
    } finally {
      this.closeBudget(opened);
    }
  }

  /**
   * Opens one operation's scanning budget, unless one is open already (then the operation is part of it); returns
   * whether it opened one, for `closeBudget`. For hot callers that must not allocate a closure for `budgeted`.
   */
  openBudget(): boolean {
    if (this.budget !== Infinity) return false;
    this.budget = MAX_SCANNED_CHARS;
    return true;
  }

  /** Closes the budget `openBudget` opened (a no-op when it opened none). */
  closeBudget(opened: boolean): void {
    if (opened) this.budget = Infinity;
  }

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
    try {
      if (typeof value === 'string') {
        const text = this.string(key, value);
        if (text !== undefined) return text;
      }
      if (typeof value === 'number' || typeof value === 'boolean') return value;
      if (Array.isArray(value)) {
        const array = this.array(key, value);
        if (array !== undefined) return array;
      }
    } catch {
      // A hostile value (a proxy, a throwing index getter): left out below.
    }
    if (value !== undefined && value !== null) this.counters?.sanitize('span_attribute_dropped');
    return undefined;
  }

  /**
   * An attribute key, cut to its limit; undefined when it is not a non-empty string, or (counted) when it looks like
   * personal data: a key cannot be replaced by `[REDACTED]` without colliding, so that attribute is left out.
   */
  key(key: unknown): string | undefined {
    if (typeof key !== 'string' || key === '') return undefined;
    const cut = truncateToChars(key, MAX_NAME_LENGTH);
    if (this.redactor !== null && this.redactor.redactTruncated(cut, key) === REDACTED) {
      this.counters?.sanitize('pii_redacted');
      return undefined;
    }
    return cut === key ? ownString(key) : cut;
  }

  /** Attributes, each key and value cut and redacted, at most the count limit of them; a new plain object. */
  attributes(attributes: unknown): Attributes | undefined {
    if (attributes === undefined || attributes === null || typeof attributes !== 'object') return undefined;
    const out: Attributes = {};
    let keys: string[];
    try {
      keys = Object.keys(attributes);
    } catch {
      return out; // a proxy whose ownKeys trap throws
    }
    let count = 0;
    for (let i = 0; i < keys.length; i++) {
      if (count >= this.limits.attributeCountLimit) {
        this.counters?.sanitize('span_attribute_dropped', keys.length - i);
        break;
      }
      const key = this.key(keys[i]);
      if (key === undefined) continue;
      let raw: unknown;
      try {
        raw = (attributes as Record<string, unknown>)[keys[i]];
      } catch {
        this.counters?.sanitize('span_attribute_dropped'); // a getter that throws
        continue;
      }
      const value = this.value(key, raw);
      if (value === undefined) continue;
      setOwn(out, key, value);
      count++;
    }
    return out;
  }

  /**
   * Links, at most 128, each with a valid span context (copied, so getters run once) and sanitised attributes; a
   * link that cannot be read or has no valid context is left out and counted (`span_link_dropped`).
   */
  links(links: unknown): Link[] | undefined {
    let length: number;
    try {
      if (!Array.isArray(links)) return undefined;
      length = links.length;
    } catch {
      return undefined;
    }
    const out: Link[] = [];
    const n = Math.min(length, this.limits.linkCountLimit ?? MAX_LINKS, MAX_LINKS);
    for (let i = 0; i < n; i++) {
      const link = this.link(links, i);
      if (link !== undefined) out.push(link);
      else if (this.present(links, i)) this.counters?.sanitize('span_link_dropped'); // a hole is no link
    }
    if (length > n) this.counters?.sanitize('span_link_dropped', this.presentAfter(links as unknown[], n, length));
    return out;
  }

  /**
   * The `exception` event's attributes for an error of any shape: type, message (cut and redacted) and stack trace
   * (cut, and redacted line by line). Reads nothing that can throw.
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
      const messageRedacted = safeMessage === REDACTED && message !== REDACTED && message !== '';
      attributes['exception.stacktrace'] = this.stackTrace(stack, messageRedacted ? message : undefined);
    }
    return { attributes, message: safeMessage };
  }

  /**
   * A stack trace cut to 16 KB, redacted: the error's message where the stack repeats it (`redactedMessage`, which
   * was redacted as a whole, and may span lines, so that no line of it alone gives it away), then each line that
   * looks personal replaced by `[REDACTED]` (frames may carry paths or URLs), the last one judged with what followed
   * the cut. Linear in the cut.
   */
  private stackTrace(stack: string, redactedMessage: string | undefined): string {
    if (this.redactor === null) return truncateToChars(stack, MAX_STACK_LENGTH);
    let text = stack;
    if (redactedMessage !== undefined && redactedMessage.length <= MAX_STACK_LENGTH) {
      // Where V8 puts it: after the name, within the first line or so.
      const at = text.slice(0, redactedMessage.length + MAX_NAME_LENGTH + 8).indexOf(redactedMessage);
      if (at !== -1) text = `${text.slice(0, at)}${REDACTED}${text.slice(at + redactedMessage.length)}`;
    }
    const cut = truncateToChars(text, MAX_STACK_LENGTH);
    const lines = cut.split('\n');
    let changed = text !== stack;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const last = i === lines.length - 1 && cut.length < text.length;
      const verdict = last ? this.redactor.redactTruncated(line, text.slice(cut.length - line.length)) : this.redactor.redact(line);
      if (verdict === REDACTED && line !== REDACTED) {
        lines[i] = REDACTED;
        changed = true;
      }
    }
    return changed ? lines.join('\n') : cut;
  }

  /**
   * How many entries a list holds from `from` on, looking at 1,024 at most: the links left out past the limit are
   * counted as such, not the holes of a sparse array that claims 2^32 - 1 of them.
   */
  private presentAfter(list: readonly unknown[], from: number, length: number): number {
    let present = 0;
    for (let i = from, end = Math.min(length, from + 1024); i < end; i++) if (this.present(list, i)) present++;
    return present;
  }

  /** Whether a list holds something at `i` (a hole, or an item that cannot be read, is nothing). */
  private present(list: readonly unknown[], i: number): boolean {
    try {
      return list[i] !== undefined;
    } catch {
      return false;
    }
  }

  private link(links: readonly unknown[], i: number): Link | undefined {
    try {
      const raw = links[i] as { context?: unknown; attributes?: unknown } | null | undefined;
      if (raw === null || typeof raw !== 'object') return undefined;
      const context = this.spanContext(raw.context);
      return context === undefined ? undefined : { context, attributes: this.attributes(raw.attributes) };
    } catch {
      return undefined;
    }
  }

  /** A copy of a span context with valid IDs, or undefined. May throw on hostile IDs (the caller catches). */
  private spanContext(raw: unknown): SpanContext | undefined {
    if (raw === null || typeof raw !== 'object') return undefined;
    const given = raw as Partial<SpanContext>;
    const context: SpanContext = {
      traceId: String(given.traceId),
      spanId: String(given.spanId),
      traceFlags: typeof given.traceFlags === 'number' && Number.isInteger(given.traceFlags) ? given.traceFlags & 0xff : 0,
      isRemote: given.isRemote === true,
    };
    if (!isSpanContextValid(context)) return undefined;
    try {
      const state = given.traceState;
      if (state !== undefined && state !== null && typeof state.serialize === 'function') {
        const serialized: unknown = state.serialize();
        if (typeof serialized === 'string' && serialized.length <= MAX_TRACE_STATE_LENGTH) context.traceState = createTraceState(serialized);
      }
    } catch {
      // A trace state that cannot be read is left out; the link stands without it.
    }
    return context;
  }

  /**
   * An array value: at most 1,024 items read by index (no iterator, so a sparse or proxied array costs no more),
   * strings cut and redacted. Undefined when its items are not all of one type (string, number or boolean; null and
   * undefined anywhere), as OpenTelemetry requires; the SDK would drop it without counting.
   */
  private array(key: string, value: readonly unknown[]): AttributeValue | undefined {
    const length = value.length;
    const n = Math.min(length, MAX_ARRAY_ITEMS);
    const out: (string | number | boolean | null)[] = [];
    let kind: string | undefined;
    for (let i = 0; i < n; i++) {
      const item = value[i];
      if (item === null || item === undefined) {
        out.push(null);
        continue;
      }
      const type = typeof item;
      if (type !== 'string' && type !== 'number' && type !== 'boolean') return undefined;
      if (kind === undefined) kind = type;
      else if (type !== kind) return undefined;
      if (type === 'string') {
        const text = this.string(key, item as string);
        if (text === undefined) {
          // Past the operation's scanning budget: the array ends here (left out whole if nothing fit).
          if (out.length === 0) return undefined;
          this.counters?.sanitize('span_attribute_truncated');
          return out as AttributeValue;
        }
        out.push(text);
      } else {
        out.push(item as number | boolean);
      }
    }
    if (length > n) this.counters?.sanitize('span_attribute_truncated');
    return out as AttributeValue;
  }

  /** An attribute string, cut and redacted; undefined when the operation's scanning budget cannot cover it. */
  private string(key: string, value: string): string | undefined {
    if (this.redactor !== null) {
      const scanned = Math.min(value.length, this.limits.attributeValueLengthLimit);
      if (scanned > this.budget) return undefined;
      this.budget -= scanned;
    }
    return this.cutAndRedact(value, this.limits.attributeValueLengthLimit, key);
  }

  private text(value: string, max: number): string {
    return this.cutAndRedact(value, max, undefined);
  }

  /**
   * Cuts `value` to `max` characters (a copy), then redacts it, judging by the cut plus a little of what follows,
   * so that a cut through an e-mail address or a card number does not leave most of it behind, unrecognisable.
   */
  private cutAndRedact(value: string, max: number, key: string | undefined): string {
    const cut = truncateToChars(value, max);
    if (cut !== value && key !== undefined) this.counters?.sanitize('span_attribute_truncated');
    // What is kept (queued for export with the span) is an owned copy: an uncut value may be a slice of a larger
    // string, which it would keep alive until the span is exported.
    const kept = cut === value ? ownString(value) : cut;
    if (this.redactor === null) return kept;
    const redacted = this.redactor.redactTruncated(kept, value, key);
    if (redacted === REDACTED && kept !== REDACTED) this.counters?.sanitize('pii_redacted');
    return redacted;
  }
}
