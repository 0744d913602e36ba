import { globalSlot } from '../global/GlobalSlot';
import type { MetricOptions } from '../metrics/Recorder';
import { MILLISECOND_BUCKETS } from '../metrics/InstrumentRouter';
import type { LabelValue, Labels } from './labels';
import { guard, internalError } from './internalError';

const slot = globalSlot();
const MILLISECONDS: MetricOptions = { kind: 'histogram', unit: 'ms', boundaries: MILLISECOND_BUCKETS };
const BYTES: MetricOptions = { kind: 'counter', unit: 'By' };

/** The `latency_bucket` label of `recordLatency()` for a value in milliseconds. */
export function latencyBucket(ms: number): string {
  if (typeof ms !== 'number' || Number.isNaN(ms)) return 'invalid';
  if (ms < 1) return '<1ms';
  if (ms < 10) return '1-10ms';
  if (ms < 100) return '10-100ms';
  if (ms < 1000) return '100ms-1s';
  if (ms < 10000) return '1-10s';
  return '>10s';
}

/**
 * Records the milliseconds since `startTime` (a `performance.now()` value) in a histogram (unit `ms`, latency buckets).
 *
 * @example const start = performance.now(); await work(); duration('work.duration_ms', start, 'kind', 'import');
 */
export function duration(name: string, startTime: number, ...labels: LabelValue[]): void;
export function duration(name: string, startTime: number, labels: Labels): void;
export function duration(name: string, startTime: number): void {
  guard(() => {
    const elapsed = typeof startTime === 'number' ? performance.now() - startTime : Number.NaN;
    slot.recorder.recordList('histogram', name, elapsed, labelsOf(arguments, 2), MILLISECONDS, 1);
  });
}

/**
 * Starts timing an operation; the returned function records its duration in milliseconds (once) and returns it.
 *
 * @example const done = timeOperation('db.query.duration_ms', 'table', 'users'); await query(); done();
 */
export function timeOperation(name: string, ...labels: LabelValue[]): () => number;
export function timeOperation(name: string, labels: Labels): () => number;
export function timeOperation(name: string): () => number {
  const start = performance.now();
  const labels = labelsOf(arguments, 1);
  let elapsed: number | undefined;
  return () => {
    if (elapsed === undefined) {
      elapsed = performance.now() - start;
      const ms = elapsed;
      guard(() => slot.recorder.recordList('histogram', name, ms, labels, MILLISECONDS, 1));
    }
    return elapsed;
  };
}

/**
 * Counts an error, labelled `error_type`.
 *
 * @example recordError('payments.errors', 'card_declined', 'provider', 'stripe')
 */
export function recordError(name: string, errorType: string, ...labels: LabelValue[]): void;
export function recordError(name: string, errorType: string, labels: Labels): void;
export function recordError(name: string, errorType: string): void {
  guard(() => slot.recorder.recordList('counter', name, 1, withPair(labelsOf(arguments, 2), 'error_type', errorType), undefined, 1));
}

/**
 * Counts a success, labelled `status=success`.
 *
 * @example recordSuccess('payments.charges', 'provider', 'stripe')
 */
export function recordSuccess(name: string, ...labels: LabelValue[]): void;
export function recordSuccess(name: string, labels: Labels): void;
export function recordSuccess(name: string): void {
  guard(() => slot.recorder.recordList('counter', name, 1, withPair(labelsOf(arguments, 1), 'status', 'success'), undefined, 1));
}

/**
 * Records a latency in milliseconds in a histogram, with a `latency_bucket` label (`<1ms`, `1-10ms`, `10-100ms`,
 * `100ms-1s`, `1-10s`, `>10s`) for quick filtering.
 *
 * @example recordLatency('search.latency', 42, 'index', 'products')
 */
export function recordLatency(name: string, ms: number, ...labels: LabelValue[]): void;
export function recordLatency(name: string, ms: number, labels: Labels): void;
export function recordLatency(name: string, ms: number, a0?: unknown, a1?: unknown, a2?: unknown, a3?: unknown,
  a4?: unknown, a5?: unknown, a6?: unknown, a7?: unknown, a8?: unknown, a9?: unknown): void {
  const argc = arguments.length - 2;
  try {
    const recorder = slot.recorder;
    recorder.ensureMetric(name, 'histogram', MILLISECONDS);
    // Only a number gets a bucket: comparing anything else would run its valueOf(), which may throw.
    const bucket = latencyBucket(ms);
    // Up to five label pairs go positionally, with the bucket pair after them: no allocation.
    const u = undefined;
    switch (argc) {
      case 0:
        return recorder.histogram(name, ms, 2, 'latency_bucket', bucket, u, u, u, u, u, u, u, u, u, u, u, 0);
      case 2:
        return recorder.histogram(name, ms, 4, a0, a1, 'latency_bucket', bucket, u, u, u, u, u, u, u, u, u, 0);
      case 4:
        return recorder.histogram(name, ms, 6, a0, a1, a2, a3, 'latency_bucket', bucket, u, u, u, u, u, u, u, 0);
      case 6:
        return recorder.histogram(name, ms, 8, a0, a1, a2, a3, a4, a5, 'latency_bucket', bucket, u, u, u, u, u, 0);
      case 8:
        return recorder.histogram(name, ms, 10, a0, a1, a2, a3, a4, a5, a6, a7, 'latency_bucket', bucket, u, u, u, 0);
      case 10:
        return recorder.histogram(name, ms, 12, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, 'latency_bucket', bucket, u, 0);
      default:
        return recorder.recordList('histogram', name, ms, withPair(labelsOf(arguments, 2), 'latency_bucket', bucket), MILLISECONDS, 1);
    }
  } catch (error) {
    internalError(error);
  }
}

/**
 * Adds a number of bytes to a counter with unit `By`.
 *
 * @example recordBytes('upload.bytes', file.size, 'bucket', 'avatars')
 */
export function recordBytes(name: string, bytes: number, ...labels: LabelValue[]): void;
export function recordBytes(name: string, bytes: number, labels: Labels): void;
export function recordBytes(name: string, bytes: number): void {
  guard(() => slot.recorder.recordList('counter', name, bytes, labelsOf(arguments, 2), BYTES, 1));
}

/** The labels of a call from `args[start]` on: a list of pairs, or the object given instead. */
export function labelsOf(args: ArrayLike<unknown>, start: number): unknown[] | Labels {
  if (args.length === start + 1 && typeof args[start] === 'object' && args[start] !== null) return args[start] as Labels;
  return Array.prototype.slice.call(args, start);
}

/**
 * The labels plus one more pair. A labels object that cannot be read (a getter or proxy that throws) is passed on
 * as it is: the recording call then drops it as `invalid_label`.
 */
export function withPair(labels: unknown[] | Labels, key: string, value: unknown): unknown[] | Labels {
  try {
    if (Array.isArray(labels)) return [...keptLabelArguments(labels), key, value];
    return { ...labels, [key]: value as string };
  } catch {
    return labels;
  }
}

/** The most label arguments any configuration keeps: `maxLabelPairs` is at most 128, plus one pair to see it passed. */
const MAX_LABEL_ARGUMENTS = 2 * 128 + 2;

/**
 * The label arguments of a list that can be kept, as a copy: a sparse array may claim 2^32 - 1 items, and copying
 * it whole would exhaust the heap. May throw for a hostile list (the caller catches).
 */
export function keptLabelArguments(list: readonly unknown[]): unknown[] {
  return Array.prototype.slice.call(list, 0, Math.min(list.length, MAX_LABEL_ARGUMENTS)) as unknown[];
}
