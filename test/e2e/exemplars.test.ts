import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as telemetry from '../../src/index';
import type { ReceivedPoint } from '../../examples/collector/local-collector';
import { startTestBed, type TestBed } from '../support/telemetry';
import { eventually } from '../support/time';

/*
 * Exemplars end to end: recorded through the public functions within real spans of our TracerProvider, exported over
 * OTLP/HTTP (protobuf and JSON) to the loopback collector, decoded there by the official generated code, and matched
 * against the spans the same collector received.
 */

const exemplarsOf = (points: ReceivedPoint[]) => points.flatMap((point) => point.exemplars ?? []);

/** A facade span's trace and span ids, from its OpenTelemetry span. */
function idsOf(span: telemetry.Span): { traceId: string; spanId: string } {
  const context = telemetry.otelSpanOf(span)?.spanContext();
  if (context === undefined) throw new Error('not a span of ours');
  return { traceId: context.traceId, spanId: context.spanId };
}

describe.each(['http/protobuf', 'http/json'] as const)('exemplars over %s', (protocol) => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it('carry the value, the time and the ids of the sampled span they were recorded in, and are exported once', async () => {
    bed = await startTestBed({ protocol, samplingRate: 1 });
    telemetry.counter('orders.total', 'status', 'ok'); // no span: no exemplar
    const ids = telemetry.withSpan('checkout', (span) => {
      telemetry.histogram('checkout.duration_ms', 12, 'step', 'pay');
      telemetry.histogram('checkout.duration_ms', 700, 'step', 'pay');
      telemetry.counter('orders.total', 'status', 'ok');
      telemetry.gauge('cart.items', 3);
      telemetry.upDownCounter('checkouts.active', 1);
      return idsOf(span);
    });
    await telemetry.forceFlush();
    const r = bed.receiver;
    const [trace] = r.spans().filter((span) => span.name === 'checkout');
    expect([trace.traceId, trace.spanId]).toEqual([ids.traceId, ids.spanId]);
    const expected = (value: number) => ({ value, timeUnixNano: expect.stringMatching(/^\d{19}$/), traceId: ids.traceId, spanId: ids.spanId, filteredAttributes: {} });
    const [histogram] = r.latest('checkout.duration_ms');
    expect(histogram.exemplars).toEqual([expected(12), expected(700)]); // one per bucket
    expect(histogram.bucketCounts?.filter((count) => count > 0)).toHaveLength(2);
    expect(r.latest('orders.total')[0].exemplars).toEqual([expected(1)]);
    expect(r.latest('cart.items')[0].exemplars).toEqual([expected(3)]);
    expect(r.latest('checkouts.active')[0].exemplars).toEqual([expected(1)]);
    // Within the point's window: after its start, before its end.
    const time = BigInt(histogram.exemplars?.[0].timeUnixNano ?? '0');
    expect(time >= BigInt(histogram.startTimeUnixNano) && time <= BigInt(histogram.timeUnixNano)).toBe(true);

    await telemetry.forceFlush(); // delivered: the next collection has the same totals and no exemplar again
    expect(r.metricRequests.at(-1)?.points.filter((point) => point.exemplars !== undefined)).toEqual([]);
    expect(r.latest('orders.total')[0].value).toBe(2);
  });
});

