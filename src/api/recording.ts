import { globalSlot } from '../global/GlobalSlot';
import { internalError } from './internalError';
import type { LabelValue, Labels } from './labels';

// Read once: the slot object never changes, only its `recorder` field does.
const slot = globalSlot();

/*
 * Each function takes its labels as positional parameters a0..a11 so that a call with up to six label pairs
 * allocates nothing; more label arguments take the `arguments` path. Labels may also be one object (a0), which the
 * store walks key by key. The public signatures are the overloads.
 * The try/catch costs nothing until something throws, and keeps the promise that recording never throws.
 */

/**
 * Adds 1 to a monotonic counter. Labels are key/value pairs.
 *
 * @example counter('weather.requests.total', 'endpoint', '/current', 'method', 'GET')
 */
export function counter(name: string, ...labels: LabelValue[]): void;
export function counter(name: string, labels: Labels): void;
export function counter(name: string, a0?: unknown, a1?: unknown, a2?: unknown, a3?: unknown, a4?: unknown,
  a5?: unknown, a6?: unknown, a7?: unknown, a8?: unknown, a9?: unknown, a10?: unknown, a11?: unknown): void {
  const argc = arguments.length - 1;
  try {
    if (argc <= 12) slot.recorder.add('counter', name, 1, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, undefined, 0);
    else slot.recorder.add('counter', name, 1, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, arguments, 1);
  } catch (error) {
    internalError(error);
  }
}

/**
 * Adds `delta` (positive or negative) to a non-monotonic sum, such as items in a queue.
 *
 * @example upDownCounter('jobs.queued', +1, 'queue', 'email')
 */
export function upDownCounter(name: string, delta: number, ...labels: LabelValue[]): void;
export function upDownCounter(name: string, delta: number, labels: Labels): void;
export function upDownCounter(name: string, delta: number, a0?: unknown, a1?: unknown, a2?: unknown, a3?: unknown,
  a4?: unknown, a5?: unknown, a6?: unknown, a7?: unknown, a8?: unknown, a9?: unknown,
  a10?: unknown, a11?: unknown): void {
  const argc = arguments.length - 2;
  try {
    if (argc <= 12) slot.recorder.add('upDownCounter', name, delta, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, undefined, 0);
    else slot.recorder.add('upDownCounter', name, delta, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, arguments, 2);
  } catch (error) {
    internalError(error);
  }
}

/**
 * Records one observation in a histogram (durations, sizes).
 *
 * @example histogram('weather.request.duration_ms', 12.5, 'endpoint', '/current')
 */
export function histogram(name: string, value: number, ...labels: LabelValue[]): void;
export function histogram(name: string, value: number, labels: Labels): void;
export function histogram(name: string, value: number, a0?: unknown, a1?: unknown, a2?: unknown, a3?: unknown,
  a4?: unknown, a5?: unknown, a6?: unknown, a7?: unknown, a8?: unknown, a9?: unknown,
  a10?: unknown, a11?: unknown): void {
  const argc = arguments.length - 2;
  try {
    if (argc <= 12) slot.recorder.histogram(name, value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, undefined, 0);
    else slot.recorder.histogram(name, value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, arguments, 2);
  } catch (error) {
    internalError(error);
  }
}

/**
 * Sets a gauge: the last value recorded wins.
 *
 * @example gauge('connections.active', 42)
 */
export function gauge(name: string, value: number, ...labels: LabelValue[]): void;
export function gauge(name: string, value: number, labels: Labels): void;
export function gauge(name: string, value: number, a0?: unknown, a1?: unknown, a2?: unknown, a3?: unknown,
  a4?: unknown, a5?: unknown, a6?: unknown, a7?: unknown, a8?: unknown, a9?: unknown,
  a10?: unknown, a11?: unknown): void {
  const argc = arguments.length - 2;
  try {
    if (argc <= 12) slot.recorder.gauge(name, value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, undefined, 0);
    else slot.recorder.gauge(name, value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, arguments, 2);
  } catch (error) {
    internalError(error);
  }
}

/**
 * Records a value with the instrument the name suggests (see the heuristics table in README.md), or with the
 * kind the name was first recorded as.
 *
 * @example emit('queue.size', 17)  // a gauge
 */
export function emit(name: string, value: number, ...labels: LabelValue[]): void;
export function emit(name: string, value: number, labels: Labels): void;
export function emit(name: string, value: number, a0?: unknown, a1?: unknown, a2?: unknown, a3?: unknown,
  a4?: unknown, a5?: unknown, a6?: unknown, a7?: unknown, a8?: unknown, a9?: unknown,
  a10?: unknown, a11?: unknown): void {
  const argc = arguments.length - 2;
  try {
    if (argc <= 12) slot.recorder.emit(name, value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, undefined, 0);
    else slot.recorder.emit(name, value, argc, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, arguments, 2);
  } catch (error) {
    internalError(error);
  }
}
