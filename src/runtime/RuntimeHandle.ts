import type { Context, Span as OTelSpan } from '@opentelemetry/api';
import type { LossReason } from '../health/DropCounters';
import type { CircuitStateListener, Health } from '../health/Health';
import type { MetricDeclarations } from '../metrics/declarations';
import type { Recorder } from '../metrics/Recorder';
import type { Span, SpanOptions } from '../tracing/Span';
import type { CarriedState } from './CarriedState';

/**
 * Where the process is: `idle` (before initialize() or after shutdown()), `disabled` (initialized with
 * `enabled: false`), `active`, `stopping` (shutdown() running), or `incompatible` (another, incompatible copy of
 * this package owns telemetry in the process, and this copy stands aside).
 */
export type RuntimeState = 'idle' | 'disabled' | 'active' | 'stopping' | 'incompatible';

/**
 * The contract between the public functions and the runtime, and between copies of this package of compatible
 * versions sharing one global slot: they call each other only through this interface. Every method is safe in
 * every state; what does not apply does nothing.
 */
export interface RuntimeHandle {
  /** The state. */
  readonly state: RuntimeState;
  /** Where recording calls go while this runtime is current. */
  readonly recorder: Recorder;
  /** What outlives this runtime; the next one starts from it. */
  readonly carried: CarriedState;
  /** The deadline `shutdown()` uses when none is given. */
  readonly defaultShutdownTimeoutMs: number;
  /** Baggage keys that may become labels (`baggageLabels`). */
  readonly baggageLabels: readonly string[];
  /**
   * The names of the instrumentations this runtime enabled (`instrumentations`), so the middleware and `tracedFetch`
   * stand aside for one that does their work. Optional: a runtime of an older copy of the package has none.
   */
  readonly instrumentationNames?: readonly string[];
  /** Health now; after shutdown(), the final snapshot of the runtime that ran. */
  health(): Health;
  /** Exports every signal now; never rejects. */
  forceFlush(): Promise<void>;
  /**
   * Stops within `timeoutMs` (the configured default when undefined), making one last export per signal; resolves
   * with the runtime that follows. Concurrent calls share one shutdown. Never rejects.
   */
  shutdown(timeoutMs: number | undefined): Promise<RuntimeHandle>;
  /** Keeps metric declarations, and applies them to a running store. */
  declare(module: string, declarations: MetricDeclarations): void;
  /** Adds a breaker listener that outlives runtimes; returns the function that removes it. */
  onCircuitStateChange(listener: CircuitStateListener): () => void;
  /** Starts a span: a facade span when active, the no-op span otherwise. */
  startSpan(name: string, options: SpanOptions | undefined, parent?: Context): Span;
  /** Starts an OpenTelemetry span (attributes redacted) when active; undefined otherwise. */
  startOTelSpan(name: string, options: SpanOptions | undefined, parent: Context): OTelSpan | undefined;
  /** Records an error on an OpenTelemetry span the runtime started: an `exception` event and status ERROR, redacted. */
  recordSpanError(span: OTelSpan, error: unknown): void;
  /** Counts items lost outside recording calls and says once why (baggage entries over the W3C limits). */
  lost(reason: LossReason, count: number, key: string, message: string): void;
  /** Counts and reports an error of the library itself. */
  internalError(message: string): void;
}
