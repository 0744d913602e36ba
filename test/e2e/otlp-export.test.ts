import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';
import { eventually, useFakeClock } from '../support/time';
import { MILLISECOND_BUCKETS, BYTE_BUCKETS } from '../../src/metrics/InstrumentRouter';

describe('export over OTLP/HTTP protobuf to a loopback receiver', () => {
  let bed: TestBed;
  beforeEach(async () => {
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-api-key=s3cret';
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'team=weather-team,k8s.namespace.name=prod';
    bed = await startTestBed({ serviceName: 'weather', serviceVersion: '2.1.0', serviceNamespace: 'tools', profile: 'staging' });
  });
  afterEach(async () => {
    delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
    delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    await bed.stop();
  });

  it('sends gzip-compressed protobuf with the configured headers and the resource', async () => {
    telemetry.counter('weather.requests.total');
    await telemetry.forceFlush();
    const [request] = bed.receiver.metricRequests;
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(request.headers['content-encoding']).toBe('gzip');
    expect(request.headers['x-api-key']).toBe('s3cret');
    expect(request.scopes).toEqual(['otel-facade']);
    expect(request.resource).toMatchObject({
      'service.name': 'weather',
      'service.version': '2.1.0',
      'service.namespace': 'tools',
      'deployment.environment.name': 'staging',
      'host.name': expect.any(String),
      'os.type': 'linux',
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.name': 'opentelemetry',
      team: 'weather-team',
      'k8s.namespace.name': 'prod',
    });
    expect(request.resource['service.instance.id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exports each kind with the right shape, unit, attributes and values', async () => {
    for (let i = 0; i < 5; i++) telemetry.counter('weather.requests.total', 'endpoint', '/current', 'method', 'GET');
    telemetry.counter('weather.requests.total', 'endpoint', '/forecast', 'method', 'GET');
    for (const v of [0.5, 3, 12.5, 99, 20000]) telemetry.histogram('weather.request.duration_ms', v, 'endpoint', '/current');
    telemetry.histogram('response.size', 2000);
    telemetry.gauge('connections.active', 40);
    telemetry.gauge('connections.active', 42);
    telemetry.upDownCounter('jobs.queued', 5, 'queue', 'email');
    telemetry.upDownCounter('jobs.queued', -8, 'queue', 'email');
    telemetry.emit('cache.hit.count', 3);
    telemetry.emit('queue.size', 17);
    telemetry.emit('db.query.latency', 4);
    await telemetry.forceFlush();
    const r = bed.receiver;

    const requests = r.latest('weather.requests.total');
    expect(requests).toHaveLength(2);
    for (const p of requests) {
      expect(p).toMatchObject({ kind: 'sum', monotonic: true, temporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE', unit: '' });
    }
    expect(requests.find((p) => p.attributes.endpoint === '/current')).toMatchObject({ attributes: { endpoint: '/current', method: 'GET' }, value: 5 });
    expect(requests.find((p) => p.attributes.endpoint === '/forecast')?.value).toBe(1);

    const [latency] = r.latest('weather.request.duration_ms');
    expect(latency).toMatchObject({ kind: 'histogram', unit: 'ms', temporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE', count: 5, sum: 20115, min: 0.5, max: 20000 });
    expect(latency.explicitBounds).toEqual(MILLISECOND_BUCKETS);
    const expected = new Array(MILLISECOND_BUCKETS.length + 1).fill(0);
    for (const v of [0.5, 3, 12.5, 99, 20000]) expected[MILLISECOND_BUCKETS.findIndex((b) => v <= b) === -1 ? MILLISECOND_BUCKETS.length : MILLISECOND_BUCKETS.findIndex((b) => v <= b)]++;
    expect(latency.bucketCounts).toEqual(expected);
    expect(r.latest('response.size')[0].explicitBounds).toEqual(BYTE_BUCKETS);

    expect(r.latest('connections.active')).toEqual([expect.objectContaining({ kind: 'gauge', value: 42 })]);
    expect(r.latest('jobs.queued')).toEqual([expect.objectContaining({ kind: 'sum', monotonic: false, value: -3, attributes: { queue: 'email' } })]);
    expect(r.latest('cache.hit.count')[0]).toMatchObject({ kind: 'sum', monotonic: true, value: 3 });
    expect(r.latest('queue.size')[0]).toMatchObject({ kind: 'gauge', value: 17 });
    expect(r.latest('db.query.latency')[0]).toMatchObject({ kind: 'histogram', count: 1, explicitBounds: MILLISECOND_BUCKETS });
  });

  it('keeps cumulative totals and start times across exports', async () => {
    telemetry.counter('jobs.total');
    telemetry.histogram('job.duration_ms', 10);
    await telemetry.forceFlush();
    const [firstCounter] = bed.receiver.latest('jobs.total');
    telemetry.counter('jobs.total');
    telemetry.counter('jobs.total');
    telemetry.histogram('job.duration_ms', 30);
    await telemetry.forceFlush();
    const [secondCounter] = bed.receiver.latest('jobs.total');
    expect([firstCounter.value, secondCounter.value]).toEqual([1, 3]);
    expect(secondCounter.startTimeUnixNano).toBe(firstCounter.startTimeUnixNano);
    expect(BigInt(secondCounter.timeUnixNano)).toBeGreaterThan(BigInt(firstCounter.timeUnixNano));
    expect(bed.receiver.latest('job.duration_ms')[0]).toMatchObject({ count: 2, sum: 40, min: 10, max: 30 });
  });

  it('is exact under concurrent async callers', async () => {
    const workers = 50;
    const perWorker = 400;
    const routes = ['/a', '/b', '/c', '/d'];
    await Promise.all(Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < perWorker; i++) {
        const route = routes[(w + i) % routes.length];
        telemetry.counter('concurrent.requests.total', 'route', route);
        telemetry.histogram('concurrent.duration_ms', i % 7, 'route', route);
        if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
        else await Promise.resolve();
      }
    }));
    await telemetry.forceFlush();
    const counts = bed.receiver.latest('concurrent.requests.total');
    expect(counts.reduce((sum, p) => sum + (p.value ?? 0), 0)).toBe(workers * perWorker);
    for (const p of counts) expect(p.value).toBe((workers * perWorker) / routes.length);
    const hist = bed.receiver.latest('concurrent.duration_ms');
    expect(hist.reduce((sum, p) => sum + (p.count ?? 0), 0)).toBe(workers * perWorker);
    let expectedSum = 0;
    for (let w = 0; w < workers; w++) for (let i = 0; i < perWorker; i++) expectedSum += i % 7;
    expect(hist.reduce((sum, p) => sum + (p.sum ?? 0), 0)).toBe(expectedSum);
  });

  it('exports on its own timer, every exportIntervalMs', async () => {
    await bed.stop();
    useFakeClock();
    try {
      bed = await startTestBed({ exportIntervalMs: 10_000, exportTimeoutMs: 5000 });
      telemetry.counter('timer.total');
      await jest.advanceTimersByTimeAsync(9_999);
      expect(bed.receiver.requestCount).toBe(0);
      await jest.advanceTimersByTimeAsync(1);
      await bed.receiver.waitFor(() => bed.receiver.latest('timer.total').length > 0);
      // The receiver stores the request before the exporter has read the answer: wait for the export's outcome.
      await eventually(() => telemetry.getHealth().lastExportAt !== undefined, 'the export outcome');
      expect(bed.receiver.latest('timer.total')[0].value).toBe(1);
      telemetry.counter('timer.total');
      await jest.advanceTimersByTimeAsync(10_000);
      await bed.receiver.waitFor(() => bed.receiver.latest('timer.total')[0]?.value === 2);
      expect(bed.receiver.metricRequests).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
