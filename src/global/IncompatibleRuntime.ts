import type { Recorder } from '../metrics/Recorder';
import { CarriedState } from '../runtime/CarriedState';
import { IdleRuntime } from '../runtime/IdleRuntime';
import type { RuntimeState } from '../runtime/RuntimeHandle';

/**
 * The runtime of a copy of this package that found the global slot taken by an incompatible version: it stands
 * aside. Its recording calls are dropped (never thrown) and counted as `not_initialized`, its `initialize()` does
 * nothing, and the first of them says why, once.
 */
export class IncompatibleRuntime extends IdleRuntime {
  private readonly standAside: Recorder;
  /** What this copy says, once. */
  readonly message: string;

  constructor(otherVersion: string, ownVersion: string) {
    const carried = new CarriedState();
    super(carried);
    this.message =
      `this copy of otel-facade (${ownVersion}) found otel-facade ${otherVersion} already loaded in this process, and ` +
      'the two versions are not compatible: this copy records nothing (its calls are dropped) and its initialize() ' +
      'does nothing. Install one version of otel-facade (npm ls otel-facade; then npm dedupe or align the versions).';
    let said = false;
    const say = (): void => {
      if (said) return;
      said = true;
      carried.diagnostics.warn(this.message);
    };
    const drop = (): void => {
      carried.notInitialized.dropped++;
      say();
    };
    this.standAside = { add: drop, gauge: drop, histogram: drop, emit: drop, ensureMetric: say, recordList: drop, dropCall: drop };
    this.sayOnce = say;
  }

  /** Says the message if it was not said yet (initialize() calls it). */
  readonly sayOnce: () => void;

  override get state(): RuntimeState {
    return 'incompatible';
  }

  override get recorder(): Recorder {
    return this.standAside;
  }
}
