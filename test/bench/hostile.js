'use strict';
/*
 * Bench rows for hostile input: one recording call and one span attribute carrying a 128 KB value shaped to make
 * backtracking patterns slow, the built-in detectors alone on the same untruncated values, and the heap growth for
 * 1,000 distinct 1 MB values, keys and attributes. Redaction is on (the production profile's default).
 */
const { performance } = require('node:perf_hooks');
const { PiiRedactor } = require('../../dist/protection/PiiRedactor.js');

const KB128 = 128 * 1024;
/** Shapes that made the old patterns quadratic or worse, each 128 KB. */
const SHAPES = {
  'letters, no @': () => 'a'.repeat(KB128),
  'JWT starts': () => 'eyJ-'.repeat(KB128 / 4),
  'digit groups': () => '1 '.repeat(KB128 / 2),
  'at signs': () => 'a@'.repeat(KB128 / 2),
  'dotted numbers': () => '1.'.repeat(KB128 / 2),
  'hex colons': () => 'ab:'.repeat(Math.floor(KB128 / 3)),
  'key=value': () => 'token='.repeat(Math.floor(KB128 / 6)),
};
const MB = 1024 * 1024;

function heapAfterGc() {
  for (let i = 0; i < 4; i++) global.gc();
  return process.memoryUsage().heapUsed;
}

/** The worst time over the shapes, each the median of `reps` calls with a fresh value (no cache helps). */
function worstMs(reps, once) {
  let worst = 0;
  const byShape = {};
  for (const [name, make] of Object.entries(SHAPES)) {
    const base = make();
    const samples = [];
    for (let r = 0; r < reps; r++) {
      const value = `${r}${base}`;
      const start = performance.now();
      once(value);
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    byShape[name] = samples[Math.floor(samples.length / 2)];
    worst = Math.max(worst, byShape[name]);
  }
  return { worstMs: worst, byShape };
}

async function hostileRows({ initFacade, telemetry, reps }) {
  // Sampled: an unsampled span never looks at its attributes.
  initFacade({ profile: 'production', rateLimit: { enabled: false, callsPerSecond: 1, burst: 1 }, cardinalityLimit: 100_000, samplingRate: 1 });
  const label = worstMs(reps, (value) => telemetry.counter('hostile.total', 'user_agent', value));
  const attribute = worstMs(reps, (value) => telemetry.startSpan('hostile', { root: true }).setAttribute('payload', value).end());
  const redactor = new PiiRedactor();
  const detectors = worstMs(reps, (value) => redactor.looksPersonal(value));
  await telemetry.shutdown();

  const big = 'x'.repeat(MB);
  const growth = async (record) => {
    initFacade({ profile: 'production', rateLimit: { enabled: false, callsPerSecond: 1, burst: 1 }, samplingRate: 1,
      spanBatch: { scheduledDelayMs: 3_600_000 } });
    record(-1);
    const before = heapAfterGc();
    for (let i = 0; i < 1000; i++) record(i);
    const mb = (heapAfterGc() - before) / MB;
    await telemetry.shutdown({ timeoutMs: 100 });
    return mb;
  };
  return {
    label,
    attribute,
    detectors,
    heapValuesMb: await growth((i) => telemetry.counter('values.total', 'payload', `${i}:${big}`)),
    heapKeysMb: await growth((i) => telemetry.counter('keys.total', `${i}:${big}`, 'v')),
    heapAttributesMb: await growth((i) => telemetry.startSpan('big', { attributes: { payload: `${i}:${big}` } }).end()),
  };
}

module.exports = { hostileRows, SHAPES };
