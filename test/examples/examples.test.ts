import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { LocalCollector } from '../../examples/collector/local-collector';

const ROOT = join(__dirname, '..', '..');

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; child: ChildProcess }

/** Runs `node examples/<file> ...args` against the collector; resolves when it exits. */
function runExample(file: string, args: string[], env: Record<string, string>, onStdout?: (text: string, child: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'examples', file), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout, child);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, child }));
  });
}

describe('examples, each run as its README command says', () => {
  let collector: LocalCollector;
  let env: Record<string, string>;
  beforeEach(async () => {
    collector = await new LocalCollector().start();
    env = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_METRIC_EXPORT_INTERVAL: '60000' };
  });
  afterEach(() => collector.stop());

  const points = (metric: string) => collector.allPoints().filter((p) => p.metric === metric);
  const latestTotal = (metric: string) => collector.latest(metric).reduce((sum, p) => sum + (p.value ?? p.count ?? 0), 0);

  it('weather-service.js: serves, records its four metrics and spans, and flushes on SIGTERM', async () => {
    let sent = false;
    const run = await runExample('weather-service.js', [], { ...env, PORT: '0' }, (stdout, child) => {
      const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      if (url === undefined || sent) return;
      sent = true;
      void (async () => {
        for (const path of ['/weather/current?city=lisbon', '/weather/forecast?city=oslo', '/weather/current?city=atlantis', '/weather/current?city=tokyo&fail=1', '/ready']) {
          await (await fetch(`${url}${path}`)).arrayBuffer();
        }
        child.kill('SIGTERM');
      })();
    });
    expect(run.signal === 'SIGTERM' || run.code === 143).toBe(true);
    const requests = collector.latest('weather.requests.total');
    expect(requests.map((p) => p.attributes.status).sort()).toEqual(['200', '200', '404', '502']);
    expect(latestTotal('weather.errors.total')).toBe(2);
    expect(collector.latest('weather.request.duration_ms')[0]).toMatchObject({ kind: 'histogram', unit: 'ms' });
    expect(collector.latest('weather.connections.active')[0]).toMatchObject({ kind: 'gauge', value: 0 });
    const names = collector.spans().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['GET /weather/current', 'GET /weather/forecast', 'weather.provider.lookup']));
    expect(names.some((n) => n.includes('ready'))).toBe(false);
  });

  it('orchestrator-agent.js: parallel tool calls with retries, workflow metrics, one trace per workflow', async () => {
    const run = await runExample('orchestrator-agent.js', ['--workflows', '2'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/workflow 2: go to lisbon/);
    expect(latestTotal('tool.call.retries')).toBe(2); // oslo fails once per workflow
    expect(latestTotal('workflow.duration_ms')).toBe(2);
    expect(collector.latest('tool.call.total').find((p) => p.attributes.status === 'ok')?.value).toBe(8);
    expect(collector.latest('request.total')[0].attributes).toEqual({ module: 'orchestration', operation: 'plan_trip', status: 'ok' });
    const spans = collector.spans();
    const workflow = spans.find((s) => s.name === 'agent.plan_trip');
    const inTrace = spans.filter((s) => s.traceId === workflow?.traceId);
    expect(inTrace.filter((s) => s.kind === 'SPAN_KIND_CLIENT')).toHaveLength(5);
    expect(inTrace.filter((s) => s.name === 'GET /weather/current')).toHaveLength(5);
  });

  it('two-services.js: one trace across two processes and baggage-derived labels', async () => {
    const run = await runExample('two-services.js', [], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    for (const line of lines) {
      const [, gatewayTrace, inventoryTrace] = /gateway trace (\w+); inventory saw trace (\w+)/.exec(line) ?? [];
      expect(inventoryTrace).toBe(gatewayTrace);
    }
    expect(run.stdout).toContain('tenant acme');
    const services = new Set(collector.spans().map((s) => s.resource['service.name']));
    expect(services).toEqual(new Set(['gateway', 'inventory']));
    expect(points('inventory.lookups.total').map((p) => p.attributes.tenant_id).sort()).toEqual(['acme', 'globex']);
  });

  it('express-app.js: route-template spans and a /ready route', async () => {
    const run = await runExample('express-app.js', ['--self-test'], { ...env, PORT: '0' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\/ready 200/);
    const names = collector.spans().map((s) => s.name);
    expect(names.filter((n) => n === 'GET /orders/:id')).toHaveLength(2);
    expect(names).toContain('orders.load');
    expect(latestTotal('orders.viewed.total')).toBe(2);
  });

  it('cron-job.js: records and exits without losing its data', async () => {
    const run = await runExample('cron-job.js', [], env);
    expect(run.code).toBe(0);
    expect(collector.latest('report.regions.total')).toHaveLength(3);
    expect(collector.latest('report.build.duration_ms')[0]).toMatchObject({ count: 1, attributes: { report: 'nightly', status: 'ok' } });
    expect(collector.latest('report.output.bytes')[0]).toMatchObject({ unit: 'By' });
    expect(collector.spans().map((s) => s.name)).toContain('report.build');
  });
});

describe('installShutdownHooks()', () => {
  // Diagnostics go to stderr, where the tests read them.
  const script = (body: string) => [
    "const t = require('otel-facade');",
    "t.initialize({ serviceName: 'hooks', endpoint: process.env.COLLECTOR, exportIntervalMs: 60000, exportTimeoutMs: 5000, logger: { warn: (m) => console.error(m), info() {} } });",
    body,
  ].join('\n');
  const node = (code: string, collector: LocalCollector) => spawn(process.execPath, ['-e', code], {
    cwd: ROOT, env: { ...process.env, COLLECTOR: collector.url }, stdio: ['ignore', 'pipe', 'pipe'],
  });

  it('flushes on beforeExit when a script simply runs out of work', async () => {
    const collector = await new LocalCollector().start();
    try {
      const child = node(script("t.installShutdownHooks({ timeoutMs: 2000 }); t.counter('script.runs.total');"), collector);
      const code = await new Promise((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
      expect(collector.latest('script.runs.total')[0].value).toBe(1);
    } finally {
      await collector.stop();
    }
  });

  it('on SIGTERM flushes and exits with 143, and never waits longer than its deadline on a hung collector', async () => {
    const collector = await new LocalCollector().start();
    collector.mode = { kind: 'hang' };
    try {
      const child = node(script([
        "t.installShutdownHooks({ timeoutMs: 400 });",
        "t.counter('service.starts.total');",
        "setInterval(() => {}, 1000);",
        "console.log('ready');",
      ].join('\n')), collector);
      await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      child.kill('SIGTERM');
      const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? s)));
      expect(code).toBe(143);
      expect(collector.requestCount).toBeGreaterThanOrEqual(1);
      // The flush ended at the hook's own deadline, not by luck: the library says so.
      expect(stderr).toMatch(/the last metrics export at shutdown, to \S+, failed: no complete answer within \d+ ms \(timeout\)/);
    } finally {
      await collector.stop();
    }
  });
});

