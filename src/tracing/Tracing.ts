import { context, ROOT_CONTEXT, SpanKind, trace, type Context, type Span as OTelSpan, type SpanOptions as OTelSpanOptions, type Tracer as OTelTracer } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, RandomIdGenerator, type IdGenerator, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SamplerConfig } from '../config/TelemetryConfig';
import type { PiiRedactor } from '../protection/PiiRedactor';
import { buildSampler } from './sampler';
import { RootDecider, UnsampledRootSpan } from './rootDecision';
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
  private readonly ids = new PrimedIdGenerator();
  /** Decides early for spans without a parent (see `unsampledRoot`); null when every root is sampled. */
  private readonly roots: RootDecider | null;

  constructor(options: TracingOptions) {
    const { attributeValueLengthLimit, attributeCountLimit, eventCountLimit, linkCountLimit } = options.limits;
    this.provider = new BasicTracerProvider({
      resource: options.resource,
      sampler: buildSampler(options.sampler),
      idGenerator: this.ids,
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
    this.roots = RootDecider.for(options.sampler);
    this.sanitizer = new SpanSanitizer(options.limits, options.redactor, options.counters ?? null);
  }

  /** Starts a facade span under `parent` (the active context, the options' parent, or none for a root). */
  startSpan(name: string, options: SpanOptions | undefined, parent: Context = parentOf(options)): FacadeSpan {
    return new FacadeSpan(this.startOTelSpan(name, options, parent), this.sanitizer, this.openSpans);
  }

  /** Starts an OpenTelemetry span, for the middleware and the traced client, its name and attributes cut and redacted. */
  startOTelSpan(name: string, options: SpanOptions | undefined, parent: Context = parentOf(options)): OTelSpan {
    // One scanning budget for the links and the attributes: one span operation. No closure: this runs for every
    // request.
    const opened = this.sanitizer.openBudget();
    try {
      // Every option is read first, once, through a guard: options may be a proxy or carry getters that throw, or
      // that run code of the application (which may start spans of its own). Nothing of the application's runs
      // between the early root decision and the SDK taking the trace id primed for it.
      let attributes: unknown;
      let safeOptions: OTelSpanOptions | undefined;
      if (options !== undefined && options !== null && typeof options === 'object') {
        attributes = readOption(options, 'attributes');
        safeOptions = {
          kind: validKind(readOption(options, 'kind')),
          links: this.sanitizer.links(readOption(options, 'links')),
          startTime: guardedTime(readOption(options, 'startTime')),
          root: readOption(options, 'root') === true,
        };
      }
      const unsampled = this.unsampledRoot(parent);
      if (unsampled !== undefined) return unsampled;
      const span = this.startSdkSpan(this.sanitizer.name(name), safeOptions, parent);
      // Attributes are cut and redacted only for a span that records: an unsampled request (most of them, at 0.1%)
      // pays nothing for its url.path. Our samplers decide by trace id and parent, never by attributes.
      if (attributes !== undefined && span.isRecording()) {
        const safe = this.sanitizer.attributes(attributes);
        if (safe !== undefined) span.setAttributes(safe);
      }
      return span;
    } finally {
      // A primed trace id the SDK did not take (it took a parent's, or something threw) must not go to the next root.
      this.ids.unprime();
      this.sanitizer.closeBudget(opened);
    }
  }

  /**
   * The SDK's span, under `parent`; a parent that looks like a context but whose getValue throws or holds something
   * that is not a span gives way to the active context, without the options that may have caused it, and a hostile
   * active context to none.
   */
  private startSdkSpan(name: string, options: OTelSpanOptions | undefined, parent: Context): OTelSpan {
    try {
      return this.tracer.startSpan(name, options, parent);
    } catch {
      try {
        return this.tracer.startSpan(name, undefined, context.active());
      } catch {
        return this.tracer.startSpan(name, undefined, ROOT_CONTEXT);
      }
    }
  }

  /**
   * A span without a parent, decided early: most server requests in production (0.1% sampled). The decision is
   * drawn first (`RootDecider`); an unsampled root is an `UnsampledRootSpan`, which records nothing and draws its
   * ids only if something asks for them, and nothing else is built (no name, options or attributes read, no SDK
   * span machinery). A sampled one goes on to the SDK with a trace id the ratio rule samples, primed in the id
   * generator, so the SDK's sampler agrees. Undefined when the decision is not ours to take early: a parent span,
   * suppressed tracing, an always-on sampler, a context that cannot be read.
   */
  private unsampledRoot(parent: Context): OTelSpan | undefined {
    const roots = this.roots;
    if (roots === null) return undefined;
    try {
      if (trace.getSpanContext(parent) !== undefined || isTracingSuppressed(parent)) return undefined;
    } catch {
      return undefined;
    }
    if (roots.sampled()) {
      this.ids.prime(roots.traceId(true));
      return undefined;
    }
    return new UnsampledRootSpan(roots, this.ids);
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

/** A start time, or undefined when it is not one or cannot even be inspected (a revoked proxy). */
function guardedTime(time: unknown): ReturnType<typeof validTime> {
  try {
    return validTime(time);
  } catch {
    return undefined;
  }
}

/** One span option, read through a guard: a getter or proxy trap that throws reads as unset. */
function readOption(options: SpanOptions, key: keyof SpanOptions): unknown {
  try {
    return options[key];
  } catch {
    return undefined;
  }
}

/**
 * The SDK's random ids, with one twist: a trace id drawn to decide a root span early can be handed to the SDK for
 * the span it then starts (`prime`), so the SDK's sampler sees the trace id the early decision saw.
 */
class PrimedIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private primed: string | undefined;

  /** The next `generateTraceId()` returns `traceId`. */
  prime(traceId: string): void {
    this.primed = traceId;
  }

  /** Forgets a primed trace id the SDK did not take. */
  unprime(): void {
    this.primed = undefined;
  }

  generateTraceId(): string {
    const primed = this.primed;
    if (primed === undefined) return this.random.generateTraceId();
    this.primed = undefined;
    return primed;
  }

  generateSpanId(): string {
    return this.random.generateSpanId();
  }
}
