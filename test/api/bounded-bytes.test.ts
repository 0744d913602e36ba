import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';

const gc = (globalThis as { gc?: () => void }).gc;
const heapAfterGc = (): number => {
  for (let i = 0; i < 4; i++) gc?.();
  return process.memoryUsage().heapUsed;
};
const MB = 1024 * 1024;
const BIG = 'x'.repeat(MB);

/**
 * 1,000 distinct values of 1 MB each: if anything kept a slice of the original (V8's sliced strings point into their
 * parent), the heap would grow by about 1 GB; truncated copies keep it within 16 MB.
 */
describe('bounded in bytes', () => {
  let bed: TestBed;
  beforeEach(async () => {
    if (gc === undefined) throw new Error('run jest with node --expose-gc (npm test does)');
    bed = await startTestBed({ piiRedaction: true, spanBatch: { scheduledDelayMs: 3_600_000 } });
    telemetry.counter('warm.total', 'k', 'v');
    telemetry.startSpan('warm').end();
  });
  afterEach(() => bed.stop());

  it('1,000 distinct 1 MB label values grow the heap by less than 16 MB', () => {
    const before = heapAfterGc();
    for (let i = 0; i < 1000; i++) telemetry.counter('values.total', 'payload', `${i}:${BIG}`);
    const growth = heapAfterGc() - before;
    expect(telemetry.getHealth().seriesCount).toBeGreaterThanOrEqual(1000);
    expect(growth).toBeLessThan(16 * MB);
  });

  it('1,000 distinct 1 MB label keys grow the heap by less than 16 MB', () => {
    const before = heapAfterGc();
    for (let i = 0; i < 1000; i++) telemetry.counter('keys.total', `${i}:${BIG}`, 'v');
    const growth = heapAfterGc() - before;
    expect(telemetry.getHealth().sanitizedByReason.label_key_truncated).toBe(1000);
    expect(growth).toBeLessThan(16 * MB);
  });

  it('1,000 spans with distinct 1 MB attributes, still queued for export, grow the heap by less than 16 MB', () => {
    const before = heapAfterGc();
    for (let i = 0; i < 1000; i++) {
      const span = telemetry.startSpan('big', { attributes: { payload: `${i}:${BIG}` } });
      span.setAttribute('more', `${i}:${BIG}`);
      span.end();
    }
    const growth = heapAfterGc() - before;
    expect(growth).toBeLessThan(16 * MB);
  });

  /**
   * Short slices of large strings (a route or user name taken from a request body): nothing is cut, so nothing is
   * copied on the way in; everything the library keeps (series labels, cached paths, redaction verdicts, span
   * names and attributes queued for export, declarations) must still be a copy, or each would keep its megabyte.
   */
  it('300 short slices of distinct 1 MB strings, kept as labels, verdicts, span parts and declarations, grow the heap by less than 16 MB', () => {
    const before = heapAfterGc();
    for (let i = 0; i < 300; i++) {
      const parent = `${i}:${BIG}`;
      const slice = (from: number) => parent.slice(from, from + 40);
      telemetry.counter('sliced.total', 'route', slice(0));
      telemetry.counter('sliced.total', slice(40), 'v');
      const span = telemetry.startSpan(slice(80), { attributes: { at: slice(120) } });
      span.addEvent(slice(160), { e: slice(200) });
      span.setStatus('error', slice(240));
      span.end();
      telemetry.declareMetrics(slice(280), { metrics: [{ name: `declared.${i}.total`, type: 'counter', description: slice(320), unit: slice(360).slice(0, 20) }] });
    }
    const growth = heapAfterGc() - before;
    expect(growth).toBeLessThan(16 * MB);
  });
});
