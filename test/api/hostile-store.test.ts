import * as telemetry from '../../src/index';
import { MetricChunkBuilder } from '../../src/export/MetricChunkBuilder';
import { PrometheusNameClaims } from '../../src/export/prometheusNames';
import { startTestBed, type TestBed } from '../support/telemetry';

/** What an attacker tried against the series table and the store, each a regression test. */
describe('emitWithOptions with a type that is not an instrument kind', () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it.each([['Counter'], ['sum'], [''], [null], [0], [false], [Symbol('kind')], [{}]])(
    'drops the call as invalid_value (type %p), says once which types exist, and export goes on', async (type) => {
      bed = await startTestBed();
      for (let i = 0; i < 3; i++) telemetry.emitWithOptions('cache.lookups', 1, { type: type as never });
      telemetry.counter('requests.total', 'route', '/a');
      const health = telemetry.getHealth();
      expect(health.droppedByReason).toMatchObject({ invalid_value: 3 });
      expect(health.metricsEmitted).toBe(1);
      expect(health.errors).toBe(0); // no message of ours threw
      const lines = bed.logger.lines.filter((line) => line.message.includes('cache.lookups'));
      expect(lines).toHaveLength(1);
      expect(lines[0].message).toContain('type must be one of counter, upDownCounter, gauge, histogram');
      await telemetry.forceFlush();
      expect(telemetry.getHealth().signals.metrics.exportFailures).toBe(0);
      expect(bed.receiver.latest('requests.total').map((p) => p.value)).toEqual([1]);
      // The name is free for a valid use.
      telemetry.emitWithOptions('cache.lookups', 2, { type: 'counter' });
      await telemetry.forceFlush();
      expect(bed.receiver.latest('cache.lookups').map((p) => p.value)).toEqual([2]);
    });
});

describe('a collection that throws', () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it('is a failed export with its real error, reported; never a rejection that ends the process', async () => {
    bed = await startTestBed();
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const take = jest.spyOn(MetricChunkBuilder.prototype, 'take').mockImplementationOnce(() => {
      throw new TypeError('Cannot read properties of undefined (reading \'dataPoints\')');
    });
    try {
      telemetry.counter('requests.total', 'route', '/a');
      await telemetry.forceFlush();
      await new Promise((resolve) => setImmediate(resolve));
      expect(rejections).toEqual([]);
      const metrics = telemetry.getHealth().signals.metrics;
      expect(metrics.exportFailures).toBe(1);
      expect(metrics.lastError).toContain("reading 'dataPoints'");
      expect(bed.logger.lines.some((line) => line.level === 'warn' && line.message.includes("reading 'dataPoints'"))).toBe(true);
      // The next collection carries the totals: nothing was lost.
      await telemetry.forceFlush();
      expect(bed.receiver.latest('requests.total').map((p) => p.value)).toEqual([1]);
    } finally {
      take.mockRestore();
      process.off('unhandledRejection', onRejection);
    }
  });
});

describe('label sets that read as one on the wire', () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it('an unpaired surrogate joins the U+FFFD series, counted as coerced: one series, one point, the right total', async () => {
    bed = await startTestBed();
    telemetry.counter('esc.total', 'v', '\ud800');
    for (let i = 0; i < 2; i++) telemetry.counter('esc.total', 'v', '\ufffd');
    for (let i = 0; i < 3; i++) telemetry.counter('esc.total', 'v', '\udc00');
    telemetry.counter('esc.total', '\ud83d', 'key');
    expect(telemetry.getHealth().sanitizedByReason).toMatchObject({ label_value_coerced: 5 });
    await telemetry.forceFlush();
    const points = bed.receiver.latest('esc.total');
    expect(points.map((p) => [p.attributes, p.value])).toEqual(expect.arrayContaining([[{ v: '\ufffd' }, 6], [{ '\ufffd': 'key' }, 1]]));
    expect(points).toHaveLength(2);
  });
});

describe('the Prometheus duplicate-series check', () => {
  it('tells apart label sets that a separator character could make look alike, and joins those UTF-8 writes alike', () => {
    const warnings: string[] = [];
    const claims = new PrometheusNameClaims((_key, message) => warnings.push(message));
    // An attacker's value holding the old separators must not hide the real series.
    expect(claims.admitSeries('orders', { route: '/a\u0000status\u0001500' })).toBe(true);
    expect(claims.admitSeries('orders', { route: '/a', status: '500' })).toBe(true);
    expect(claims.admitSeries('orders', { route: '/a', status: '500' })).toBe(false); // a real duplicate
    // From an SDK instrument (the store makes them well formed itself): one series on the wire, one sample.
    expect(claims.admitSeries('esc', { v: '\ud800' })).toBe(true);
    expect(claims.admitSeries('esc', { v: '\ufffd' })).toBe(false);
    expect(warnings).toHaveLength(2);
  });
});
