import { context, ROOT_CONTEXT, SpanKind, type Context, type Span as OTelSpan, type Tracer as OTelTracer } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SamplerConfig } from '../config/TelemetryConfig';
import type { PiiRedactor } from '../protection/PiiRedactor';
import { buildSampler } from './sampler';
import { FacadeSpan, validTime, type SpanOptions } from './Span';
import type { DropCounters } from '../health/DropCounters';
import { SpanSanitizer, type SpanLimits } from './SpanSanitizer';

/** What `Tracing` is built from. */
export interface TracingOptions {
  /** The resource on every span. */
  resource: Resource;
  /** The sampler. */
  sampler: SamplerConfig;
  /** Where ended spans go: the traces pipeline's processors (none when traces are not exported). */
  spanProcessors: SpanProcessor[];
  /** Redacts strings, when `piiRedaction` is on. */
  redactor: PiiRedactor | null;
  /** Limits on attribute values and counts. */
  limits: SpanLimits;
  /** Instrumentation scope of our spans. */
  scope: { name: string; version: string };
  /** Where cut, redacted and left-out attributes are counted. */
  counters?: DropCounters;
}

/**
 * The tracing side of a runtime: a TracerProvider over the traces pipeline's processors, and the operations the
 * public tracing functions ask for (start a span, with its name and attributes cut and redacted). It does not
 * export anything itself. The SDK gets the same attribute limits, for spans the application starts through
 * `@opentelemetry/api` directly.
 */
export class Tracing {
  /** The TracerProvider; registered as the OpenTelemetry global by the runtime unless `registerGlobal` is false. */
  readonly provider: BasicTracerProvider;
  /** Cuts and redacts what spans are given. */
  readonly sanitizer: SpanSanitizer;
  /** Recording spans started through the library and not ended yet: at shutdown, what cannot be exported. */
  readonly openSpans = { count: 0 };
  private readonly tracer: OTelTracer;

  constructor(options: TracingOptions) {
    const { attributeValueLengthLimit, attributeCountLimit, eventCountLimit, linkCountLimit } = options.limits;
    this.provider = new BasicTracerProvider({
      resource: options.resource,
      sampler: buildSampler(options.sampler),
      spanProcessors: options.spanProcessors,
      spanLimits: {
        attributeValueLengthLimit,
        attributeCountLimit,
        attributePerEventCountLimit: attributeCountLimit,
        attributePerLinkCountLimit: attributeCountLimit,
        eventCountLimit,
        linkCountLimit,
      },
      generalLimits: { attributeValueLengthLimit, attributeCountLimit },
    });
    this.tracer = this.provider.getTracer(options.scope.name, options.scope.version);
    this.sanitizer = new SpanSanitizer(options.limits, options.redactor, options.counters ?? null);
  }

  /** Starts a facade span under `parent` (the active context, the options' parent, or none for a root). */
  startSpan(name: string, options: SpanOptions | undefined, parent: Context = parentOf(options)): FacadeSpan {
    return new FacadeSpan(this.startOTelSpan(name, options, parent), this.sanitizer, this.openSpans);
  }

  /** Starts an OpenTelemetry span, for the middleware and the traced client, its name and attributes cut and redacted. */
  startOTelSpan(name: string, options: SpanOptions | undefined, parent: Context = parentOf(options)): OTelSpan {
    const safeName = this.sanitizer.name(name);
    if (options === undefined || options === null || typeof options !== 'object') {
      try {
        return this.tracer.startSpan(safeName, undefined, parent);
      } catch {
        return this.tracer.startSpan(safeName, undefined, context.active());
      }
    }
    // Each option is read once, through a guard: options may be a proxy or carry getters that throw.
    const read = (key: keyof SpanOptions): unknown => {
      try {
        return options[key];
      } catch {
        return undefined;
      }
    };
    // One scanning budget for the links and the attributes: one span operation.
    return this.sanitizer.budgeted(() => {
      const attributes = read('attributes');
      const safeOptions = {
        kind: validKind(read('kind')),
        links: this.sanitizer.links(read('links')),
        startTime: validTime(read('startTime')),
        root: read('root') === true,
      };
      let span: OTelSpan;
      try {
        span = this.tracer.startSpan(safeName, safeOptions, parent);
      } catch {
        // A parent that looks like a context but whose getValue throws or holds something that is not a span: the
        // span starts under the active context instead, without the options that may have caused it.
        span = this.tracer.startSpan(safeName, undefined, context.active());
      }
      // Attributes are cut and redacted only for a span that records: an unsampled request (most of them, at 0.1%)
      // pays nothing for its url.path. Our samplers decide by trace id and parent, never by attributes.
      if (attributes !== undefined && span.isRecording()) {
        const safe = this.sanitizer.attributes(attributes);
        if (safe !== undefined) span.setAttributes(safe);
      }
      return span;
    });
  }

  /** Records `error` on an OpenTelemetry span as a facade span would: an `exception` event and status ERROR, redacted. */
  recordError(span: OTelSpan, error: unknown): void {
    new FacadeSpan(span, this.sanitizer).recordError(error);
  }

  /** Ends the provider: its processors flush what they hold and stop. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

/**
 * The parent context a span starts under: none for `root`, else the options' parent (when it is a context), else the
 * active context. Reads nothing that can throw.
 */
export function parentOf(options: SpanOptions | null | undefined): Context {
  try {
    if (options === null || typeof options !== 'object') return context.active();
    if (options.root === true) return ROOT_CONTEXT;
    const parent = options.parent as Partial<Context> | undefined;
    return parent !== undefined && parent !== null && typeof parent.getValue === 'function' && typeof parent.setValue === 'function'
      ? (parent as Context)
      : context.active();
  } catch {
    return context.active();
  }
}

/** A span kind the SDK and the serializer understand (0 to 4), else INTERNAL. */
function validKind(kind: unknown): SpanKind {
  return typeof kind === 'number' && Number.isInteger(kind) && kind >= 0 && kind <= 4 ? (kind as SpanKind) : SpanKind.INTERNAL;
}
