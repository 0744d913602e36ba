import { context as contextApi, propagation, type Context } from '@opentelemetry/api';
import { globalSlot } from '../global/GlobalSlot';
import type { InstrumentKind } from '../metrics/InstrumentRouter';
import type { LabelValue, Labels } from './labels';
import { guard } from './internalError';
import { setOwn } from '../config/setOwn';
import { keptLabelArguments, labelsOf } from './helpers';

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
    let read: Required<Pick<EmitOptions, 'sampleRate'>> & EmitOptions;
    try {
      // Read once, up front: options whose getters throw are a dropped call, not an error of ours.
      const given: EmitOptions = options ?? {};
      read = {
        labels: given.labels, unit: given.unit, description: given.description, type: given.type,
        sampleRate: given.sampleRate ?? 1, context: given.context,
      };
    } catch {
      slot.recorder.dropCall('invalid_value', name);
      return;
    }
    let labels: Labels | undefined = read.labels;
    if (read.context !== undefined) labels = withBaggageLabels(labels, read.context, slot.runtime.baggageLabels);
    slot.recorder.recordList(read.type, name, value, labels,
      { kind: read.type, unit: read.unit, description: read.description }, read.sampleRate);
  });
}

/**
 * Adds the entries of a context's baggage whose keys are allowed (`baggageLabels`) to the labels. Baggage comes
 * from other services and is untrusted: nothing outside the allowlist becomes a label, and what does goes through
 * sanitising, redaction and the cardinality limiter like any label.
 */
export function withBaggageLabels(labels: Labels | undefined, context: unknown, allowed: readonly string[]): Labels | undefined {
  const extra = baggageLabelPairs(context, allowed);
  return extra.length === 0 ? labels : withExtraPairs(labels, extra) as Labels | undefined;
}

/**
 * The labels (pairs in a list, or an object) plus `extra` pairs. Labels that cannot be read (a proxy, a getter that
 * throws) are returned as they are: the recording call then drops them as `invalid_label`.
 */
function withExtraPairs<T extends unknown[] | Labels | undefined>(labels: T, extra: readonly [string, string][]): T | unknown[] | Labels {
  try {
    if (Array.isArray(labels)) return [...keptLabelArguments(labels), ...extra.flat()];
    const merged: Record<string, LabelValue> = { ...labels };
    for (const [key, value] of extra) setOwn(merged, key, value);
    return merged;
  } catch {
    return labels;
  }
}

/** The allowed baggage entries of a context, as label pairs. */
export function baggageLabelPairs(context: unknown, allowed: readonly string[]): [string, string][] {
  if (allowed.length === 0) return [];
  const pairs: [string, string][] = [];
  try {
    // Anything that is not a context (null, {}, a proxy) has no baggage: the call is recorded without it.
    if (context === null || typeof context !== 'object' || typeof (context as Partial<Context>).getValue !== 'function') return [];
    const baggage = propagation.getBaggage(context as Context);
    if (baggage === undefined) return [];
    for (const key of allowed) {
      const entry = baggage.getEntry(key);
      if (entry !== undefined && typeof entry.value === 'string') pairs.push([key, entry.value]);
    }
  } catch {
    // A context or baggage whose methods throw: what was read is kept.
  }
  return pairs;
}

/**
 * `emit()` that adds the active context's baggage entries as labels, for the keys allowed in `baggageLabels` only,
 * and always through the cardinality limiter, so a client cannot explode series by sending headers.
 *
 * @example emitWithContext('api.requests.total', 1, 'route', '/orders')  // + tenant_id from baggage, if allowed
 */
export function emitWithContext(name: string, value: number, ...labels: LabelValue[]): void;
export function emitWithContext(name: string, value: number, labels: Labels): void;
export function emitWithContext(name: string, value: number): void {
  guard(() => {
    let labels = labelsOf(arguments, 2);
    const extra = baggageLabelPairs(contextApi.active(), slot.runtime.baggageLabels);
    if (extra.length > 0) labels = withExtraPairs(labels, extra);
    slot.recorder.recordList(undefined, name, value, labels, undefined, 1);
  });
}
