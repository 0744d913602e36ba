import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LocalCollector } from '../../examples/collector/local-collector';

describe('instrumentations given to initialize()', () => {
  let collector: LocalCollector;
  beforeAll(async () => {
    collector = await new LocalCollector().start();
  });
  afterAll(() => collector.stop());

  /** Runs a support script against the collector; resolves with what it printed. */
  function runScript(file: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [join(__dirname, '..', 'support', file)], {
        env: { ...process.env, COLLECTOR_URL: collector.url, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }


  it('the real HTTP instrumentation: client and server spans in one trace, one SERVER span named by route, its metrics exported', async () => {
    const run = await runScript('instrumented-service.js');
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

  it('with the HTTP, Express and undici instrumentations: one SERVER span per request, one CLIENT span and one traceparent per tracedFetch', async () => {
    collector.metricRequests.length = 0;
    (collector.traceRequests as unknown[]).length = 0;
    const run = await runScript('instrumented-express.js');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { seen } = JSON.parse(run.stdout) as { seen: { traceparent: string | null; traceId: string | null }[] };
    expect(seen).toHaveLength(1);
    expect(seen[0].traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/); // one header, not two joined
    const spans = collector.spans();
    const servers = spans.filter((s) => s.kind.includes('SERVER'));
    const clients = spans.filter((s) => s.kind.includes('CLIENT'));
    // Express's middleware spans sit between the HTTP instrumentation's SERVER span and the middleware: it still
    // found that span (through the RPC metadata) and named it, instead of opening a second one.
    expect(servers.map((s) => s.name).sort()).toEqual(['GET /orders/:id', 'GET /stock/:id']);
    expect(clients).toHaveLength(2); // the test's own fetch (undici) and tracedFetch, traced once by undici
    expect(new Set(spans.map((s) => s.traceId)).size).toBeLessThanOrEqual(2);
    const orders = servers.find((s) => s.name === 'GET /orders/:id');
    const stock = servers.find((s) => s.name === 'GET /stock/:id');
    expect(stock?.traceId).toBe(orders?.traceId);
    expect(seen[0].traceId).toBe(stock?.traceId);
    // One duration histogram per request side: the instrumentations', with the route; ours only counts.
    const durations = collector.latest('http.server.request.duration');
    expect(durations.map((p) => p.attributes['http.route']).sort()).toEqual(['/orders/:id', '/stock/:id']);
    expect(collector.latest('http.client.request.duration').filter((p) => p.attributes['server.port'] !== undefined).length).toBeGreaterThan(0);
  });

  it('unsampled, the middleware still opens no span of its own beside the instrumentation\'s', async () => {
    collector.metricRequests.length = 0;
    (collector.traceRequests as unknown[]).length = 0;
    const run = await runScript('instrumented-express.js', { SAMPLING_RATE: '0', REQUESTS: '20' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(collector.spans()).toEqual([]); // nothing sampled, by either
    expect(collector.latest('http.server.request.count').reduce((sum, p) => sum + (p.value ?? 0), 0)).toBe(40);
  });
});
