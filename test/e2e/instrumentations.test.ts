import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LocalCollector } from '../../examples/collector/local-collector';

describe('instrumentations given to initialize()', () => {
  let collector: LocalCollector;
  beforeAll(async () => {
    collector = await new LocalCollector().start();
  });
  afterAll(() => collector.stop());

  it('the real HTTP instrumentation: client and server spans in one trace, one SERVER span named by route, its metrics exported', async () => {
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(__dirname, '..', 'support', 'instrumented-service.js')], {
        env: { ...process.env, COLLECTOR_URL: collector.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ patchedAfterShutdown: false });

    const spans = collector.spans();
    const caller = spans.find((s) => s.name === 'caller');
    const client = spans.find((s) => s.kind.includes('CLIENT') || s.kind === '3');
    const servers = spans.filter((s) => s.kind.includes('SERVER') || s.kind === '2');
    expect(caller).toBeDefined();
    expect(client).toBeDefined();
    expect(servers).toHaveLength(1); // the middleware shared the instrumentation's span: no second one
    const [server] = servers;
    expect(server.name).toBe('GET /items/:id');
    expect(server.attributes['http.route']).toBe('/items/:id');
    expect(new Set([caller?.traceId, client?.traceId, server.traceId]).size).toBe(1);
    expect(client?.parentSpanId).toBe(caller?.spanId);
    expect(server.parentSpanId).toBe(client?.spanId);

    const scopes = new Set(collector.metricRequests.flatMap((r) => r.scopes));
    expect(scopes.has('@opentelemetry/instrumentation-http')).toBe(true);
    // Its stable-convention histogram carries the route the middleware handed it; the middleware records no second
    // one of that name, only its count.
    const durations = collector.latest('http.server.request.duration');
    expect(durations).toHaveLength(1);
    expect(durations[0].attributes).toMatchObject({ 'http.route': '/items/:id', 'http.response.status_code': 200, 'network.protocol.version': '1.1' });
    expect(durations[0].count).toBe(1);
    // The application's GET only: our own export POSTs are neither traced nor measured by the instrumentation.
    expect(collector.latest('http.client.request.duration').map((p) => p.attributes['http.request.method'])).toEqual(['GET']);
    expect(spans.filter((s) => s.name === 'POST')).toEqual([]);
    // The middleware's own metric, with the route and an integer status.
    expect(collector.latest('http.server.request.count').map((p) => [p.attributes['http.route'], p.attributes['http.response.status_code'], p.value]))
      .toEqual([['/items/:id', 200, 1]]);
  });
});
