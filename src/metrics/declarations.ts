import { ownString } from '../diagnostics/ownString';
import { INSTRUMENT_KINDS, isInstrumentKind, type InstrumentKind } from './InstrumentRouter';

/** One metric a module declares: what it is, whatever its name suggests. */
export interface MetricDeclaration {
  /** The metric name. */
  name: string;
  /** The instrument kind; overrides the name heuristics. */
  type: InstrumentKind;
  /** Description of the exported metric. */
  description?: string;
  /** UCUM unit of the exported metric, such as `ms` or `By`. */
  unit?: string;
  /** The label keys calls are expected to use; a call with another label is reported once. */
  labels?: readonly string[];
  /** Histogram bucket boundaries, ascending. */
  buckets?: readonly number[];
  /** A histogram's aggregation: `explicit` buckets (the default, or `histogramAggregation`) or base-2 `exponential` ones. */
  aggregation?: 'explicit' | 'exponential';
}

/** What `declareMetrics()` takes. */
export interface MetricDeclarations {
  /** The metrics this module records. */
  metrics: readonly MetricDeclaration[];
}

/** A declaration as held: validated, with the module that made it. */
export interface HeldDeclaration extends MetricDeclaration {
  /** The module that declared it first. */
  module: string;
}

/** Why a declaration was not taken, in words, or undefined when it is valid. */
export function declarationProblem(declaration: MetricDeclaration): string | undefined {
  if (typeof declaration !== 'object' || declaration === null) return 'a declaration must be an object';
  if (typeof declaration.name !== 'string' || declaration.name === '' || declaration.name.length > 255) {
    return 'name must be a non-empty string of at most 255 characters';
  }
  if (!isInstrumentKind(declaration.type)) return `type must be one of ${INSTRUMENT_KINDS.join(', ')}`;
  if (declaration.unit !== undefined && typeof declaration.unit !== 'string') return 'unit must be a string';
  if (declaration.description !== undefined && typeof declaration.description !== 'string') return 'description must be a string';
  if (declaration.labels !== undefined && (!Array.isArray(declaration.labels) || declaration.labels.length > 128 ||
    declaration.labels.some((l) => typeof l !== 'string' || l.length > 1024))) {
    return 'labels must be an array of at most 128 label keys';
  }
  const buckets = declaration.buckets;
  if (buckets !== undefined) {
    if (declaration.type !== 'histogram') return 'buckets apply to histograms only';
    if (!Array.isArray(buckets) || buckets.length > 1000 ||
      buckets.some((b, i) => typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]))) {
      return 'buckets must be at most 1,000 finite numbers in ascending order';
    }
  }
  const aggregation = declaration.aggregation;
  if (aggregation !== undefined) {
    if (aggregation !== 'explicit' && aggregation !== 'exponential') return "aggregation must be 'explicit' or 'exponential'";
    if (declaration.type !== 'histogram') return 'aggregation applies to histograms only';
    if (aggregation === 'exponential' && buckets !== undefined) return 'buckets apply to explicit histograms, not exponential ones';
  }
  return undefined;
}

/** True when two declarations of one name say the same thing. */
export function sameDeclaration(a: MetricDeclaration, b: MetricDeclaration): boolean {
  return a.type === b.type && (a.unit ?? '') === (b.unit ?? '') && (a.description ?? '') === (b.description ?? '') &&
    JSON.stringify(a.buckets ?? null) === JSON.stringify(b.buckets ?? null) && (a.aggregation ?? '') === (b.aggregation ?? '') &&
    JSON.stringify([...(a.labels ?? [])].sort()) === JSON.stringify([...(b.labels ?? [])].sort());
}

/**
 * The declaration as held for the process's life: only its known fields, every string an owned copy (see
 * `ownString`), the description cut to 1,024 characters and the unit to 63.
 */
export function heldDeclaration(declaration: MetricDeclaration, module: string): HeldDeclaration {
  return {
    name: ownString(declaration.name),
    type: declaration.type,
    description: declaration.description === undefined ? undefined : ownString(declaration.description.slice(0, 1024)),
    unit: declaration.unit === undefined ? undefined : ownString(declaration.unit.slice(0, 63)),
    labels: declaration.labels?.map(ownString),
    buckets: declaration.buckets && [...declaration.buckets],
    aggregation: declaration.aggregation,
    module: ownString(module.slice(0, 255)),
  };
}

/**
 * A plain copy of a declaration as given, read once: each field through a guard, arrays by index and only as far as
 * they can be valid (a sparse array may claim 2^32 - 1 items), so that proxies and getters that throw make an invalid
 * declaration, not an error. Undefined when it cannot be read at all.
 */
export function readDeclaration(raw: unknown): MetricDeclaration | undefined {
  try {
    if (typeof raw !== 'object' || raw === null) return undefined;
    const given = raw as Record<string, unknown>;
    const list = (value: unknown, most: number): unknown[] | unknown => {
      if (!Array.isArray(value)) return value;
      const out: unknown[] = [];
      for (let i = 0, n = Math.min(value.length, most + 1); i < n; i++) out.push(value[i]);
      return out;
    };
    return {
      name: given.name as string,
      type: given.type as InstrumentKind,
      description: given.description as string | undefined,
      unit: given.unit as string | undefined,
      labels: list(given.labels, 128) as string[] | undefined,
      buckets: list(given.buckets, 1000) as number[] | undefined,
      aggregation: given.aggregation as MetricDeclaration['aggregation'],
    };
  } catch {
    return undefined;
  }
}
