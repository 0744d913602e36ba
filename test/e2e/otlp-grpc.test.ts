import { createServer, Socket } from 'node:net';
import * as telemetry from '../../src/index';
import { LocalCollector } from '../../examples/collector/local-collector';
import { grpcStatus, LocalGrpcCollector } from '../../examples/collector/local-grpc-collector';
import { deadPort } from '../support/net';
import { startGrpcTestBed, startTestBed, type TestBed } from '../support/telemetry';
import { makeTlsFixture, opensslAvailable, type TlsFixture } from '../support/tls-fixture';

const BREAKER = { enabled: true, maxFailures: 2, recoveryTimeMs: 60_000, halfOpenMax: 1 };

describe('OTLP/gRPC, end to end against a real @grpc/grpc-js receiver', () => {
  let bed: TestBed | undefined;
  const started: { stop(): Promise<void> }[] = [];
  const saved = { ...process.env };
  afterEach(async () => {
    await bed?.stop();
    bed = undefined;
    for (const server of started.splice(0)) await server.stop();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('delivers metrics and spans with their exact values, headers as metadata, and says gRPC where it started', async () => {
    bed = await startGrpcTestBed({ headers: { 'X-Tenant': 'acme' } });
    telemetry.counter('orders.total', 'region', 'eu');
    telemetry.counter('orders.total', 'region', 'eu');
    telemetry.counter('orders.total', 'region', 'us');
    telemetry.declareMetrics('grpc-test', { metrics: [{ name: 'checkout.latency_ms', type: 'histogram', buckets: [10, 100] }] });
    for (const value of [5, 50, 500]) telemetry.histogram('checkout.latency_ms', value);
    telemetry.gauge('queue.depth', 7);
    await telemetry.withSpan('parent', (span) => {
      span.setAttribute('order.id', 'A-1');
      telemetry.startSpan('child').end();
    });
    await telemetry.forceFlush();

    const receiver = bed.receiver;
    expect(receiver.latest('orders.total').map((p) => [p.attributes.region, p.value]).sort()).toEqual([['eu', 2], ['us', 1]]);
    const [histogram] = receiver.latest('checkout.latency_ms');
    expect(histogram).toMatchObject({ kind: 'histogram', count: 3, sum: 555, min: 5, max: 500, explicitBounds: [10, 100], bucketCounts: [1, 1, 1] });
    expect(receiver.latest('queue.depth')[0]).toMatchObject({ kind: 'gauge', value: 7 });
    expect(receiver.metricRequests[0].resource['service.name']).toBe('test-service');
    expect(receiver.metricRequests[0].headers['x-tenant']).toBe('acme');
    const spans = receiver.spans();
    const parent = spans.find((s) => s.name === 'parent');
    const child = spans.find((s) => s.name === 'child');
    expect(parent?.attributes['order.id']).toBe('A-1');
    expect(child?.parentSpanId).toBe(parent?.spanId);
    expect(child?.traceId).toBe(parent?.traceId);
    // Both signals went to their own services, over gRPC, and every call was answered OK.
    expect(new Set(receiver.log.map((entry) => entry.path))).toEqual(new Set(['/v1/metrics', '/v1/traces']));
    expect(receiver.log.every((entry) => entry.grpcCode === grpcStatus.OK)).toBe(true);

    const health = telemetry.getHealth();
    expect(health.signals.metrics).toMatchObject({ endpoint: receiver.url, exports: 1, exportFailures: 0 });
    expect(health.signals.traces).toMatchObject({ endpoint: receiver.url, exportFailures: 0 });
    expect(bed.logger.matching('started')[0]).toContain(`metrics → otlp gRPC ${receiver.url} every 60 s; traces → otlp gRPC ${receiver.url}`);
  });

  it('sends each signal its own way: metrics over gRPC, traces over HTTP (metrics.protocol)', async () => {
    const http = await new LocalCollector().start();
    started.push(http);
    bed = await startGrpcTestBed({ protocol: undefined, metrics: { protocol: 'grpc' }, traces: { endpoint: `${http.url}/v1/traces` } });
    telemetry.counter('mixed.total');
    telemetry.startSpan('over-http').end();
    await telemetry.forceFlush();
    expect(bed.receiver.latest('mixed.total')[0].value).toBe(1);
    expect(bed.receiver.spans()).toEqual([]);
    expect(http.spans().map((s) => s.name)).toEqual(['over-http']);
    expect(http.metricRequests).toEqual([]);
    expect(telemetry.getHealth().signals.traces.endpoint).toBe(`${http.url}/v1/traces`);
  });

  it('is configured from the environment: OTEL_EXPORTER_OTLP_PROTOCOL=grpc, or per signal', async () => {
    const http = await new LocalCollector().start();
    started.push(http);
    // No protocol and no endpoint in the config: the variables say it, as an operator would.
    bed = await startGrpcTestBed({ protocol: undefined, endpoint: undefined }, {}, (url) => {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = url;
      process.env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL = 'grpc';
      process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = 'http/protobuf';
      process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${http.url}/v1/traces`;
      process.env.OTEL_EXPORTER_OTLP_METRICS_HEADERS = 'authorization=Bearer%20t0ken';
    });
    telemetry.counter('env.total');
    telemetry.startSpan('env-span').end();
    await telemetry.forceFlush();
    expect(bed.receiver.latest('env.total')[0].value).toBe(1);
    expect(bed.receiver.metricRequests[0].headers.authorization).toBe('Bearer t0ken');
    expect(http.spans().map((s) => s.name)).toEqual(['env-span']);
    // Nothing about gRPC being unsupported, or about the ports.
    expect(bed.logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('OTEL_EXPORTER_OTLP_PROTOCOL=grpc alone sends both signals over gRPC', async () => {
    bed = await startGrpcTestBed({ protocol: undefined }, {}, () => {
      process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'grpc';
    });
    telemetry.counter('both.total');
    telemetry.startSpan('both').end();
    await telemetry.forceFlush();
    expect(bed.receiver.latest('both.total')[0].value).toBe(1);
    expect(bed.receiver.spans().map((s) => s.name)).toEqual(['both']);
  });

  it('a dead endpoint: the first failure is said at once with the address and the real error, the breaker opens, health shows it', async () => {
    const url = `http://127.0.0.1:${await deadPort()}`;
    bed = await startGrpcTestBed({ endpoint: url, exportTimeoutMs: 300, spanBatch: { exportTimeoutMs: 300 }, circuitBreaker: BREAKER });
    for (let i = 0; i < 3; i++) {
      telemetry.counter('lost.total');
      await telemetry.forceFlush();
    }
    const [first, ...rest] = bed.logger.matching('metrics export to');
    expect(first).toContain(`metrics export to ${url} failed: gRPC UNAVAILABLE`);
    expect(first).toContain('ECONNREFUSED');
    expect(first).toContain('accepts OTLP/gRPC at that address (usually port 4317)');
    expect(rest).toEqual([]);
    expect(bed.logger.matching('metrics export circuit breaker opened')[0]).toContain(url);
    const health = telemetry.getHealth();
    expect(health.signals.metrics).toMatchObject({ endpoint: url, circuitState: 'open', exportFailures: 2, exportsSkipped: 1 });
    expect(health.signals.metrics.lastError).toMatch(new RegExp(`^${url}: gRPC UNAVAILABLE: .*ECONNREFUSED`));
  });

  it('a collector whose message limit is exceeded (RESOURCE_EXHAUSTED): requests are split, nothing is lost, the limit is learned', async () => {
    bed = await startGrpcTestBed({ compression: 'none' }, { maxReceiveMessageLength: 8000 });
    for (let i = 0; i < 300; i++) telemetry.counter('split.total', 'item', `item-${i}`);
    await telemetry.forceFlush();
    const points = bed.receiver.latest('split.total');
    expect(points).toHaveLength(300);
    expect(points.every((p) => p.value === 1)).toBe(true);
    // Every request that got in was within the collector's limit, and more than one was needed.
    expect(bed.receiver.metricRequests.length).toBeGreaterThan(1);
    expect(Math.max(...bed.receiver.log.map((entry) => entry.bytes))).toBeLessThanOrEqual(8000);
    const health = telemetry.getHealth().signals.metrics;
    expect(health.requestsTooLarge).toBeGreaterThan(0);
    expect(health.maxBytesPerRequest).toBeLessThan(8000);
    expect(health.exportFailures).toBe(0);
    expect(bed.logger.matching('as too large')[0]).toMatch(/refused a \d+ KB request \(\d+ data points\) as too large \(gRPC RESOURCE_EXHAUSTED\)/);
  });

  it('delta temporality over gRPC: across refused calls and RESOURCE_EXHAUSTED splits, the deltas add up to what was recorded', async () => {
    bed = await startGrpcTestBed({ compression: 'none', metrics: { temporality: 'delta' } }, { maxReceiveMessageLength: 8000 });
    const recorded = new Map<string, number>();
    for (let round = 1; round <= 4; round++) {
      for (let i = 0; i < 300; i++) {
        telemetry.emit('split.total', round, 'item', `item-${i}`);
        recorded.set(`item-${i}`, (recorded.get(`item-${i}`) ?? 0) + round);
      }
      bed.receiver.mode = round === 2 ? { kind: 'grpcStatus', code: grpcStatus.PERMISSION_DENIED } : { kind: 'ok' };
      await telemetry.forceFlush();
    }
    const totals = new Map<string, number>();
    for (const p of bed.receiver.allPoints().filter((point) => point.metric === 'split.total')) {
      expect(p.temporality).toBe('AGGREGATION_TEMPORALITY_DELTA');
      totals.set(String(p.attributes.item), (totals.get(String(p.attributes.item)) ?? 0) + (p.value ?? 0));
    }
    expect(Object.fromEntries(totals)).toEqual(Object.fromEntries(recorded));
    const health = telemetry.getHealth().signals.metrics;
    expect(health.requestsTooLarge).toBeGreaterThan(0);
    expect(health.exportFailures).toBe(1);
  });

  it('an answer over our 4 MiB limit is not mistaken for the collector refusing the request as too large', async () => {
    bed = await startGrpcTestBed({ compression: 'none' });
    bed.receiver.mode = { kind: 'partial', rejected: 0, message: 'x'.repeat(5 * 1024 * 1024) };
    telemetry.counter('orders.total', 'region', 'eu');
    await telemetry.forceFlush();
    // The collector took the request; only its answer was too large to read.
    expect(bed.receiver.latest('orders.total')).toHaveLength(1);
    const health = telemetry.getHealth().signals.metrics;
    expect(health.requestsTooLarge).toBe(0);
    expect(health.exportFailures).toBe(1);
    expect(health.lastError).toContain("the collector's answer was larger than 4194305 bytes");
    expect(bed.logger.matching('as too large')).toEqual([]);
  });

  it('a collector that never answers: our deadline ends the call, and the failure says so', async () => {
    bed = await startGrpcTestBed({ exportTimeoutMs: 300 });
    bed.receiver.mode = { kind: 'hang' };
    telemetry.counter('hung.total');
    await telemetry.forceFlush();
    expect(bed.receiver.log.filter((entry) => entry.path === '/v1/metrics')).toHaveLength(1);
    const health = telemetry.getHealth().signals.metrics;
    expect(health.exportFailures).toBe(1);
    expect(health.lastError).toMatch(/no answer within \d+ ms \(timeout\): gRPC DEADLINE_EXCEEDED/);
    expect(bed.logger.matching('metrics export to')[0]).toContain('Check that the collector is reachable and not overloaded');
  });

  it('a partial success is read from the answer and said once; the export counts as delivered', async () => {
    bed = await startGrpcTestBed();
    bed.receiver.mode = { kind: 'partial', rejected: 3, message: 'points too old' };
    telemetry.counter('partial.total');
    await telemetry.forceFlush();
    telemetry.counter('partial.total');
    await telemetry.forceFlush();
    expect(bed.logger.matching('rejected')).toEqual([`otel-facade: the collector at ${bed.receiver.url} accepted an export but rejected 3 data points: points too old.`]);
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 2, exportFailures: 0 });
  });

  it.each([
    ['UNAUTHENTICATED', grpcStatus.UNAUTHENTICATED, 'Check the credentials sent as metadata'],
    ['PERMISSION_DENIED', grpcStatus.PERMISSION_DENIED, 'Check the credentials sent as metadata'],
    ['UNIMPLEMENTED', grpcStatus.UNIMPLEMENTED, 'does not serve OTLP/gRPC for this signal'],
  ])('a collector that answers %s: named, with its text and what to check, and not retried', async (name, code, hint) => {
    bed = await startGrpcTestBed({ exportTimeoutMs: 4000 });
    bed.receiver.mode = { kind: 'grpcStatus', code, details: 'refused by policy' };
    telemetry.counter('refused.total');
    await telemetry.forceFlush();
    expect(bed.receiver.log.filter((entry) => entry.path === '/v1/metrics')).toHaveLength(1);
    const [line] = bed.logger.matching('metrics export to');
    expect(line).toContain(`failed: gRPC ${name} (${code}): refused by policy.`);
    expect(line).toContain(hint);
  });

  it('UNAVAILABLE from a running collector is retried within the deadline, and the export then succeeds', async () => {
    bed = await startGrpcTestBed({ exportTimeoutMs: 4000 });
    bed.receiver.mode = { kind: 'grpcStatus', code: grpcStatus.UNAVAILABLE, details: 'warming up' };
    bed.receiver.once('request', () => {
      bed!.receiver.mode = { kind: 'ok' };
    });
    telemetry.counter('retried.total');
    await telemetry.forceFlush();
    expect(bed.receiver.log.filter((entry) => entry.path === '/v1/metrics').map((entry) => entry.grpcCode)).toEqual([grpcStatus.UNAVAILABLE, grpcStatus.OK]);
    expect(bed.receiver.latest('retried.total')[0].value).toBe(1);
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 1, exportFailures: 0 });
  });

  it('a header gRPC metadata cannot carry is left out and said once, by name only; the others are sent', async () => {
    bed = await startGrpcTestBed({ headers: { 'x-tenant': 'acme', 'x-label': 'café s3cret' } });
    telemetry.counter('headers.total');
    telemetry.startSpan('headers').end();
    await telemetry.forceFlush();
    expect(bed.receiver.latest('headers.total')[0].value).toBe(1);
    expect(bed.receiver.metricRequests[0].headers).toMatchObject({ 'x-tenant': 'acme' });
    expect(bed.receiver.metricRequests[0].headers['x-label']).toBeUndefined();
    const said = bed.logger.matching('cannot be sent as gRPC metadata');
    expect(said).toHaveLength(1);
    expect(said[0]).toContain("the header 'x-label'");
    expect(bed.logger.lines.some((line) => line.message.includes('s3cret'))).toBe(false);
  });

  it('gRPC sent to an OTLP/HTTP port: the real error, and that the port does not speak gRPC', async () => {
    const http = await new LocalCollector().start();
    started.push(http);
    bed = await startGrpcTestBed({ endpoint: http.url, exportTimeoutMs: 500 });
    telemetry.counter('wrong.port.total');
    await telemetry.forceFlush();
    const [line] = bed.logger.matching('metrics export to');
    expect(line).toContain(`metrics export to ${http.url} failed: gRPC UNAVAILABLE`);
    expect(line).toContain('does not speak gRPC (HTTP/2): is it an OTLP/HTTP port (usually 4318)?');
    expect(http.metricRequests).toEqual([]);
  });

  it('gzip: each request message is compressed on the wire (grpc-js), and decodes to the same values', async () => {
    const run = async (compression: 'gzip' | 'none'): Promise<{ wire: number; decoded: number }> => {
      const receiver = await new LocalGrpcCollector().start();
      const proxy = await countingProxy(receiver.port);
      try {
        bed = await startTestBed({ protocol: 'grpc', endpoint: proxy.url, compression });
        // Repetitive label values: gzip shrinks them several times over.
        for (let i = 0; i < 200; i++) telemetry.counter('zip.total', 'path', `/api/v1/orders/${'segment/'.repeat(20)}${i}`);
        await telemetry.forceFlush();
        await bed.stop();
        bed = undefined;
        expect(receiver.latest('zip.total')).toHaveLength(200);
        const decoded = receiver.log.reduce((total, entry) => total + entry.bytes, 0);
        return { wire: proxy.bytes(), decoded };
      } finally {
        await proxy.stop();
        await receiver.stop();
      }
    };
    const zipped = await run('gzip');
    const plain = await run('none');
    expect(plain.wire).toBeGreaterThan(plain.decoded);
    expect(zipped.wire * 4).toBeLessThan(zipped.decoded);
  });

  (opensslAvailable() ? describe : describe.skip)('over TLS', () => {
    let tls: TlsFixture;
    beforeAll(() => {
      tls = makeTlsFixture();
    });
    afterAll(() => tls.remove());

    it('an https:// endpoint with our certificate files: mutual TLS', async () => {
      bed = await startGrpcTestBed({ certificate: tls.caPath, clientKey: tls.clientKeyPath, clientCertificate: tls.clientCertPath },
        { tls: { key: tls.serverKey, cert: tls.serverCert, ca: tls.ca, requireClientCertificate: true } });
      expect(bed.receiver.url).toMatch(/^https:/);
      telemetry.counter('secure.total');
      telemetry.startSpan('secure').end();
      await telemetry.forceFlush();
      expect(bed.receiver.latest('secure.total')[0].value).toBe(1);
      expect(bed.receiver.spans().map((s) => s.name)).toEqual(['secure']);
    });

    it('a collector certificate this process does not trust: the TLS error, and what to do', async () => {
      bed = await startGrpcTestBed({ exportTimeoutMs: 500 }, { tls: { key: tls.serverKey, cert: tls.serverCert } });
      telemetry.counter('untrusted.total');
      await telemetry.forceFlush();
      const [line] = bed.logger.matching('metrics export to');
      expect(line).toContain('gRPC UNAVAILABLE');
      expect(line).toMatch(/certificate/i);
      expect(bed.receiver.metricRequests).toEqual([]);
    });
  });
});

/** A TCP proxy on a loopback port to `port`, counting the bytes the client sends: what goes on the wire. */
async function countingProxy(port: number): Promise<{ url: string; bytes(): number; stop(): Promise<void> }> {
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => { bytes += chunk.length; });
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    bytes: () => bytes,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
