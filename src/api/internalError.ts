import { globalSlot } from '../global/GlobalSlot';

const slot = globalSlot();

/** Runs a recording step; never lets an error reach the caller. */
export function guard(step: () => void): void {
  try {
    step();
  } catch (error) {
    internalError(error);
  }
}

/** Counts and reports an error of the library itself, thrown while recording. */
export function internalError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const lifecycle = slot.lifecycle;
  if (lifecycle.state === 'active') lifecycle.registry.counters.error(`internal error while recording: ${message}`);
  slot.diagnostics.warnOnce('internal', `internal:${message}`,
    `internal error while recording, the call was dropped: ${message}. Please report this as a bug.`);
}
