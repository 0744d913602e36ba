import fc from 'fast-check';
import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';

const boom = (): never => {
  throw new Error('hostile');
};

/** Values no well-behaved caller passes: objects whose every read throws, and other oddities. */
const HOSTILE: unknown[] = [
  new Proxy({}, { get: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, has: boom }),
  Object.defineProperty({}, 'k', { enumerable: true, get: boom }),
  { toString: boom, valueOf: boom, [Symbol.toPrimitive]: boom },
  Object.create(null),
  Symbol('s'),
  10n,
  new Proxy(['k', 'v'], { get: boom }),
  () => undefined,
  'x'.repeat(200_000),
  'jane@example.com',
  '__proto__',
  'constructor',
  Number.NaN,
  -Infinity,
  -1,
];

/**
 * A stand-in for one of HOSTILE, swapped in just before a call: fast-check itself reads the values it generates (to
 * print and clone them), and must not meet the throwing ones.
 */
class Hostile {
  constructor(readonly index: number) {}
}
const hostile = fc.nat(HOSTILE.length - 1).map((i) => new Hostile(i));
const real = (value: unknown): unknown => (value instanceof Hostile ? HOSTILE[value.index] : value);

const anything: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer(), fc.double(), fc.boolean()) },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  { weight: 2, arbitrary: hostile },
);
const name: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('requests.total', 'latency.duration_ms', 'queue.size', 'errors', 'cache.hit.count') },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_.]{0,20}$/) },
  { weight: 1, arbitrary: anything },
);
const labels: fc.Arbitrary<unknown[]> = fc.array(fc.oneof(fc.constantFrom('route', 'user_id', 'status', 'method'), anything), { maxLength: 12 });
const labelObject: fc.Arbitrary<unknown> = fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 6 }), hostile);

type Caller = (name: unknown, value: unknown, labels: unknown[], object: unknown) => number;
const call = (fn: (...args: never[]) => unknown) => fn as unknown as (...args: unknown[]) => unknown;

/** Runs one command with its stand-ins swapped for the hostile values; returns the recording calls it made. */
function run(c: { fn: string; name: unknown; value: unknown; labels: unknown[]; object: unknown }): number {
  return CALLERS[c.fn](real(c.name), real(c.value), c.labels.map(real), real(c.object));
}

/** Each public recording function, and how many recording calls it makes (the accounting identity counts calls). */
const CALLERS: Record<string, Caller> = {
  counter: (n, _v, l) => (call(telemetry.counter)(n, ...l), 1),
  counterObject: (n, _v, _l, o) => (call(telemetry.counter)(n, o), 1),
  upDownCounter: (n, v, l) => (call(telemetry.upDownCounter)(n, v, ...l), 1),
  histogram: (n, v, l) => (call(telemetry.histogram)(n, v, ...l), 1),
  gauge: (n, v, l) => (call(telemetry.gauge)(n, v, ...l), 1),
  emit: (n, v, l) => (call(telemetry.emit)(n, v, ...l), 1),
  emitObject: (n, v, _l, o) => (call(telemetry.emit)(n, v, o), 1),
  duration: (n, v, l) => (call(telemetry.duration)(n, v, ...l), 1),
  timeOperation: (n, _v, l) => ((call(telemetry.timeOperation)(n, ...l) as () => number)(), 1),
  recordError: (n, v, l) => (call(telemetry.recordError)(n, v, ...l), 1),
  recordSuccess: (n, _v, l) => (call(telemetry.recordSuccess)(n, ...l), 1),
  recordLatency: (n, v, l) => (call(telemetry.recordLatency)(n, v, ...l), 1),
  recordBytes: (n, v, l) => (call(telemetry.recordBytes)(n, v, ...l), 1),
  emitWithOptions: (n, v, _l, o) => (call(telemetry.emitWithOptions)(n, v, { labels: o, sampleRate: 0.5 }), 1),
  emitWithOptionsHostile: (n, v, _l, o) => (call(telemetry.emitWithOptions)(n, v, o), 1),
  emitWithContext: (n, v, l) => (call(telemetry.emitWithContext)(n, v, ...l), 1),
  recordRequest: (n, v, l) => (call(telemetry.recordRequest)(n, l[0], v, l[1]), 2),
  recordToolCall: (n, v, l) => (call(telemetry.recordToolCall)(n, l[0], v, l[1]), 2),
  recordAIRequest: (n, v, l) => (call(telemetry.recordAIRequest)(n, l[0], v, l[1]), 2),
  recordAITokens: (n, v, l) => (call(telemetry.recordAITokens)(n, l[0], l[1], l[2], v), 1),
  recordRequestError: (n, _v, l) => (call(telemetry.recordRequestError)(n, l[0], l[1]), 1),
  // The same functions with labels as one object (a plain one, or a hostile one).
  upDownCounterObject: (n, v, _l, o) => (call(telemetry.upDownCounter)(n, v, o), 1),
  histogramObject: (n, v, _l, o) => (call(telemetry.histogram)(n, v, o), 1),
  gaugeObject: (n, v, _l, o) => (call(telemetry.gauge)(n, v, o), 1),
  durationObject: (n, v, _l, o) => (call(telemetry.duration)(n, v, o), 1),
  timeOperationObject: (n, _v, _l, o) => ((call(telemetry.timeOperation)(n, o) as () => number)(), 1),
  recordErrorObject: (n, v, _l, o) => (call(telemetry.recordError)(n, v, o), 1),
  recordSuccessObject: (n, _v, _l, o) => (call(telemetry.recordSuccess)(n, o), 1),
  recordLatencyObject: (n, v, _l, o) => (call(telemetry.recordLatency)(n, v, o), 1),
  recordBytesObject: (n, v, _l, o) => (call(telemetry.recordBytes)(n, v, o), 1),
  emitWithContextObject: (n, v, _l, o) => (call(telemetry.emitWithContext)(n, v, o), 1),
};

const command = fc.record({
  fn: fc.constantFrom(...Object.keys(CALLERS)),
  name,
  value: fc.oneof({ weight: 3, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true }) }, { weight: 1, arbitrary: anything }),
  labels,
  object: labelObject,
});

describe('every public recording function, driven with arbitrary and hostile arguments', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTestBed({ profile: 'production', rateLimit: { enabled: false, callsPerSecond: 1, burst: 1 } });
  });
  afterAll(() => bed.stop());

  it('never throws, and every call lands in exactly one count: emitted, dropped by reason, or sampled out', () => {
    const totals = () => {
      const h = telemetry.getHealth();
      return h.metricsEmitted + h.metricsDropped + h.sampledOut;
    };
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 40 }), (commands) => {
        const before = totals();
        let calls = 0;
        for (const c of commands) calls += run(c);
        expect(totals() - before).toBe(calls);
        expect(telemetry.getHealth().lastError).toBeUndefined();
      }),
      { numRuns: 300, seed: 20261122 },
    );
    expect(bed.logger.matching('internal error')).toEqual([]);
  });

  it('keeps the heap bounded, whatever it is fed', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('run jest with node --expose-gc (npm test does)');
    const heap = () => {
      for (let i = 0; i < 3; i++) gc();
      return process.memoryUsage().heapUsed;
    };
    const runs = (count: number, seed: number) => fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        for (const c of commands) run(c);
      }),
      { numRuns: count, seed },
    );
    runs(300, 1); // fills what is bounded: metric names, series, caches
    const before = heap();
    runs(600, 2);
    expect(heap() - before).toBeLessThan(32 * 1024 * 1024);
  });
});
