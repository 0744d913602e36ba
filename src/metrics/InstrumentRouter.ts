/** The instrument a metric name is recorded with. */
export type InstrumentKind = 'counter' | 'upDownCounter' | 'gauge' | 'histogram';

/** Every instrument kind, for checking a kind given at run time. */
export const INSTRUMENT_KINDS: readonly InstrumentKind[] = ['counter', 'upDownCounter', 'gauge', 'histogram'];

/** Whether a value given as a kind at run time is one. */
export function isInstrumentKind(value: unknown): value is InstrumentKind {
  return value === 'counter' || value === 'upDownCounter' || value === 'gauge' || value === 'histogram';
}

/** What a metric becomes: its instrument, its unit and, for histograms, its bucket boundaries. */
export interface InstrumentPlan {
  /** The instrument kind. */
  kind: InstrumentKind;
  /** UCUM unit taken from the name's suffix, or '' when the name has none. */
  unit: string;
  /** Explicit histogram bucket boundaries; empty for other kinds. */
  boundaries: readonly number[];
  /** Whether a histogram aggregates into base-2 exponential buckets instead of `boundaries`. */
  exponential?: boolean;
}

/** Latency buckets for values in milliseconds. */
export const MILLISECOND_BUCKETS: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
/** Latency buckets for values in seconds. */
export const SECOND_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Size buckets for values in bytes, powers of four from 64 B to 16 MiB. */
export const BYTE_BUCKETS: readonly number[] = [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216];
/** OpenTelemetry's default explicit buckets, for histograms the name says nothing about. */
export const DEFAULT_BUCKETS: readonly number[] = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

/**
 * The name heuristics, in one place. A name is split into segments on `.`, `_`, `-` and `/`, and matched on whole
 * segments only (`uptime` is not `time`). For `emit()`, the rightmost segment found in this table decides the kind.
 */
export const NAME_HEURISTICS = {
  /** Segments that make `emit()` record a histogram with latency buckets. */
  histogram: ['duration', 'latency', 'time', 'ms', 'seconds'],
  /** Segments that make `emit()` record a monotonic counter. */
  counter: ['count', 'total', 'errors', 'success'],
  /** Segments that make `emit()` record a gauge. */
  gauge: ['gauge', 'current', 'size', 'queue', 'active', 'inflight'],
  /** Segments that give a histogram byte-sized buckets. */
  bytes: ['bytes', 'size'],
} as const;

/** Unit suffixes: the last segment of the name, mapped to its UCUM unit. */
export const UNIT_SUFFIXES: Readonly<Record<string, string>> = {
  ms: 'ms',
  milliseconds: 'ms',
  s: 's',
  sec: 's',
  seconds: 's',
  us: 'us',
  microseconds: 'us',
  ns: 'ns',
  nanoseconds: 'ns',
  bytes: 'By',
};

const KIND_OF_SEGMENT = new Map<string, InstrumentKind>();
for (const segment of NAME_HEURISTICS.histogram) KIND_OF_SEGMENT.set(segment, 'histogram');
for (const segment of NAME_HEURISTICS.counter) KIND_OF_SEGMENT.set(segment, 'counter');
for (const segment of NAME_HEURISTICS.gauge) KIND_OF_SEGMENT.set(segment, 'gauge');
const TIME_SEGMENTS = new Set<string>(['duration', 'latency', 'time']);
const BYTE_SEGMENTS = new Set<string>(NAME_HEURISTICS.bytes);

/** Splits a metric name into lower-case segments. */
export function nameSegments(name: string): string[] {
  return name.toLowerCase().split(/[._\-/]+/).filter((segment) => segment !== '');
}

/**
 * Plans the instrument for a metric. `requested` is the kind implied by the function the user called
 * (`counter()` and friends); without it (`emit()`), the name decides, and anything unrecognised is a histogram.
 */
export function routeInstrument(name: string, requested?: InstrumentKind): InstrumentPlan {
  const segments = nameSegments(name);
  let kind = requested;
  if (kind === undefined) {
    for (let i = segments.length - 1; i >= 0 && kind === undefined; i--) kind = KIND_OF_SEGMENT.get(segments[i]);
    kind ??= 'histogram';
  }
  const unit = UNIT_SUFFIXES[segments[segments.length - 1] ?? ''] ?? '';
  return { kind, unit, boundaries: kind === 'histogram' ? bucketsFor(segments, unit) : [] };
}

function bucketsFor(segments: readonly string[], unit: string): readonly number[] {
  switch (unit) {
    case 's':
      return SECOND_BUCKETS;
    case 'ms':
      return MILLISECOND_BUCKETS;
    case 'us':
      return MILLISECOND_BUCKETS.map((b) => b * 1000);
    case 'ns':
      return MILLISECOND_BUCKETS.map((b) => b * 1_000_000);
    case 'By':
      return BYTE_BUCKETS;
  }
  if (segments.some((s) => BYTE_SEGMENTS.has(s))) return BYTE_BUCKETS;
  if (segments.some((s) => TIME_SEGMENTS.has(s))) return MILLISECOND_BUCKETS;
  return DEFAULT_BUCKETS;
}
