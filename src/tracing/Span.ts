import {
  SpanStatusCode,
  type Attributes,
  type AttributeValue,
  type Context,
  type Link,
  type Span as OTelSpan,
  type SpanContext,
  type SpanKind,
  type TimeInput,
} from '@opentelemetry/api';
import type { SpanSanitizer } from './SpanSanitizer';

/** A status a span ends with. */
export type SpanStatus = 'ok' | 'error' | 'unset';

/**
 * The minimal span interface libraries can accept without depending on OpenTelemetry; `startSpan()` returns it, and
 * `noopTracer` hands out a no-op implementation.
 */
export interface Span {
  /** Sets one attribute. */
  setAttribute(key: string, value: AttributeValue): this;
  /** Sets several attributes. */
  setAttributes(attributes: Attributes): this;
  /** Adds a timestamped event. */
  addEvent(name: string, attributes?: Attributes): this;
  /** Records an error: an `exception` event and status ERROR with the error's message. */
  recordError(error: unknown): this;
  /** Sets the status; `error` takes an optional message. */
  setStatus(status: SpanStatus, message?: string): this;
  /** Ends the span; later calls do nothing. */
  end(endTime?: TimeInput): void;
  /** Whether the span is recorded (sampled in, and telemetry initialized). */
  isRecording(): boolean;
  /** The W3C trace ID, or undefined for a no-op span. */
  readonly traceId: string | undefined;
  /** The span ID, or undefined for a no-op span. */
  readonly spanId: string | undefined;
}

/** Options of `startSpan()` and `withSpan()`. */
export interface SpanOptions {
  /** SERVER, CLIENT, PRODUCER, CONSUMER or INTERNAL (the default). */
  kind?: SpanKind;
  /** Attributes set at start, visible to the sampler. */
  attributes?: Attributes;
  /** Links to other spans. */
  links?: Link[];
  /** Start time, when the operation began earlier. */
  startTime?: TimeInput;
  /** The parent context; the active context when absent. */
  parent?: Context;
  /** Start a new trace even when a span is active. */
  root?: boolean;
}

/**
 * Our span over an OpenTelemetry span: the same operations under the minimal interface. Everything it is given goes
 * through the runtime's `SpanSanitizer` (cut to its limit, then redacted when `piiRedaction` is on), and no method
 * throws, whatever it is given.
 */
export class FacadeSpan implements Span {
  /** Whether this span counts in `openSpans` until it ends. */
  private open: boolean;

  constructor(
    /** The OpenTelemetry span, for code that needs the full API. */
    readonly otelSpan: OTelSpan,
    private readonly sanitizer: SpanSanitizer,
    /** Counts the recording spans started and not yet ended, for shutdown to say what it could not export. */
    private readonly openSpans?: { count: number },
  ) {
    this.open = openSpans !== undefined && otelSpan.isRecording();
    if (this.open) (openSpans as { count: number }).count++;
  }

  get traceId(): string {
    return this.otelSpan.spanContext().traceId;
  }

  get spanId(): string {
    return this.otelSpan.spanContext().spanId;
  }

  /** The span context, for propagation. */
  spanContext(): SpanContext {
    return this.otelSpan.spanContext();
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (!this.otelSpan.isRecording()) return this;
    const safeKey = this.sanitizer.key(key);
    if (safeKey === undefined) return this;
    const safe = this.sanitizer.budgeted(() => this.sanitizer.value(safeKey, value));
    if (safe !== undefined) this.otelSpan.setAttribute(safeKey, safe);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    if (!this.otelSpan.isRecording()) return this;
    const safe = this.sanitizer.budgeted(() => this.sanitizer.attributes(attributes));
    if (safe !== undefined) this.otelSpan.setAttributes(safe);
    return this;
  }

  addEvent(name: string, attributes?: Attributes): this {
    if (!this.otelSpan.isRecording()) return this;
    this.otelSpan.addEvent(this.sanitizer.name(name), this.sanitizer.budgeted(() => this.sanitizer.attributes(attributes)));
    return this;
  }

  recordError(error: unknown): this {
    if (!this.otelSpan.isRecording()) return this;
    const { attributes, message } = this.sanitizer.exception(error);
    this.otelSpan.addEvent('exception', attributes);
    this.otelSpan.setStatus({ code: SpanStatusCode.ERROR, message });
    return this;
  }

  setStatus(status: SpanStatus, message?: string): this {
    const code = status === 'error' ? SpanStatusCode.ERROR : status === 'ok' ? SpanStatusCode.OK : SpanStatusCode.UNSET;
    this.otelSpan.setStatus(code === SpanStatusCode.ERROR
      ? { code, message: typeof message === 'string' ? this.sanitizer.message(message) : undefined }
      : { code });
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.open) {
      this.open = false;
      (this.openSpans as { count: number }).count--;
    }
    this.otelSpan.end(validTime(endTime));
  }

  isRecording(): boolean {
    return this.otelSpan.isRecording();
  }
}

/** A start or end time the SDK accepts (epoch ms, a Date, an HrTime), else undefined (now). */
export function validTime(time: unknown): TimeInput | undefined {
  if (typeof time === 'number' && Number.isFinite(time) && time >= 0) return time;
  if (time instanceof Date && Number.isFinite(time.getTime())) return time;
  if (Array.isArray(time) && time.length === 2 && Number.isInteger(time[0]) && Number.isInteger(time[1])) return time as [number, number];
  return undefined;
}

/** A span that does nothing: before initialize(), with telemetry disabled, and from `noopTracer`. */
class NoopSpan implements Span {
  readonly traceId = undefined;
  readonly spanId = undefined;
  setAttribute(): this {
    return this;
  }
  setAttributes(): this {
    return this;
  }
  addEvent(): this {
    return this;
  }
  recordError(): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  end(): void {}
  isRecording(): boolean {
    return false;
  }
}

/** The one shared no-op span. */
export const NOOP_SPAN: Span = new NoopSpan();

