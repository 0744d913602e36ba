import { context, metrics, propagation, trace, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Diagnostics } from '../diagnostics/Diagnostics';
import { apiVersionReport } from '../health/apiVersion';

/**
 * The OpenTelemetry API globals a runtime registers, and only those, so that shutdown() unregisters exactly what
 * it registered. The active context (AsyncLocalStorage) and W3C propagation make spans nest and cross services;
 * they are registered unless the application registered its own, which we then use. The providers are registered
 * with `registerGlobal`, so that the application's own instruments and spans go through our pipelines.
 */
export class OTelGlobals {
  private meter = false;
  private tracer = false;
  private context = false;
  private propagator = false;

  /** Registers the context manager, the propagator and, with `providers`, the two providers. */
  register(meterProvider: MeterProvider, tracerProvider: TracerProvider, providers: boolean, diagnostics: Diagnostics): void {
    this.context = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    this.propagator = propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
    if (!providers) return;
    this.meter = metrics.setGlobalMeterProvider(meterProvider);
    this.tracer = trace.setGlobalTracerProvider(tracerProvider);
    const api = apiVersionReport();
    if (api.mismatch) {
      diagnostics.warn(
        `@opentelemetry/api ${api.globalVersion} owns the OpenTelemetry globals but otel-facade loads ${api.version}: ` +
          'two copies of the API are installed, so instruments and spans of the application and of otel-facade do ' +
          'not meet. Install one copy (npm dedupe; otel-facade declares it as a peer dependency).',
      );
    } else if (!this.meter || !this.tracer) {
      diagnostics.warn(
        'another OpenTelemetry MeterProvider or TracerProvider is already registered globally; otel-facade keeps ' +
          'its own providers and records through them. Set registerGlobal: false to silence this.',
      );
    }
  }

  /** Unregisters what `register()` registered. */
  unregister(): void {
    if (this.meter) metrics.disable();
    if (this.tracer) trace.disable();
    if (this.context) context.disable();
    if (this.propagator) propagation.disable();
    this.meter = this.tracer = this.context = this.propagator = false;
  }
}
