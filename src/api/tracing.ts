import { context, trace, type Span as OTelSpan } from '@opentelemetry/api';
import { globalSlot } from '../global/GlobalSlot';
import { FacadeSpan, NOOP_SPAN, type Span, type SpanOptions } from '../tracing/Span';
import { parentOf } from '../tracing/Tracing';
import { internalError } from './internalError';
import { counter, histogram } from './recording';
import type { LabelValue } from './labels';

const slot = globalSlot();

/** The minimal tracer interface libraries can accept; `tracer` and `noopTracer` implement it. */
export interface Tracer {
  /** Starts a span; the caller ends it. */
  startSpan(name: string, options?: SpanOptions): Span;
  /** Runs `fn` inside a new active span, records a thrown error, and always ends the span. */
  withSpan<T>(name: string, fn: (span: Span) => T, options?: SpanOptions): T;
}

/**
 * Starts a span as a child of the active span (or of `options.parent`). End it with `span.end()`. Before
 * `initialize()` or with telemetry disabled it returns a shared no-op span.
 *
 * @example const span = startSpan('cache.refresh'); try { refresh(); } finally { span.end(); }
 */
export function startSpan(name: string, options?: SpanOptions): Span {
  return slot.runtime.startSpan(name, options);
}

/**
 * Runs `fn` (sync or async) inside a new span that is the active context for everything `fn` does, so nested spans
 * and spans in its callbacks get it as parent. A thrown error or rejected promise is recorded (status ERROR and
 * an exception event) and rethrown; the span always ends.
 *
 * @example const user = await withSpan('db.load_user', async (span) => { span.setAttribute('user.tier', 'gold'); return load(); });
 */
export function withSpan<T>(name: string, fn: (span: Span) => T, options?: SpanOptions): T {
  let span: Span = NOOP_SPAN;
  let otelSpan: OTelSpan | undefined;
  let parent = context.active();
  try {
    parent = parentOf(options);
    span = slot.runtime.startSpan(name, options, parent);
    otelSpan = otelSpanOf(span);
  } catch (error) {
    internalError(error);
  }
  if (otelSpan === undefined) return fn(NOOP_SPAN);
  const active = trace.setSpan(parent, otelSpan);
  // Exactly what was thrown goes back to the caller, whatever it is; the span ends whatever happens.
  return settled(() => context.with(active, fn, undefined, span), (failed, error) => (failed ? fail(span, error) : end(span)));
}

/**
 * Runs `run` and calls `done` once it settled: when it returned, or the promise it returned settled, `done(false)`;
 * when it threw or its promise rejected, `done(true, error)`. Returns what `run` returned (a promise settling after
 * `done`), and rethrows what it threw, as it is.
 */
function settled<T>(run: () => T, done: (failed: boolean, error?: unknown) => void): T {
  let result: T;
  try {
    result = run();
  } catch (error) {
    done(true, error);
    throw error;
  }
  if (isPromiseLike(result)) {
    return result.then(
      (value) => {
        done(false);
        return value;
      },
      (error: unknown) => {
        done(true, error);
        throw error;
      },
    ) as T;
  }
  done(false);
  return result;
}

/**
 * `withSpan()` that also records the operation's metrics under the same name stem: `<name>.duration_ms` (histogram,
 * with `status` ok or error) and, on failure, `<name>.errors` (counter, with `error_type`), both with `labels`.
 * A trace and its metrics are recorded together. What `fn` throws is rethrown as it is.
 *
 * @example await traceOperation('weather.fetch', () => fetchWeather(city), 'provider', 'openmeteo');
 */
export function traceOperation<T>(name: string, fn: (span: Span) => T, ...labels: LabelValue[]): T {
  const start = performance.now();
  const finish = (failed: boolean, error?: unknown): void => {
    try {
      if (typeof name !== 'string') {
        slot.recorder.dropCall('invalid_name', name);
        return;
      }
      const ms = performance.now() - start;
      histogram(`${name}.duration_ms`, ms, ...labels, 'status', failed ? 'error' : 'ok');
      if (failed) counter(`${name}.errors`, ...labels, 'error_type', errorType(error));
    } catch (problem) {
      internalError(problem);
    }
  };
  // The metrics are recorded within the span, before it ends, so that a sampled operation's carry it as their exemplar.
  return withSpan(name, (span) => settled(() => fn(span), finish));
}

