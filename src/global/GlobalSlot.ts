import { MAJOR_VERSION, VERSION } from '../version';
import type { Recorder } from '../metrics/Recorder';
import { CarriedState } from '../runtime/CarriedState';
import { IdleRuntime } from '../runtime/IdleRuntime';
import type { RuntimeHandle } from '../runtime/RuntimeHandle';
import { isCompatible } from './compatibility';
import { IncompatibleRuntime } from './IncompatibleRuntime';

/**
 * The one object on `globalThis` that every copy of this package (of compatible versions) in a process shares:
 * the version of the copy that created it, the recorder recording calls go to, and the runtime.
 */
export interface GlobalSlot {
  /** The version of the copy that created the slot; never changes. */
  readonly version: string;
  /** What recording calls go to; swapped by initialize() and shutdown(), never per call. */
  recorder: Recorder;
  /** The runtime: idle, disabled, active or stopping. */
  runtime: RuntimeHandle;
}

/** The key includes the major version, like `@opentelemetry/api`'s: other majors never meet this slot. */
export const GLOBAL_SLOT_KEY = Symbol.for(`otel-facade.api.v${MAJOR_VERSION}`);

let own: GlobalSlot | undefined;

/**
 * Returns the process-wide slot, creating an idle one on first use (which registers nothing with OpenTelemetry).
 * A copy of another, incompatible version that finds the slot gets a slot of its own whose recorder and runtime
 * stand aside: its calls are dropped, never thrown, and it says once why.
 */
export function globalSlot(): GlobalSlot {
  if (own !== undefined) return own;
  const holder = globalThis as unknown as Record<symbol, GlobalSlot | undefined>;
  const found = holder[GLOBAL_SLOT_KEY];
  if (found === undefined) {
    const runtime = new IdleRuntime(new CarriedState());
    const slot: GlobalSlot = { version: VERSION, recorder: runtime.recorder, runtime };
    Object.defineProperty(slot, 'version', { value: VERSION, writable: false, configurable: false });
    Object.defineProperty(holder, GLOBAL_SLOT_KEY, { value: slot, writable: false, enumerable: false, configurable: false });
    own = slot;
  } else if (typeof found.version === 'string' && isCompatible(VERSION, found.version)) {
    own = found;
  } else {
    const runtime = new IncompatibleRuntime(String(found.version), VERSION);
    own = { version: VERSION, recorder: runtime.recorder, runtime };
  }
  return own;
}
