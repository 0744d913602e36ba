import { createContextKey, trace, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace-base';
import type { SamplerConfig } from '../config/TelemetryConfig';

/**
 * Marks a context whose remote parent's `sampled` flag is not to be trusted: set by `tracingMiddleware({
 * trustIncomingSampling: false })` at public edges, so that any client cannot force sampling of its requests.
 */
export const UNTRUSTED_REMOTE_PARENT = createContextKey('otel-facade.untrusted-remote-parent');

/**
 * Builds the sampler. Ratio sampling decides by trace ID, so the same trace ID always gets the same decision in
 * every service; parent-based samplers follow the caller's decision when there is one, except where the context
 * says the remote caller is not to be trusted: there the local root sampler decides.
 */
export function buildSampler(config: SamplerConfig): Sampler {
  const root = rootSampler(config);
  switch (config.type) {
    case 'always_on':
    case 'always_off':
    case 'traceidratio':
      return root;
    case 'parentbased_always_on':
    case 'parentbased_always_off':
    case 'parentbased_traceidratio':
      return new EdgeAwareSampler(new ParentBasedSampler({ root }), root);
  }
}

function rootSampler(config: SamplerConfig): Sampler {
  switch (config.type) {
    case 'always_on':
    case 'parentbased_always_on':
      return new AlwaysOnSampler();
    case 'always_off':
    case 'parentbased_always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
    case 'parentbased_traceidratio':
      return new TraceIdRatioBasedSampler(config.ratio);
  }
}

/** A parent-based sampler that lets the local root sampler decide for remote parents marked untrusted. */
class EdgeAwareSampler implements Sampler {
  constructor(
    private readonly parentBased: Sampler,
    private readonly root: Sampler,
  ) {}

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const parent = trace.getSpanContext(context);
    // No parent (most server requests): the root sampler decides, as the parent-based one would, one lookup sooner.
    if (parent === undefined || (parent.isRemote === true && context.getValue(UNTRUSTED_REMOTE_PARENT) === true)) {
      return this.root.shouldSample(context, traceId, name, kind, attributes, links);
    }
    return this.parentBased.shouldSample(context, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `EdgeAware{${this.parentBased.toString()}}`;
  }
}