/** Records an error on a span and ends it; never throws. */
function fail(span: Span, error: unknown): void {
  try {
    span.recordError(error);
  } catch (problem) {
    internalError(problem);
  }
  end(span);
}

/** Ends a span; never throws. */
function end(span: Span): void {
  try {
    span.end();
  } catch (problem) {
    internalError(problem);
  }
}

/** The trace ID of the active span, for log correlation; undefined when there is none. */
export function currentTraceId(): string | undefined {
  return logContext().trace_id;
}

/** The fields `logContext()` gives a log line: the ids of the active span, as the OpenTelemetry log data model names them. */
export interface LogContext {
  /** 32 lowercase hex digits. */
  trace_id?: string;
  /** 16 lowercase hex digits. */
  span_id?: string;
  /** `01` when the trace is sampled, `00` when not. */
  trace_flags?: string;
}

/**
 * The active span's ids for a log line, `{ trace_id, span_id, trace_flags }`, or `{}` outside a span: ready for
 * pino's `mixin` and a winston format, so that logs join traces in the backend. A fresh object each call.
 *
 * @example pino({ mixin: () => telemetry.logContext() })
 */
export function logContext(): LogContext {
  try {
    const spanContext = trace.getSpan(context.active())?.spanContext();
    if (spanContext === undefined) return {};
    // Each field read once, then checked as it is returned: a getter may answer differently the second time. Ids are
    // lower-cased, as exported spans carry them (b3 and jaeger headers may bring upper case).
    const traceId = spanContext.traceId;
    const spanId = spanContext.spanId;
    const flags = spanContext.traceFlags;
    if (typeof traceId !== 'string' || typeof spanId !== 'string' || typeof flags !== 'number') return {};
    const trace_id = traceId.toLowerCase();
    const span_id = spanId.toLowerCase();
    if (!TRACE_ID.test(trace_id) || !SPAN_ID.test(span_id)) return {};
    return { trace_id, span_id, trace_flags: (flags & 1) === 1 ? '01' : '00' };
  } catch {
    return {}; // a span whose context cannot be read: no ids, never an error in a log call
  }
}

/** A valid trace id: 32 lowercase hex digits, not all zeros. */
const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;
/** A valid span id: 16 lowercase hex digits, not all zeros. */
const SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/;

/** The tracer behind `startSpan()` and `withSpan()`, for libraries that accept a `Tracer`. */
export const tracer: Tracer = { startSpan, withSpan };

/** A tracer that does nothing and costs next to nothing, for libraries whose users did not configure tracing. */
export const noopTracer: Tracer = {
  startSpan: () => NOOP_SPAN,
  withSpan: <T>(_name: string, fn: (span: Span) => T): T => fn(NOOP_SPAN),
};

/** The OpenTelemetry span behind a facade span, for code that needs the full API; undefined for the no-op span. */
export function otelSpanOf(span: Span): OTelSpan | undefined {
  // Duck-typed, not instanceof: a span may come from another (compatible) copy of this package.
  const otelSpan = (span as Partial<FacadeSpan>).otelSpan;
  return otelSpan !== undefined && typeof otelSpan.spanContext === 'function' ? otelSpan : undefined;
}

/** The `error_type` label of a thrown value: its `name` when it is a string, else its type; reads nothing that throws. */
function errorType(error: unknown): string {
  try {
    const name = (error as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && name !== '') return name;
  } catch {
    // A getter that throws.
  }
  return error === null ? 'null' : typeof error;
}

/** True for promises and other thenables; false for anything whose `then` cannot be read. */
export function isPromiseLike<T>(value: T): value is T & PromiseLike<Awaited<T>> {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}
