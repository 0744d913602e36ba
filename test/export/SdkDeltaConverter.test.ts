import { ValueType } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { DeltaLedger } from '../../src/export/DeltaLedger';
import { SdkDeltaConverter } from '../../src/export/SdkDeltaConverter';
import { instrumentKey, observableCounters } from '../../src/export/observableCounters';

const descriptor = (name: string) => ({ name, description: '', unit: '', valueType: ValueType.DOUBLE });

function sum(name: string, value: number, monotonic = true, attributes: Record<string, string> = {}, end = 10): MetricData {
  return {
    descriptor: descriptor(name), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM,
    isMonotonic: monotonic, dataPoints: [{ startTime: [1, 0], endTime: [end, 0], attributes, value }],
  };
}

function histogram(name: string, counts: number[], boundaries: number[], end = 10): MetricData {
  const count = counts.reduce((a, b) => a + b, 0);
  return {
    descriptor: descriptor(name), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [{ startTime: [1, 0], endTime: [end, 0], attributes: {}, value: { buckets: { boundaries, counts }, count, sum: count * 2, min: 1, max: 3 } }],
  };
}

const scope = (name: string, ...metrics: MetricData[]): ScopeMetrics => ({ scope: { name }, metrics });

/** Converts, settles everything (delivered), and returns the points' values by metric. */
function deliver(converter: SdkDeltaConverter, scopes: ScopeMetrics[], settle = true): Record<string, unknown[]> {
  const ledger = new DeltaLedger();
  const out = converter.convert(scopes, ledger);
  if (settle) ledger.settle({ resource: undefined as never, scopeMetrics: out });
  const values: Record<string, unknown[]> = {};
  for (const s of out) for (const m of s.metrics) values[m.descriptor.name] = m.dataPoints.map((p) => p.value);
  return values;
}

describe('SdkDeltaConverter', () => {
  it('subtracts what was delivered, keeps what was not, and leaves out series with nothing new', () => {
    const converter = new SdkDeltaConverter('delta', new Set());
    expect(deliver(converter, [scope('app', sum('c', 5))])).toEqual({ c: [5] });
    expect(deliver(converter, [scope('app', sum('c', 8))], false)).toEqual({ c: [3] }); // failed: not settled
    expect(deliver(converter, [scope('app', sum('c', 9))])).toEqual({ c: [4] });
    expect(deliver(converter, [scope('app', sum('c', 9))])).toEqual({});
  });

  it('a value below its baseline is a series that started over: all of it is new', () => {
    const converter = new SdkDeltaConverter('delta', new Set());
    deliver(converter, [scope('app', sum('c', 50))]);
    expect(deliver(converter, [scope('app', sum('c', 3))])).toEqual({ c: [3] });
  });

  it('histograms: bucket counts, count and sum since the baseline, without min and max; new boundaries start over', () => {
    const converter = new SdkDeltaConverter('delta', new Set());
    deliver(converter, [scope('app', histogram('h', [1, 2, 0], [1, 10]))]);
    expect(deliver(converter, [scope('app', histogram('h', [1, 5, 1], [1, 10]))])).toEqual({
      h: [{ buckets: { boundaries: [1, 10], counts: [0, 3, 1] }, count: 4, sum: 8, min: undefined, max: undefined }],
    });
    expect(deliver(converter, [scope('app', histogram('h', [2, 5], [5]))])).toMatchObject({ h: [{ count: 7, buckets: { counts: [2, 5] } }] });
  });

  it('leaves up-down counters and gauges cumulative, and series of one scope apart from another\'s', () => {
    const converter = new SdkDeltaConverter('delta', new Set());
    const gauge: MetricData = { ...sum('g', 4), dataPointType: DataPointType.GAUGE } as MetricData;
    deliver(converter, [scope('a', sum('c', 5), sum('u', 7, false), gauge), scope('b', sum('c', 1))]);
    const ledger = new DeltaLedger();
    const out = converter.convert([scope('a', sum('c', 6), sum('u', 7, false), gauge), scope('b', sum('c', 1))], ledger);
    expect(out.map((s) => [s.scope.name, s.metrics.map((m) => [m.descriptor.name, m.aggregationTemporality, m.dataPoints[0].value])])).toEqual([
      ['a', [['c', AggregationTemporality.DELTA, 1], ['u', AggregationTemporality.CUMULATIVE, 7], ['g', AggregationTemporality.CUMULATIVE, 4]]],
    ]);
  });

  it('lowmemory: monotonic sums of observable scopes stay cumulative, other counters and histograms go delta', () => {
    const converter = new SdkDeltaConverter('lowmemory', new Set(['otel-facade/self']));
    deliver(converter, [scope('otel-facade/self', sum('o', 5)), scope('app', sum('c', 5))]);
    expect(deliver(converter, [scope('otel-facade/self', sum('o', 6)), scope('app', sum('c', 6))])).toEqual({ o: [6], c: [1] });
  });

  it('forgets the baselines of series unseen for ten collections, so it holds only what the SDK still reports', () => {
    const converter = new SdkDeltaConverter('delta', new Set());
    deliver(converter, [scope('app', sum('gone', 100, true, { k: 'v' }))]);
    for (let i = 0; i < 11; i++) deliver(converter, [scope('app', sum('other', i + 1))]);
    // Forgotten: reported again, it counts from its own start.
    expect(deliver(converter, [scope('app', sum('gone', 101, true, { k: 'v' }))])).toEqual({ gone: [101] });
  });

  it('a series keyed by its attributes whatever their order', () => {
    const converter = new SdkDeltaConverter('delta', new Set());
    deliver(converter, [scope('app', sum('c', 5, true, { a: '1', b: '2' }))]);
    expect(deliver(converter, [scope('app', sum('c', 6, true, { b: '2', a: '1' }))])).toEqual({ c: [1] });
  });
});

describe('observableCounters', () => {
  it('reads the observable counters from a MeterProvider with a reader, and nothing else', async () => {
    const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
    const { SdkMetricsReader } = await import('../../src/export/SdkMetricsReader');
    const provider = new MeterProvider({ readers: [new SdkMetricsReader()] });
    const meter = provider.getMeter('lib', '2.0');
    meter.createObservableCounter('seen.total').addCallback((r) => r.observe(1));
    meter.createCounter('sync.total').add(1);
    meter.createObservableUpDownCounter('level').addCallback((r) => r.observe(1));
    expect(observableCounters(provider)).toEqual(new Set([instrumentKey('lib', '2.0', 'seen.total')]));
    await provider.shutdown();
  });

  it('an unreadable registry gives undefined (the converter then goes by scope), never a throw', () => {
    expect(observableCounters({} as never)).toBeUndefined();
    const hostile = { get _sharedState(): never { throw new Error('no'); } };
    expect(observableCounters(hostile as never)).toBeUndefined();
  });
});
