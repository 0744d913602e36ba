import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { InstrumentationLike } from '../config/TelemetryConfig';
import { thrownMessage } from '../config/printable';
import type { Diagnostics } from '../diagnostics/Diagnostics';

/**
 * The OpenTelemetry instrumentations given to `initialize()`: each gets our TracerProvider and MeterProvider
 * (whenever it was constructed: one built before `initialize()` would otherwise record into the no-op providers of
 * the API, without a word), is enabled, and is disabled when the runtime stops. One that throws is reported by name
 * and left out; it never fails `initialize()` or `shutdown()`.
 */
export class Instrumentations {
  private readonly enabled: InstrumentationLike[] = [];
  /** The names of the instrumentations enabled, for the middleware and tracedFetch (read per request: kept, not rebuilt). */
  names: readonly string[] = [];

  constructor(
    given: readonly InstrumentationLike[],
    tracerProvider: TracerProvider,
    meterProvider: MeterProvider,
    private readonly diagnostics: Diagnostics,
  ) {
    for (const instrumentation of given) {
      try {
        this.settle(instrumentation, 'wired', instrumentation.setTracerProvider(tracerProvider));
        this.settle(instrumentation, 'wired', instrumentation.setMeterProvider?.(meterProvider));
        this.settle(instrumentation, 'enabled', instrumentation.enable());
        this.enabled.push(instrumentation);
      } catch (error) {
        this.report(instrumentation, 'enabled', error);
      }
    }
    this.names = this.enabled.map(nameOf);
  }

  /** Disables every instrumentation enabled here (their patches come off), once. */
  disable(): void {
    this.names = [];
    for (const instrumentation of this.enabled.splice(0)) {
      try {
        this.settle(instrumentation, 'disabled', instrumentation.disable());
      } catch (error) {
        this.report(instrumentation, 'disabled', error);
      }
    }
  }

  /**
   * What a method returned: a promise (an `async enable()`, say) that rejects is reported like a throw, never left
   * to end the process as an unhandled rejection.
   */
  private settle(instrumentation: InstrumentationLike, what: string, result: unknown): void {
    try {
      const then = (result as { then?: unknown } | null | undefined)?.then;
      if (typeof then === 'function') {
        (then as (ok: () => void, fail: (error: unknown) => void) => unknown).call(result, () => undefined, (error: unknown) => this.report(instrumentation, what, error));
      }
    } catch (error) {
      this.report(instrumentation, what, error); // a thenable whose `then` throws
    }
  }

  private report(instrumentation: InstrumentationLike, what: string, error: unknown): void {
    const name = nameOf(instrumentation);
    this.diagnostics.warnOnce(`instrumentation:${name}:${what}`,
      `the instrumentation ${name} could not be ${what} (it threw: ${thrownMessage(error)}); it is left out.`);
  }
}

/** An instrumentation's name, read through a guard and cut; a stand-in when it has none. */
export function nameOf(instrumentation: InstrumentationLike): string {
  try {
    const name = instrumentation.instrumentationName;
    return typeof name === 'string' && name !== '' ? name.slice(0, 100) : 'an unnamed instrumentation';
  } catch {
    return 'an unnamed instrumentation';
  }
}
