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
import type { PiiRedactor } from '../protection/PiiRedactor';

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
 * Our span over an OpenTelemetry span: the same operations under the minimal interface, with string attributes
 * redacted when `piiRedaction` is on.
 */
export class FacadeSpan implements Span {
  constructor(
    /** The OpenTelemetry span, for code that needs the full API. */
    readonly otelSpan: OTelSpan,
    private readonly redactor: PiiRedactor | null,
  ) {}

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
    this.otelSpan.setAttribute(key, this.redactor !== null && typeof value === 'string' ? this.redactor.redact(value) : value);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    this.otelSpan.setAttributes(redactAttributes(attributes, this.redactor) ?? {});
    return this;
  }

  addEvent(name: string, attributes?: Attributes): this {
    this.otelSpan.addEvent(name, redactAttributes(attributes, this.redactor));
    return this;
  }

  recordError(error: unknown): this {
    const exception = error instanceof Error ? error : new Error(String(error));
    this.otelSpan.recordException(exception);
    this.otelSpan.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
    return this;
  }

  setStatus(status: SpanStatus, message?: string): this {
    const code = status === 'error' ? SpanStatusCode.ERROR : status === 'ok' ? SpanStatusCode.OK : SpanStatusCode.UNSET;
    this.otelSpan.setStatus(code === SpanStatusCode.ERROR ? { code, message } : { code });
    return this;
  }

  end(endTime?: TimeInput): void {
    this.otelSpan.end(endTime);
  }

  isRecording(): boolean {
    return this.otelSpan.isRecording();
  }
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

/** Attributes with string values redacted, or the same object when nothing needs it. */
export function redactAttributes(attributes: Attributes | undefined, redactor: PiiRedactor | null): Attributes | undefined {
  if (attributes === undefined || redactor === null) return attributes;
  let out: Attributes | undefined;
  for (const key in attributes) {
    const value = attributes[key];
    if (typeof value !== 'string') continue;
    const redacted = redactor.redact(value);
    if (redacted !== value) (out ??= { ...attributes })[key] = redacted;
  }
  return out ?? attributes;
}
