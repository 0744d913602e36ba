import { MAJOR_VERSION, VERSION } from '../version';
import { Diagnostics } from '../diagnostics/Diagnostics';
import { consoleLogger } from '../config/resolveConfig';
import type { Recorder } from './Recorder';
import { NotInitializedRecorder } from './NoopRecorder';
import type { Registry } from '../registry/Registry';
import type { ResolvedConfig } from '../config/TelemetryConfig';
import type { CircuitStateListener } from '../protection/CircuitBreaker';
import type { HeldDeclaration } from '../metrics/declarations';

/** Where the process is in the telemetry lifecycle. */
export type Lifecycle =
  | { state: 'idle' }
  | { state: 'disabled'; config: ResolvedConfig; since: number }
  | { state: 'active'; registry: Registry }
  | { state: 'shutting-down'; registry: Registry; done: Promise<void> };

/** The one object on `globalThis` that every copy of this package (of one major version) in a process shares. */
export interface GlobalSlot {
  /** The version of the copy that created the slot. */
  readonly version: string;
  /** What recording calls go to; swapped by initialize() and shutdown(), never per call. */
  recorder: Recorder;
  /** The current lifecycle state. */
  lifecycle: Lifecycle;
  /** The recorder used while not initialized; keeps its drop count across lifecycles. */
  readonly notInitialized: NotInitializedRecorder;
  /** Diagnostics for when no Registry exists. */
  readonly diagnostics: Diagnostics;
  /** Listeners of `onCircuitStateChange()`; they outlive re-initialization. */
  readonly circuitListeners: Set<CircuitStateListener>;
  /** Metric declarations by name, from `declareMetrics()`; they outlive re-initialization. */
  readonly declarations: Map<string, HeldDeclaration>;
}

/** The key includes the major version: copies with the same major share one registry, others stay apart. */
export const GLOBAL_SLOT_KEY = Symbol.for(`otel-facade.registry.v${MAJOR_VERSION}`);

/** Returns the process-wide slot, creating an idle one on first use. Creating it registers nothing with OpenTelemetry. */
export function globalSlot(): GlobalSlot {
  const holder = globalThis as unknown as Record<symbol, GlobalSlot | undefined>;
  let slot = holder[GLOBAL_SLOT_KEY];
  if (slot === undefined) {
    const diagnostics = new Diagnostics(consoleLogger);
    const notInitialized = new NotInitializedRecorder(diagnostics);
    slot = {
      version: VERSION,
      recorder: notInitialized,
      lifecycle: { state: 'idle' },
      notInitialized,
      diagnostics,
      circuitListeners: new Set(),
      declarations: new Map(),
    };
    Object.defineProperty(holder, GLOBAL_SLOT_KEY, { value: slot, writable: false, enumerable: false, configurable: false });
  }
  return slot;
}
