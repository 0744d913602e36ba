import { AggregationTemporality, AggregationType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, DataPointType, type ExponentialHistogram } from '@opentelemetry/sdk-metrics';
import * as telemetry from '../../src/index';
import { deadPort } from '../support/net';
import { startTestBed, type TestBed } from '../support/telemetry';

/** What the SDK itself makes of `values` with its exponential histogram aggregation: the reference. */
async function sdkReference(values: readonly number[]): Promise<ExponentialHistogram> {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    readers: [reader],
    views: [{ instrumentName: 'ref', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const histogram = provider.getMeter('ref').createHistogram('ref');
  for (const v of values) histogram.record(v);
  await reader.forceFlush();
  const point = exporter.getMetrics()[0].scopeMetrics[0].metrics[0];
  await provider.shutdown();
  expect(point.dataPointType).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
  return point.dataPoints[0].value as ExponentialHistogram;
}

const VALUES = [0, 0, 0.001, 0.5, 1, 1.5, 2, 3, 7.25, 100, 1000, 12345.678, 1e6, 2 ** 40];

describe('exponential histograms', () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it('declared per metric: buckets, scale and zero count exactly as the SDK aggregates them; exact count, sum, min, max', async () => {
    bed = await startTestBed();
    telemetry.declareMetrics('checkout', { metrics: [{ name: 'checkout.latency', type: 'histogram', unit: 'ms', aggregation: 'exponential' }] });
    for (const v of VALUES) telemetry.histogram('checkout.latency', v, 'step', 'pay');
    telemetry.histogram('plain.duration_ms', 5); // undeclared: explicit buckets still
    await telemetry.forceFlush();
    const [point] = bed.receiver.latest('checkout.latency');
    expect(point.kind).toBe('exponentialHistogram');
    const reference = await sdkReference(VALUES);
    expect(point.count).toBe(VALUES.length);
    expect(point.sum).toBe(VALUES.reduce((a, b) => a + b, 0));
    expect([point.min, point.max]).toEqual([0, 2 ** 40]);
    expect(point.scale).toBe(reference.scale);
    expect(point.zeroCount).toBe(reference.zeroCount);
    expect(point.positive).toEqual(reference.positive);
    expect(point.positive?.bucketCounts.length).toBeLessThanOrEqual(160);
    expect(point.attributes).toEqual({ step: 'pay' });
    expect(bed.receiver.latest('plain.duration_ms')[0].kind).toBe('histogram');
  });

  it('for every histogram with OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION, explicit buckets declared staying explicit', async () => {
    process.env.OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION = 'base2_exponential_bucket_histogram';
    try {
      bed = await startTestBed();
      telemetry.declareMetrics('sizes', { metrics: [{ name: 'upload.size', type: 'histogram', unit: 'By', buckets: [1024, 4096] }] });
      for (let i = 1; i <= 1000; i++) telemetry.histogram('job.duration_ms', i / 7);
      telemetry.histogram('upload.size', 2000);
      await telemetry.forceFlush();
      const [point] = bed.receiver.latest('job.duration_ms');
      expect(point.kind).toBe('exponentialHistogram');
      const reference = await sdkReference(Array.from({ length: 1000 }, (_, i) => (i + 1) / 7));
      expect([point.scale, point.positive]).toEqual([reference.scale, reference.positive]);
      expect(point.count).toBe(1000);
      expect(bed.receiver.latest('upload.size')[0].kind).toBe('histogram');
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION;
    }
  });

  it('a declaration that mixes exponential with buckets, or aggregation on a counter, is refused and said', async () => {
    bed = await startTestBed();
    telemetry.declareMetrics('bad', { metrics: [
      { name: 'a.duration_ms', type: 'histogram', aggregation: 'exponential', buckets: [1, 2] },
      { name: 'b.total', type: 'counter', aggregation: 'exponential' },
    ] });
    expect(bed.logger.matching('buckets apply to explicit histograms, not exponential ones')).toHaveLength(1);
    expect(bed.logger.matching('aggregation applies to histograms only')).toHaveLength(1);
  });
});

describe('exponential histograms and the Prometheus endpoint', () => {
  it('are left out of the scrape (the text format cannot carry them), said once; OTLP still has them', async () => {
    const port = await deadPort(); // free now; the endpoint takes it
    const bed = await startTestBed({ prometheus: { port, host: '127.0.0.1' } });
    try {
      telemetry.declareMetrics('m', { metrics: [{ name: 'expo.latency', type: 'histogram', aggregation: 'exponential' }] });
      telemetry.histogram('expo.latency', 3);
      telemetry.counter('plain.total');
      let text = '';
      for (let attempt = 0; attempt < 50 && text === ''; attempt++) {
        // The server starts listening on a later turn; a refused connection means not yet.
        text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => new Promise<string>((resolve) => setImmediate(() => resolve(''))));
      }
      expect(text).toContain('plain_total');
      expect(text).not.toContain('expo_latency');
      expect(bed.logger.matching("metric 'expo.latency' is an exponential histogram")).toHaveLength(1);
      await telemetry.forceFlush();
      expect(bed.receiver.latest('expo.latency')[0].kind).toBe('exponentialHistogram');
    } finally {
      await bed.stop();
    }
  });
});
