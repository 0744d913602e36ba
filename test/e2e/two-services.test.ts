import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';
import type { ReceivedSpan } from '../../examples/collector/local-collector';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('two services on loopback: one trace across both', () => {
  let bed: TestBed;
  let serviceB: ChildProcess;
  let bUrl: string;
  let serviceA: Server;
  let aUrl: string;

  beforeAll(async () => {
    bed = await startTestBed({ serviceName: 'service-a' });
    serviceB = fork(join(__dirname, '..', 'support', 'service-b.js'), [], {
      env: { ...process.env, COLLECTOR_URL: bed.receiver.url },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      serviceB.once('message', (m: { port: number }) => resolve(m.port));
      serviceB.once('exit', (code) => reject(new Error(`service B exited with ${code}`)));
    });
    bUrl = `http://127.0.0.1:${port}`;
    const middleware = telemetry.tracingMiddleware({ getRoute: (req) => (req.url?.startsWith('/orders/') ? '/orders/:id' : undefined) });
    serviceA = createServer((req, res) => middleware(req, res, async () => {
      const id = (req.url ?? '').split('/')[2];
      const upstream = await telemetry.withBaggage({ tenant_id: 'acme' }, () => telemetry.tracedFetch(`${bUrl}/items/${id}`));
      res.statusCode = upstream.ok ? 200 : 502;
      res.setHeader('content-type', 'application/json');
      res.end(await upstream.text());
    }));
    aUrl = await listen(serviceA);
  });

  afterAll(async () => {
    serviceA.close();
    if (serviceB.exitCode === null) serviceB.kill();
    await bed.stop();
  });

  it('propagates trace context and baggage, links parents and children, and marks the error path', async () => {
    const ok = await fetch(`${aUrl}/orders/42`);
    const body = await ok.json() as { id: string; tenant: string; traceId: string };
    expect(ok.status).toBe(200);
    expect(body).toMatchObject({ id: '42', tenant: 'acme' }); // the baggage B saw
    const failed = await fetch(`${aUrl}/orders/fail`);
    expect(failed.status).toBe(502);

    await new Promise<void>((resolve) => {
      serviceB.once('message', () => resolve());
      serviceB.send('stop');
    });
    await telemetry.forceFlush();
    await bed.receiver.waitFor(() => bed.receiver.spans().length >= 6);
    const spans = bed.receiver.spans();
    const traceOf = (id: string) => spans.filter((s) => s.traceId === id);

    const okTrace = traceOf(body.traceId);
    expect(okTrace).toHaveLength(3);
    const find = (list: ReceivedSpan[], service: string, kind: string) =>
      list.find((s) => s.resource['service.name'] === service && s.kind === kind) as ReceivedSpan;
    const aServer = find(okTrace, 'service-a', 'SPAN_KIND_SERVER');
    const aClient = find(okTrace, 'service-a', 'SPAN_KIND_CLIENT');
    const bServer = find(okTrace, 'service-b', 'SPAN_KIND_SERVER');
    expect([aServer.name, aClient.name, bServer.name]).toEqual(['GET /orders/:id', 'GET', 'GET /items/:id']);
    expect(aServer.parentSpanId).toBe('');
    expect(aClient.parentSpanId).toBe(aServer.spanId);
    expect(bServer.parentSpanId).toBe(aClient.spanId);
    expect(aServer.attributes).toMatchObject({ 'http.route': '/orders/:id', 'http.response.status_code': 200, 'url.path': '/orders/42' });
    expect(aClient.attributes).toMatchObject({ 'http.request.method': 'GET', 'url.full': `${bUrl}/items/42`, 'http.response.status_code': 200 });

    const failServer = spans.find((s) => s.name === 'GET /items/:id' && s.attributes['url.path'] === '/items/fail') as ReceivedSpan;
    const failTrace = traceOf(failServer.traceId);
    expect(failTrace).toHaveLength(3);
    for (const span of failTrace) expect(span.status.code).toBe('STATUS_CODE_ERROR');
    expect(find(failTrace, 'service-a', 'SPAN_KIND_SERVER').attributes['http.response.status_code']).toBe(502);
  });

  it('10,000 distinct URLs make a constant number of metric series', async () => {
    const middleware = telemetry.tracingMiddleware({ getRoute: (req) => (req.url?.startsWith('/users/') ? '/users/:id' : undefined) });
    const server = createServer((req, res) => middleware(req, res, () => {
      res.statusCode = req.url?.startsWith('/users/') ? 200 : 404;
      res.end();
    }));
    const url = await listen(server);
    try {
      let next = 0;
      const worker = async () => {
        while (next < 10_000) {
          const i = next++;
          const path = i % 10 === 0 ? `/nowhere/${i}` : `/users/${i}?q=${i}`;
          await (await fetch(`${url}${path}`)).arrayBuffer();
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      await telemetry.forceFlush();
      const counts = bed.receiver.latest('http.server.request.count').filter((p) => p.attributes['http.route'] !== '/orders/:id');
      expect(counts.map((p) => [p.attributes['http.route'], p.attributes['http.response.status_code'], p.value]).sort()).toEqual([
        ['/users/:id', 200, 9000],
        ['unmatched', 404, 1000],
      ]);
      const durations = bed.receiver.latest('http.server.request.duration').filter((p) => p.attributes['http.route'] !== '/orders/:id');
      expect(durations.map((p) => [p.attributes['http.route'], p.count]).sort()).toEqual([['/users/:id', 9000], ['unmatched', 1000]]);
      expect(durations[0]).toMatchObject({ unit: 's', kind: 'histogram', explicitBounds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    } finally {
      server.close();
    }
  }, 60000);
});
