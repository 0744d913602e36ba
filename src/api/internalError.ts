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
  try {
    slot.runtime.internalError(error instanceof Error ? error.message : String(error));
  } catch {
    // Reporting must not throw either.
  }
}