describe('Kubernetes manifests', () => {
  it('deploy the service with the OTEL_* environment, probes on healthHandler, and a collector sidecar', () => {
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'examples', 'kubernetes', 'deployment.yaml'), 'utf8')).map((d) => d.toJSON());
    const deployment = docs.find((d) => d.kind === 'Deployment');
    const [app, sidecar] = deployment.spec.template.spec.containers;
    const envOf = Object.fromEntries(app.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(envOf.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://localhost:4318');
    expect(envOf.OTEL_SERVICE_NAME).toBe('weather-service');
    expect(envOf.OTEL_FACADE_PROFILE).toBe('production');
    expect(app.readinessProbe.httpGet.path).toBe('/ready');
    expect(app.livenessProbe.httpGet.path).toBe('/ready');
    expect(sidecar.ports.map((p: { containerPort: number }) => p.containerPort)).toContain(4318);
    expect(readFileSync(join(ROOT, 'examples', 'weather-service.js'), 'utf8')).toContain("startsWith('/ready')");
  });

  it("run as the manifest says (its command, its environment), the service listens where the kubelet's probe reaches it", async () => {
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'examples', 'kubernetes', 'deployment.yaml'), 'utf8')).map((d) => d.toJSON());
    const [app] = docs.find((d) => d.kind === 'Deployment').spec.template.spec.containers;
    const env: Record<string, string> = {};
    for (const { name, value } of app.env as { name: string; value?: string }[]) if (value !== undefined) env[name] = value;
    const collector = await new LocalCollector().start();
    try {
      // The manifest's environment, with the collector and the port made local to this machine.
      const [command, script] = app.command as string[];
      expect(command).toBe('node');
      const address = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [join(ROOT, script)], {
          cwd: ROOT,
          env: { ...process.env, ...env, PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const url = /on (http:\/\/[^\s]+)/.exec(stdout)?.[1];
          if (url === undefined) return;
          child.kill('SIGTERM');
          resolve(url);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code} before listening: ${stdout}`)));
      });
      // Every interface, so a probe to the pod's IP (not its loopback) is answered.
      expect(new URL(address).hostname).toBe('0.0.0.0');
    } finally {
      await collector.stop();
    }
  });

  it('configure the collector with an OTLP receiver, memory_limiter, batch, and Prometheus and OTLP exporters', () => {
    const configMap = parse(readFileSync(join(ROOT, 'examples', 'kubernetes', 'otel-collector.yaml'), 'utf8'));
    const config = parse(configMap.data['config.yaml']);
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(Object.keys(config.processors)).toEqual(['memory_limiter', 'batch']);
    expect(config.service.pipelines.metrics).toEqual({ receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['prometheus', 'otlphttp'] });
    expect(config.service.pipelines.traces.processors[0]).toBe('memory_limiter');
  });
});

describe('npm start (examples/demo.js)', () => {
  it('shows the metrics the embedded collector received', async () => {
    const run = await runExample('demo.js', ['--duration', '6', '--refresh', '2500'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/weather\.requests\.total\s+sum\s+\d+\s+\d+/);
    expect(run.stdout).toMatch(/weather\.request\.duration_ms\s+histogram/);
    expect(run.stdout).toMatch(/spans received/);
    expect(run.stdout).toMatch(/health: circuit=closed/);
  }, 20_000);
});
