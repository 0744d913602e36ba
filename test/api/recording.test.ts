import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';

describe('recording calls', () => {
  let bed: TestBed;
  beforeEach(async () => {
    bed = await startTestBed();
  });
  afterEach(() => bed.stop());

  it('never throw, whatever they are given', () => {
    const hostile: unknown[] = [undefined, null, 42, {}, [], Symbol('s'), () => 1, Number.NaN, 'x'.repeat(100000), ''];
    const fns = [telemetry.counter, telemetry.histogram, telemetry.gauge, telemetry.upDownCounter, telemetry.emit] as unknown as ((...args: unknown[]) => void)[];
    for (const fn of fns) {
      for (const a of hostile) {
        for (const b of hostile) {
          expect(() => fn(a, b, a, b)).not.toThrow();
          expect(() => fn('ok.name', b, a, b, a)).not.toThrow();
        }
      }
    }
  });

  it('drop bad values and count them by reason', () => {
    telemetry.counter('good.total');
    telemetry.emit('requests.total', -1);
    telemetry.histogram('latency_ms', Number.NaN);
    telemetry.gauge('level', Number.POSITIVE_INFINITY);
    telemetry.upDownCounter('queue.depth', '3' as never);
    telemetry.emit('requests.total', 2);
    const health = telemetry.getHealth();
    expect(health.droppedByReason.invalid_value).toBe(4);
    expect(health.metricsEmitted).toBe(2);
    expect(bed.logger.matching("metric 'requests.total' got the value -1")[0]).toMatch(/counters take finite numbers >= 0 \(use upDownCounter\(\)/);
  });

  it('drop invalid names, with advice', () => {
    for (const name of ['', '9lives', 'has space', 'x'.repeat(256), 'ümlaut']) telemetry.counter(name);
    telemetry.counter(undefined as never);
    telemetry.counter('a'.repeat(255));
    expect(telemetry.getHealth().droppedByReason.invalid_name).toBe(6);
    expect(bed.logger.matching('Names start with a letter').length).toBeGreaterThan(0);
  });

  it('sanitise labels: odd counts, bad keys and values, typed values, coercion, truncation', async () => {
    telemetry.counter('labels.total', 'method', 'GET', 'dangling');
    telemetry.counter('labels.total', 'status', 200 as never, 'ok', true as never, 'big', 10n as never);
    telemetry.counter('labels.total', 5 as never, 'v', '', 'v', 'k', { no: 1 } as never, 'method', 'POST');
    telemetry.counter('labels.total', 'long', 'y'.repeat(300));
    const health = telemetry.getHealth();
    // Every call was recorded; what happened to its labels is counted per call and reason.
    expect(health.droppedByReason.invalid_label).toBeUndefined();
    expect(health.sanitizedByReason).toEqual({ label_dropped: 2, label_value_coerced: 1, label_value_truncated: 1 });
    expect(health.metricsEmitted).toBe(4);
    await telemetry.forceFlush();
    const points = bed.receiver.latest('labels.total').map((p) => p.attributes);
    expect(points).toEqual(expect.arrayContaining([
      { method: 'GET' },
      { status: 200, ok: true, big: '10' }, // numbers and booleans keep their type; a bigint has none: its text
      { method: 'POST' },
      { long: 'y'.repeat(256) },
    ]));
    expect(bed.logger.matching('odd').length + bed.logger.matching('unpaired').length).toBeGreaterThan(0);
  });

  it('count sanitising on every call, also once the path is cached', () => {
    for (let i = 0; i < 5; i++) telemetry.counter('coerced.total', 'code', 404n as never);
    expect(telemetry.getHealth().sanitizedByReason.label_value_coerced).toBe(5);
  });

  it('keep the first kind of a name and drop calls of another kind', async () => {
    telemetry.counter('jobs.total');
    telemetry.histogram('jobs.total', 5);
    telemetry.gauge('jobs.total', 5);
    telemetry.emit('jobs.total', 3);
    expect(telemetry.getHealth().droppedByReason.kind_mismatch).toBe(2);
    // One line: the second mismatch is of the same kind within a second, so it is held back, not repeated.
    expect(bed.logger.matching("'jobs.total' was first recorded as a counter")).toHaveLength(1);
    await telemetry.forceFlush();
    expect(bed.receiver.latest('jobs.total')).toEqual([expect.objectContaining({ kind: 'sum', value: 4 })]);
  });

  it('treat label order and duplicate keys like OpenTelemetry attributes', async () => {
    telemetry.counter('order.total', 'a', '1', 'b', '2');
    telemetry.counter('order.total', 'b', '2', 'a', '1');
    telemetry.counter('order.total', 'a', 'x', 'b', '2', 'a', '1');
    await telemetry.forceFlush();
    expect(bed.receiver.latest('order.total')).toEqual([expect.objectContaining({ attributes: { a: '1', b: '2' }, value: 3 })]);
  });

  it('take more than four label pairs', async () => {
    const labels = Array.from({ length: 12 }, (_, i) => [`k${i}`, `v${i}`]).flat();
    telemetry.counter('wide.total', ...labels);
    telemetry.counter('wide.total', ...labels);
    telemetry.histogram('wide.duration_ms', 3, ...labels);
    await telemetry.forceFlush();
    const [point] = bed.receiver.latest('wide.total');
    expect(point.value).toBe(2);
    expect(Object.keys(point.attributes)).toHaveLength(12);
    expect(bed.receiver.latest('wide.duration_ms')[0].count).toBe(1);
  });

  it('bound the number of metric names', async () => {
    await bed.stop();
    bed = await startTestBed({ maxMetricNames: 3 });
    for (let i = 0; i < 10; i++) telemetry.counter(`name${i}.total`);
    const health = telemetry.getHealth();
    expect(health.metricNames).toBe(3);
    expect(health.droppedByReason.metric_limit).toBe(7);
  });
});

describe('typed label values', () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it('one series per text (200 and \'200\', true and \'true\'), exported with its first type; integers past 2^53 as text', async () => {
    bed = await startTestBed();
    for (const value of [200, '200', 200, true, 'true', 0.5, '0.5', -0, 0, 1e21, 2 ** 64]) telemetry.counter('typed.total', 'v', value as never);
    await telemetry.forceFlush();
    const points = bed.receiver.latest('typed.total').map((p) => [p.attributes.v, p.value]);
    expect(points).toEqual(expect.arrayContaining([[200, 3], [true, 2], [0.5, 2], [0, 2], ['1e+21', 1], ['18446744073709552000', 1]]));
    expect(points).toHaveLength(6);
    expect(telemetry.getHealth().sanitizedByReason).toMatchObject({ label_value_coerced: 2 });
  });
});
