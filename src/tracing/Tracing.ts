import { context, ROOT_CONTEXT, type Context, type Span as OTelSpan, type Tracer as OTelTracer } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SamplerConfig } from '../config/TelemetryConfig';
import type { PiiRedactor } from '../protection/PiiRedactor';
import { buildSampler } from './sampler';
import { FacadeSpan, redactAttributes, type SpanOptions } from './Span';

/** What `Tracing` is built from. */
export interface TracingOptions {
  /** The resource on every span. */
  resource: Resource;
  /** The sampler. */
  sampler: SamplerConfig;
  /** Where ended spans go: the traces pipeline's processors (none when traces are not exported). */
  spanProcessors: SpanProcessor[];
  /** Redacts string attributes, when `piiRedaction` is on. */
  redactor: PiiRedactor | null;
  /** Instrumentation scope of our spans. */
  scope: { name: string; version: string };
}

/**
 * The tracing side of a runtime: a TracerProvider over the traces pipeline's processors, and the operations the
 * public tracing functions ask for (start a span, with attributes redacted). It does not export anything itself.
 */
export class Tracing {
  /** The TracerProvider; registered as the OpenTelemetry global by the runtime unless `registerGlobal` is false. */
  readonly provider: BasicTracerProvider;
  private readonly tracer: OTelTracer;
  private readonly redactor: PiiRedactor | null;

  constructor(options: TracingOptions) {
    this.provider = new BasicTracerProvider({
      resource: options.resource,
      sampler: buildSampler(options.sampler),
      spanProcessors: options.spanProcessors,
    });
    this.tracer = this.provider.getTracer(options.scope.name, options.scope.version);
    this.redactor = options.redactor;
  }

  /** Starts a facade span under `parent` (the active context, the options' parent, or none for a root). */
  startSpan(name: string, options: SpanOptions | undefined, parent: Context = parentOf(options)): FacadeSpan {
    return new FacadeSpan(this.startOTelSpan(name, options, parent), this.redactor);
  }

  /** Starts an OpenTelemetry span, for the middleware and the traced client, with its attributes redacted. */
  startOTelSpan(name: string, options: SpanOptions | undefined, parent: Context = parentOf(options)): OTelSpan {
    if (options === undefined) return this.tracer.startSpan(name, undefined, parent);
    return this.tracer.startSpan(name, {
      kind: options.kind,
      attributes: redactAttributes(options.attributes, this.redactor),
      links: options.links,
      startTime: options.startTime,
      root: options.root,
    }, parent);
  }

  /** Redacts string attributes, when redaction is on. */
  redact(attributes: SpanOptions['attributes']): SpanOptions['attributes'] {
    return redactAttributes(attributes, this.redactor);
  }

  /** Ends the provider: its processors flush what they hold and stop. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

/** The parent context a span starts under: none for `root`, else the options' parent, else the active context. */
export function parentOf(options: SpanOptions | undefined): Context {
  if (options?.root === true) return ROOT_CONTEXT;
  return options?.parent ?? context.active();
}