describe('exemplars and the export that carries them', () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it('stay when the export failed, and go with the next one that succeeds', async () => {
    bed = await startTestBed({ samplingRate: 1 });
    const spanId = telemetry.withSpan('job', (span) => {
      telemetry.histogram('job.duration_ms', 40);
      return idsOf(span).spanId;
    });
    bed.receiver.mode = { kind: 'status', status: 400 }; // not retried: the collection fails at once
    await telemetry.forceFlush();
    expect(telemetry.getHealth().signals.metrics.exportFailures).toBeGreaterThan(0);
    bed.receiver.mode = { kind: 'ok' };
    await telemetry.forceFlush();
    expect(exemplarsOf(bed.receiver.latest('job.duration_ms')).map((e) => [e.value, e.spanId])).toEqual([[40, spanId]]);
  });

  it('survive requests split by a collector that refuses them as too large (413)', async () => {
    bed = await startTestBed({ samplingRate: 1, compression: 'none' }); // the limit is on the bytes received
    telemetry.withSpan('bulk', () => {
      for (let i = 0; i < 60; i++) telemetry.histogram('bulk.duration_ms', i, 'item', `item-${i}`);
    });
    bed.receiver.mode = { kind: 'limit', maxBytes: 2048 };
    await telemetry.forceFlush();
    const points = bed.receiver.latest('bulk.duration_ms');
    expect(bed.receiver.log.filter((entry) => entry.status === 413).length).toBeGreaterThan(0);
    expect(points).toHaveLength(60);
    expect(points.every((point) => point.exemplars?.length === 1 && point.exemplars[0].value === Number(String(point.attributes.item).slice(5)))).toBe(true);
  });

  it('go with the last export at shutdown', async () => {
    bed = await startTestBed({ samplingRate: 1 });
    const spanId = telemetry.withSpan('last', (span) => {
      telemetry.counter('last.total');
      return idsOf(span).spanId;
    });
    await telemetry.shutdown();
    expect(exemplarsOf(bed.receiver.latest('last.total')).map((e) => e.spanId)).toEqual([spanId]);
  });

  it('an unsampled span gives none under trace_based (the default)', async () => {
    bed = await startTestBed({ samplingRate: 0 });
    telemetry.withSpan('unsampled', () => telemetry.histogram('quiet.duration_ms', 5));
    await telemetry.forceFlush();
    expect(bed.receiver.latest('quiet.duration_ms')[0].exemplars).toBeUndefined();
  });

  it('exponential histograms keep at most 20, all from the span', async () => {
    bed = await startTestBed({ samplingRate: 1, histogramAggregation: 'base2_exponential_bucket_histogram' });
    const spanId = telemetry.withSpan('batch', (span) => {
      for (let i = 1; i <= 500; i++) telemetry.histogram('batch.item_ms', i);
      return idsOf(span).spanId;
    });
    await telemetry.forceFlush();
    const [point] = bed.receiver.latest('batch.item_ms');
    expect(point.kind).toBe('exponentialHistogram');
    const exemplars = point.exemplars ?? [];
    expect(exemplars).toHaveLength(20);
    expect(new Set(exemplars.map((e) => e.spanId))).toEqual(new Set([spanId]));
  });

  it("the middleware's request duration carries the request's server span", async () => {
    bed = await startTestBed({ samplingRate: 1 });
    const mw = telemetry.tracingMiddleware();
    const server: Server = createServer((req, res) => mw(req, res, () => res.end('ok')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await (await fetch(`http://127.0.0.1:${port}/orders`)).text();
      // The request's two metrics are recorded when its response closes, which may come after the answer arrived.
      await eventually(() => telemetry.getHealth().metricsEmitted >= 2, 'the request\'s metrics');
      await telemetry.forceFlush();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const [serverSpan] = bed.receiver.spans().filter((span) => span.kind === 'SPAN_KIND_SERVER');
    expect(exemplarsOf(bed.receiver.latest('http.server.request.duration')).map((e) => e.spanId)).toEqual([serverSpan.spanId]);
    expect(exemplarsOf(bed.receiver.latest('http.server.request.count')).map((e) => e.traceId)).toEqual([serverSpan.traceId]);
  });

  it("tracedFetch()'s call duration carries its client span", async () => {
    bed = await startTestBed({ samplingRate: 1 });
    const server: Server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await (await telemetry.tracedFetch(`http://127.0.0.1:${port}/weather`)).text();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await telemetry.forceFlush();
    const [client] = bed.receiver.spans().filter((span) => span.kind === 'SPAN_KIND_CLIENT');
    expect(exemplarsOf(bed.receiver.latest('http.client.request.duration')).map((e) => e.spanId)).toEqual([client.spanId]);
  });

  it('traceOperation() records its metrics within its span', async () => {
    bed = await startTestBed({ samplingRate: 1 });
    const spanId = await telemetry.traceOperation('weather.fetch', async (span) => {
      await Promise.resolve();
      return idsOf(span).spanId;
    }, 'provider', 'openmeteo');
    await telemetry.forceFlush();
    expect(exemplarsOf(bed.receiver.latest('weather.fetch.duration_ms')).map((e) => e.spanId)).toEqual([spanId]);
  });
});

describe('OTEL_METRICS_EXEMPLAR_FILTER and metrics.exemplarFilter', () => {
  let bed: TestBed;
  afterEach(async () => {
    delete process.env.OTEL_METRICS_EXEMPLAR_FILTER;
    await bed.stop();
  });

  it('always_on: every measurement, without ids when no span is active', async () => {
    process.env.OTEL_METRICS_EXEMPLAR_FILTER = 'ALWAYS_ON'; // enum values are read case-insensitively
    bed = await startTestBed();
    telemetry.counter('plain.total');
    await telemetry.forceFlush();
    expect(bed.receiver.latest('plain.total')[0].exemplars).toEqual([
      { value: 1, timeUnixNano: expect.any(String), traceId: '', spanId: '', filteredAttributes: {} },
    ]);
  });

  it('always_off in the config: none, even within a sampled span', async () => {
    bed = await startTestBed({ samplingRate: 1, metrics: { exemplarFilter: 'always_off' } });
    telemetry.withSpan('work', () => telemetry.histogram('work.duration_ms', 5));
    await telemetry.forceFlush();
    expect(bed.receiver.latest('work.duration_ms')[0].exemplars).toBeUndefined();
  });

  it('a malformed value is warned about by name and ignored (trace_based stays)', async () => {
    process.env.OTEL_METRICS_EXEMPLAR_FILTER = 'sometimes';
    bed = await startTestBed({ samplingRate: 1 });
    expect(bed.logger.matching('OTEL_METRICS_EXEMPLAR_FILTER=')).toHaveLength(1);
    expect(bed.logger.matching('is set, but this library does not read it')).toEqual([]);
    telemetry.counter('outside.total');
    telemetry.withSpan('work', () => telemetry.counter('inside.total'));
    await telemetry.forceFlush();
    expect(bed.receiver.latest('outside.total')[0].exemplars).toBeUndefined();
    expect(bed.receiver.latest('inside.total')[0].exemplars).toHaveLength(1);
  });

  it('set while metrics are only scraped by Prometheus: said to have no effect', async () => {
    bed = await startTestBed({ metrics: { exporter: 'prometheus', exemplarFilter: 'always_on' }, prometheus: { port: 0 } });
    expect(bed.logger.matching('metrics.exemplarFilter = always_on (set in the config) has no effect')).toHaveLength(1);
  });
});
