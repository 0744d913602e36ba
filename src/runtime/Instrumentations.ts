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

  constructor(
    given: readonly InstrumentationLike[],
    tracerProvider: TracerProvider,
    meterProvider: MeterProvider,
    private readonly diagnostics: Diagnostics,
  ) {
    for (const instrumentation of given) {
      try {
        instrumentation.setTracerProvider(tracerProvider);
        instrumentation.setMeterProvider?.(meterProvider);
        instrumentation.enable();
        this.enabled.push(instrumentation);
      } catch (error) {
        this.report(instrumentation, 'enabled', error);
      }
    }
  }

  /** The names of the instrumentations enabled, for the started line. */
  get names(): string[] {
    return this.enabled.map((instrumentation) => nameOf(instrumentation));
  }

  /** Disables every instrumentation enabled here (their patches come off), once. */
  disable(): void {
    for (const instrumentation of this.enabled.splice(0)) {
      try {
        instrumentation.disable();
      } catch (error) {
        this.report(instrumentation, 'disabled', error);
      }
    }
  }

  private report(instrumentation: InstrumentationLike, what: string, error: unknown): void {
    const name = nameOf(instrumentation);
    this.diagnostics.warnOnce(`instrumentation:${name}:${what}`,
      `the instrumentation ${name} could not be ${what} (it threw: ${thrownMessage(error)}); it is left out.`);
  }
}

function nameOf(instrumentation: InstrumentationLike): string {
  try {
    const name = instrumentation.instrumentationName;
    return typeof name === 'string' && name !== '' ? name.slice(0, 100) : 'an unnamed instrumentation';
  } catch {
    return 'an unnamed instrumentation';
  }
}
