import { propagation, type Context } from '@opentelemetry/api';
import { globalSlot } from '../global/GlobalSlot';
import type { InstrumentKind } from '../metrics/InstrumentRouter';
import type { Labels } from './labels';
import { guard } from './internalError';

const slot = globalSlot();

/** Everything `emitWithOptions()` accepts. */
export interface EmitOptions {
  /** Labels as an object. */
  labels?: Labels;
  /** UCUM unit, used when the metric is created. */
  unit?: string;
  /** Description, used when the metric is created. */
  description?: string;
  /** Forces the instrument kind instead of the name heuristics. */
  type?: InstrumentKind;
  /**
   * Records only this fraction of calls, chosen at random (0 < rate <= 1). A kept counter call adds
   * `value / sampleRate`, so totals stay unbiased; histograms and gauges record kept values as they are.
   */
  sampleRate?: number;
  /** A context whose baggage entries named in `baggageLabels` become labels. */
  context?: Context;
}

/**
 * Full control over one recording: labels as an object, unit, description, kind, sampling and context.
 *
 * @example emitWithOptions('cache.lookups', 1, { type: 'counter', labels: { cache: 'users' }, sampleRate: 0.1 })
 */
export function emitWithOptions(name: string, value: number, options: EmitOptions = {}): void {
  guard(() => {
    const lifecycle = slot.lifecycle;
    let labels: Labels | undefined = options.labels;
    if (options.context !== undefined && lifecycle.state === 'active') {
      labels = withBaggageLabels(labels, options.context, lifecycle.registry.config.baggageLabels);
    }
    slot.recorder.recordList(options.type, name, value, labels,
      { kind: options.type, unit: options.unit, description: options.description }, options.sampleRate ?? 1);
  });
}

/**
 * Adds the entries of a context's baggage whose keys are allowed (`baggageLabels`) to the labels. Baggage comes
 * from other services and is untrusted: nothing outside the allowlist becomes a label, and what does goes through
 * sanitising, redaction and the cardinality limiter like any label.
 */
export function withBaggageLabels(labels: Labels | undefined, context: Context, allowed: readonly string[]): Labels | undefined {
  if (allowed.length === 0) return labels;
  const baggage = propagation.getBaggage(context);
  if (baggage === undefined) return labels;
  let merged: Record<string, string> | undefined;
  for (const key of allowed) {
    const entry = baggage.getEntry(key);
    if (entry === undefined) continue;
    merged ??= { ...labels };
    merged[key] = entry.value;
  }
  return merged ?? labels;
}
