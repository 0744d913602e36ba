import { context, trace, TraceFlags, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ExemplarFilterName } from '../config/TelemetryConfig';
import { ownString } from '../diagnostics/ownString';
import type { ExemplarSampler } from '../metrics/ExemplarReservoirs';

/**
 * Which measurements become exemplars, by the specification's filters: `trace_based` (the default) takes the
 * measurements recorded while a valid, sampled span is active; `always_on` takes every measurement, with the active
 * span's ids when there is one (sampled or not); `always_off` none. It is the store's `ExemplarSampler`, injected by
 * the runtime so that the store reads no context.
 *
 * **The gate.** Reading the active context costs a few tens of nanoseconds, and most recordings in production happen
 * with no sampled span alive (0.1% of requests are sampled). Under `trace_based`, `open` counts the sampled spans of
 * our TracerProvider that started and have not ended (its span processor, `processor`, keeps the count), so while
 * there are none a recording checks one field and never reads the context. Unsampled roots decided early
 * (`rootDecision`) and spans the sampler drops never reach the processors, and need not: they give no exemplar. A
 * sampled span context in the active context with no local span of ours alive (a remote parent made active by hand,
 * or a span of another TracerProvider) is not seen; a span never ended keeps the gate open, which costs time only.
 *
 * **Hostile span contexts.** A span in the context may be the application's own object (its own propagator or
 * Span class): everything is read through a guard, and ids are used only when they are 32 and 16 hex digits and not
 * all zero, lowercased and copied (a slice of a large header must not be kept alive by an exemplar). The result is
 * kept for the last context (and span context) object seen, so the recordings within one span read its ids once.
 */
export class ExemplarFilter implements ExemplarSampler {
  open: number;
  traceId = '';
  spanId = '';
  /** Keeps `open` counting live sampled spans (trace_based); hand it to the TracerProvider. */
  readonly processor: SpanProcessor;
  /** The active context read last, its span's context (undefined: none), and whether they make an exemplar. */
  private lastActive: unknown = undefined;
  private lastSpanContext: unknown = undefined;
  private eligible: boolean;

  constructor(
    /** The filter. */
    readonly name: ExemplarFilterName,
    /** Reads the active context (see `readContextWith`). */
    private active: () => Context = () => context.active(),
  ) {
    this.open = name === 'always_on' ? 1 : 0;
    this.eligible = name === 'always_on';
    this.processor = name === 'trace_based' ? new LiveSampledSpans(this) : IGNORING_PROCESSOR;
  }

  /**
   * Reads the active context with `active` from now on: the runtime hands over its own context manager's `active()`
   * once it is the registered one, a few nanoseconds cheaper than going through the API's global lookup.
   */
  readContextWith(active: () => Context): void {
    this.active = active;
  }

  sample(): boolean {
    let active: unknown;
    try {
      active = this.active();
    } catch {
      active = undefined;
    }
    // A context is immutable: the same context object holds the same span, so it is read once.
    if (active !== this.lastActive) this.readContext(active);
    return this.eligible;
  }

  /** Finds the span of a context and what it gives, through a guard. */
  private readContext(active: unknown): void {
    this.lastActive = active;
    let spanContext: unknown;
    try {
      spanContext = active === undefined ? undefined : trace.getSpan(active as Context)?.spanContext();
    } catch {
      spanContext = undefined;
    }
    if (spanContext === this.lastSpanContext) return;
    this.lastSpanContext = spanContext;
    let sampled = false;
    let traceId = '';
    let spanId = '';
    if (typeof spanContext === 'object' && spanContext !== null) {
      try {
        const read = spanContext as { traceId: unknown; spanId: unknown; traceFlags: unknown };
        const trace = read.traceId;
        const span = read.spanId;
        const flags = read.traceFlags;
        if (isHexId(trace, 32) && isHexId(span, 16)) {
          // Owned, lowercase copies: a slice of a large header must not be kept alive by an exemplar.
          traceId = ownString(trace.toLowerCase());
          spanId = ownString(span.toLowerCase());
          sampled = typeof flags === 'number' && (flags & TraceFlags.SAMPLED) !== 0;
        }
      } catch {
        sampled = false;
        traceId = '';
        spanId = '';
      }
    }
    this.traceId = traceId;
    this.spanId = spanId;
    this.eligible = this.name === 'always_on' || (this.name === 'trace_based' && sampled);
  }

  /** Counts a sampled span started by our TracerProvider. */
  spanStarted(): void {
    this.open++;
  }

  /** Counts a sampled span ended; the last one lets go of the context read last (the gate closes, no read follows). */
  spanEnded(): void {
    if (this.open > 0) this.open--;
    if (this.open === 0) this.forget();
  }

  forget(): void {
    this.lastActive = undefined;
    this.lastSpanContext = undefined;
    this.traceId = '';
    this.spanId = '';
    this.eligible = this.name === 'always_on';
  }
}

/** Counts the live sampled spans of our TracerProvider into the filter's `open`. */
class LiveSampledSpans implements SpanProcessor {
  constructor(private readonly filter: ExemplarFilter) {}

  onStart(span: SdkSpan): void {
    if (isSampled(span)) this.filter.spanStarted();
  }

  onEnd(span: ReadableSpan): void {
    if (isSampled(span)) this.filter.spanEnded();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The processor of the filters that keep no count. */
const IGNORING_PROCESSOR: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/** Whether an SDK span is sampled (the SDK's own spans: nothing to guard). */
function isSampled(span: ReadableSpan): boolean {
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
}

/** Whether `id` is `length` hex digits, not all zero (the W3C rule for trace and span ids). */
export function isHexId(id: unknown, length: number): id is string {
  if (typeof id !== 'string' || id.length !== length) return false;
  let nonZero = false;
  for (let i = 0; i < length; i++) {
    const c = id.charCodeAt(i);
    if (c === 48) continue; // '0'
    nonZero = true;
    if (!((c >= 49 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return nonZero;
}
