import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCollector } from '../../examples/collector/local-collector';
import { LocalGrpcCollector } from '../../examples/collector/local-grpc-collector';

const ROOT = join(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed package, installed into a fresh project', () => {
  let dir: string;
  let collector: LocalCollector;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otel-facade-pack-'));
    collector = await new LocalCollector().start();
    // dist/ was built by `npm test`; pack it as a user would receive it.
    execFileSync(NPM, ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, stdio: 'ignore' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz')) as string;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    execFileSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(dir, tarball)], { cwd: dir, stdio: 'ignore' });
  }, 180_000);

  /** Runs a script of the consumer project against the collector, asynchronously (the collector answers from this process's loop). */
  const runInConsumer = (file: string, env: Record<string, string> = {}) => new Promise<{ stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: dir, env: { ...process.env, COLLECTOR: collector.url, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', () => resolve({ stdout, stderr }));
  });

  afterAll(async () => {
    await collector.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads with require and with import in one process, sharing one registry', async () => {
    writeFileSync(join(dir, 'main.mjs'), `
      import { createRequire } from 'node:module';
      import * as esm from 'otel-facade';
      const cjs = createRequire(import.meta.url)('otel-facade');
      esm.initialize({ serviceName: 'packed', endpoint: process.env.COLLECTOR, logger: { warn() {}, info() {} } });
      cjs.counter('packed.calls.total', 'via', 'require');
      esm.counter('packed.calls.total', 'via', 'import');
      const health = cjs.getHealth();
      const esmNames = Object.keys(esm).filter((k) => k !== 'default').sort();
      const cjsNames = Object.keys(cjs).filter((k) => k !== '__esModule').sort();
      await esm.shutdown();
      console.log(JSON.stringify({ initialized: health.initialized, emitted: health.metricsEmitted, sameFunction: esm.counter === cjs.counter,
        missingInEsm: cjsNames.filter((n) => !esmNames.includes(n)), apiMismatch: health.otelApi.mismatch }));
    `);
    const run = await runInConsumer('main.mjs');
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout.trim());
    expect(result).toEqual({ initialized: true, emitted: 2, sameFunction: true, missingInEsm: [], apiMismatch: false });
    const points = collector.latest('packed.calls.total');
    expect(points.map((p) => [p.attributes.via, p.value]).sort()).toEqual([['import', 1], ['require', 1]]);
  });

  it('aggregates exponential histograms from the installed package (the SDK module it loads is there)', async () => {
    writeFileSync(join(dir, 'expo.cjs'), `
      const t = require('otel-facade');
      t.initialize({ serviceName: 'packed-expo', endpoint: process.env.COLLECTOR, runtimeMetrics: false, selfMetrics: false, logger: { warn: (m) => console.error(m), info() {} } });
      t.declareMetrics('p', { metrics: [{ name: 'packed.expo', type: 'histogram', aggregation: 'exponential' }] });
      for (const v of [1, 2, 3]) t.histogram('packed.expo', v);
      t.shutdown().then(() => console.log('done'));
    `);
    const run = await runInConsumer('expo.cjs');
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('done');
    const [point] = collector.latest('packed.expo');
    expect(point).toMatchObject({ kind: 'exponentialHistogram', count: 3, sum: 6 });
  });

  it('installs without scripts (no prepare warning), ships its LICENSE, and no source maps pointing at sources it does not ship', () => {
    const installed = join(dir, 'node_modules', 'otel-facade');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    const installScripts = Object.keys(manifest.scripts ?? {}).filter((name) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(name));
    expect(installScripts).toEqual([]);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    const files = (readdirSync(installed, { recursive: true }) as string[]).map(String);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
  });

  it('otel-facade/testing: the node:test example of examples/testing runs against the installed package', () => {
    for (const file of ['orders.js', 'orders.test.js']) copyFileSync(join(ROOT, 'examples', 'testing', file), join(dir, file));
    const run = spawnSync(process.execPath, ['--test', 'orders.test.js'], { cwd: dir, encoding: 'utf8' });
    expect(run.stdout).toMatch(/# pass 3/);
    expect(run.stdout).toMatch(/# fail 0/);
    expect(run.status).toBe(0);
  });

  it('ships its type declarations and profiles, and installs @opentelemetry/api as a peer', () => {
    writeFileSync(join(dir, 'check.ts'), `
      import { initialize, counter, useProfile, type Health } from 'otel-facade';
      import { startTestTelemetry, type TestTelemetry } from 'otel-facade/testing';
      initialize(useProfile('production', { serviceName: 'typed' }));
      counter('typed.total', { route: '/a' });
      export const h: Health | undefined = undefined;
      export const t: TestTelemetry | undefined = typeof startTestTelemetry === 'function' ? undefined : undefined;
    `);
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict',
      '--module', 'node16', '--moduleResolution', 'node16', '--skipLibCheck', 'check.ts'], { cwd: dir, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    expect(readdirSync(join(dir, 'node_modules', 'otel-facade', 'profiles')).sort()).toEqual(['development.json', 'production.json', 'staging.json']);
    expect(readdirSync(join(dir, 'node_modules', '@opentelemetry'))).toContain('api');
  });

  it("gives the consumer one copy of each @opentelemetry package (no overrides of ours apply there)", () => {
    const copies = installedCopies();
    expect(copies.size).toBeGreaterThanOrEqual(8);
    expect(duplicatedIn(copies)).toEqual([]);
    // The one release set: SDK 2.12.0 and the experimental packages 0.223.0.
    expect(copies.get('@opentelemetry/sdk-metrics')?.[0]).toMatch(/^2\.12\.0 /);
    expect(copies.get('@opentelemetry/otlp-transformer')?.[0]).toMatch(/^0\.223\.0 /);
    // The gRPC exporters are optional peers: not installed unless asked for.
    expect(copies.has('@opentelemetry/exporter-metrics-otlp-grpc')).toBe(false);
  });

  it('OTLP/gRPC: without the exporters, one line names the install command; installed with it, exports arrive, one copy of each package', async () => {
    const grpc = await new LocalGrpcCollector().start();
    try {
      writeFileSync(join(dir, 'grpc.cjs'), `
        const t = require('otel-facade');
        t.initialize({ serviceName: 'packed-grpc', protocol: 'grpc', endpoint: process.env.GRPC_COLLECTOR, runtimeMetrics: false, selfMetrics: false,
          logger: { warn: (m) => console.error(m), info() {} } });
        t.counter('packed.grpc.total', 'via', 'grpc');
        t.forceFlush().then(() => console.log(JSON.stringify(t.getHealth().signals.metrics.lastError ?? null))).then(() => t.shutdown());
      `);
      const missing = await runInConsumer('grpc.cjs', { GRPC_COLLECTOR: grpc.url });
      const command = /install the gRPC exporters with: (npm install \S+@[\d.]*\d \S+@[\d.]*\d)\. Until then/.exec(missing.stderr)?.[1];
      expect(command).toBe('npm install @opentelemetry/exporter-metrics-otlp-grpc@0.223.0 @opentelemetry/exporter-trace-otlp-grpc@0.223.0');
      expect(JSON.parse(missing.stdout.trim())).toContain('is not installed');

      // What the line says to run, run as it says.
      execFileSync(NPM, [...(command as string).split(' ').slice(1), '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'ignore' });
      expect(duplicatedIn(installedCopies())).toEqual([]);
      const installed = await runInConsumer('grpc.cjs', { GRPC_COLLECTOR: grpc.url });
      expect(installed.stderr).toBe('');
      expect(installed.stdout.trim()).toBe('null');
      expect(grpc.latest('packed.grpc.total').map((p) => p.value)).toEqual([1]);
    } finally {
      await grpc.stop();
    }
  }, 120_000);

  /** Every installed copy of each @opentelemetry package, by its path: two copies of one version are two copies. */
  function installedCopies(): Map<string, string[]> {
    const ls = spawnSync(NPM, ['ls', '--all', '--parseable', '--long'], { cwd: dir, encoding: 'utf8' });
    const copies = new Map<string, string[]>();
    for (const line of ls.stdout.split('\n')) {
      const [path, id] = line.split(':');
      const at = id?.lastIndexOf('@') ?? -1;
      if (id === undefined || !id.startsWith('@opentelemetry/') || at <= 0) continue;
      const name = id.slice(0, at);
      copies.set(name, [...(copies.get(name) ?? []), `${id.slice(at + 1)} at ${path.slice(dir.length)}`]);
    }
    return copies;
  }

  function duplicatedIn(copies: Map<string, string[]>): string[] {
    return [...copies].filter(([, found]) => found.length > 1).map(([name, found]) => `${name}: ${found.join(', ')}`);
  }
});
