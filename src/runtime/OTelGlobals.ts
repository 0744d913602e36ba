import {
  context, diag, DiagLogLevel, metrics, propagation, trace,
  type Context, type DiagLogger, type MeterProvider, type TextMapPropagator, type TracerProvider,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { LogLevel, PropagatorName, ResolvedConfig } from '../config/TelemetryConfig';
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
  private diag = false;
  private readonly contextManager = new AsyncLocalStorageContextManager();

  /**
   * Registers the context manager, the propagators (`propagators`; none for `none`), OpenTelemetry's diagnostic
   * logger at `logLevel` (unless `none`) and, with `registerGlobal`, the two providers.
   */
  register(meterProvider: MeterProvider, tracerProvider: TracerProvider, config: Pick<ResolvedConfig, 'registerGlobal' | 'propagators' | 'logLevel'>,
    diagnostics: Diagnostics): void {
    this.context = context.setGlobalContextManager(this.contextManager.enable());
    const propagators = buildPropagators(config.propagators);
    if (propagators.length > 0) this.propagator = propagation.setGlobalPropagator(new CompositePropagator({ propagators }));
    if (config.logLevel !== 'none') this.diag = diag.setLogger(diagLogger(diagnostics), { logLevel: DIAG_LEVELS[config.logLevel], suppressOverrideMessage: true });
    if (!config.registerGlobal) return;
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

  /**
   * The active context: our context manager's, read directly while it is the registered one (the API's
   * `context.active()` looks the global up first), else the API's.
   */
  activeContext(): () => Context {
    if (!this.context) return () => context.active();
    const manager = this.contextManager;
    return () => manager.active();
  }

  /** Unregisters what `register()` registered. */
  unregister(): void {
    if (this.meter) metrics.disable();
    if (this.tracer) trace.disable();
    if (this.context) context.disable();
    if (this.propagator) propagation.disable();
    if (this.diag) diag.disable();
    this.meter = this.tracer = this.context = this.propagator = this.diag = false;
  }
}

/** The propagators for their names, in order (`none`: none at all). */
export function buildPropagators(names: readonly PropagatorName[]): TextMapPropagator[] {
  if (names.includes('none')) return [];
  return names.map((name): TextMapPropagator => {
    switch (name) {
      case 'tracecontext': return new W3CTraceContextPropagator();
      case 'baggage': return new W3CBaggagePropagator();
      // The B3 and Jaeger packages are loaded only when named.
      case 'b3':
      case 'b3multi': {
        const { B3InjectEncoding, B3Propagator } = require('@opentelemetry/propagator-b3') as typeof import('@opentelemetry/propagator-b3');
        return new B3Propagator({ injectEncoding: name === 'b3' ? B3InjectEncoding.SINGLE_HEADER : B3InjectEncoding.MULTI_HEADER });
      }
      case 'jaeger': {
        const { JaegerPropagator } = require('@opentelemetry/propagator-jaeger') as typeof import('@opentelemetry/propagator-jaeger');
        return new JaegerPropagator();
      }
      default: return new W3CTraceContextPropagator();
    }
  });
}

const DIAG_LEVELS: Readonly<Record<Exclude<LogLevel, 'none'>, DiagLogLevel>> = {
  error: DiagLogLevel.ERROR, warn: DiagLogLevel.WARN, info: DiagLogLevel.INFO, debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE, all: DiagLogLevel.ALL,
};

/**
 * OpenTelemetry's diagnostic logger, through ours: errors and warnings as warnings (each distinct one once, so a
 * repeating SDK message cannot flood the log), the rest as information.
 */
function diagLogger(diagnostics: Diagnostics): DiagLogger {
  const text = (message: string, args: unknown[]): string =>
    `OpenTelemetry: ${[message, ...args.map((arg) => (arg instanceof Error ? arg.message : typeof arg === 'string' ? arg : safeJson(arg)))].join(' ')}`.slice(0, 1000);
  const warn = (message: string, ...args: unknown[]): void => {
    const line = text(message, args);
    diagnostics.warnOnce(`diag:${line}`, line);
  };
  const info = (message: string, ...args: unknown[]): void => diagnostics.info(text(message, args));
  return { error: warn, warn, info, debug: info, verbose: info };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
