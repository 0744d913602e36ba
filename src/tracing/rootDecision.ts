import { TraceFlags, type Span, type SpanContext } from '@opentelemetry/api';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import type { SamplerConfig } from '../config/TelemetryConfig';

const TWO_TO_32 = 0x100000000;

/**
 * Decides whether a span with no parent is sampled before any id exists, and draws trace ids that agree with the
 * decision under the specification's `TraceIdRatioBased` rule as the SDK implements it: a trace id is sampled when
 * the XOR of its four 32-bit words is below `floor(ratio * 0xffffffff)` (2^32 for ratio 1). A sampled trace id is
 * drawn at once and handed to the SDK, whose sampler then agrees; an unsampled root gets an `UnsampledRootSpan`,
 * whose ids are drawn only if something asks for them (an outgoing request, a log line, a child span), so a request
 * nobody follows costs no id at all.
 *
 * Each id is uniform among the ids of its decision: three random words, and the fourth set so that the four XOR to
 * a uniform draw from the decision's range.
 */
export class RootDecider {
  private readonly words = new Uint32Array(4);

  private constructor(
    /** Accumulated trace ids below this are sampled. */
    private readonly upperBound: number,
  ) {}

  /** The decider for the configured sampler, or null when roots are not decided by a ratio (always-on). */
  static for(config: SamplerConfig): RootDecider | null {
    switch (config.type) {
      case 'always_off':
      case 'parentbased_always_off':
        return new RootDecider(0);
      case 'traceidratio':
      case 'parentbased_traceidratio': {
        // As the SDK normalizes it: NaN is 0, the rest clamped to [0, 1].
        const ratio = typeof config.ratio !== 'number' || Number.isNaN(config.ratio) ? 0 : Math.min(1, Math.max(0, config.ratio));
        return new RootDecider(ratio === 1 ? TWO_TO_32 : Math.floor(ratio * 0xffffffff));
      }
      default:
        return null;
    }
  }

  /** Whether the next root is sampled: true with the probability the ratio gives. */
  sampled(): boolean {
    return Math.random() * TWO_TO_32 < this.upperBound;
  }

  /** A valid trace id (32 lowercase hex digits) that the ratio rule samples exactly when `sampled`. */
  traceId(sampled: boolean): string {
    const low = sampled ? 0 : this.upperBound;
    const high = sampled ? this.upperBound : TWO_TO_32;
    const words = this.words;
    for (;;) {
      let xor = 0;
      for (let i = 0; i < 3; i++) {
        words[i] = Math.random() * TWO_TO_32;
        xor ^= words[i];
      }
      const target = low + Math.floor(Math.random() * (high - low));
      words[3] = (target ^ xor) >>> 0;
      if ((words[0] | words[1] | words[2] | words[3]) !== 0) return hex(words); // all zeros is the invalid id
    }
  }
}

function hex(words: Uint32Array): string {
  let id = '';
  for (let i = 0; i < 4; i++) id += words[i].toString(16).padStart(8, '0');
  return id;
}

/**
 * The span of an unsampled root: it records nothing, like the SDK's non-recording span, and draws its trace and
 * span ids the first time its context is asked for (propagating to a downstream call, a log line, a child span).
 */
export class UnsampledRootSpan implements Span {
  private context: SpanContext | undefined;

  constructor(
    private readonly decider: RootDecider,
    private readonly ids: IdGenerator,
  ) {}

  spanContext(): SpanContext {
    return (this.context ??= { traceId: this.decider.traceId(false), spanId: this.ids.generateSpanId(), traceFlags: TraceFlags.NONE });
  }

  setAttribute(): this {
    return this;
  }

  setAttributes(): this {
    return this;
  }

  addEvent(): this {
    return this;
  }

  addLink(): this {
    return this;
  }

  addLinks(): this {
    return this;
  }

  setStatus(): this {
    return this;
  }

  updateName(): this {
    return this;
  }

  end(): void {}

  isRecording(): boolean {
    return false;
  }

  recordException(): void {}
}
