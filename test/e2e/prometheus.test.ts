import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { channel } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as telemetry from '../../src/index';
import { CapturingLogger } from '../support/CapturingLogger';

const PROMETHEUS = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((bin) => spawnSync(bin, ['--version']).status === 0);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Sample { metric: Record<string, string>; value: [number, string] }

if (PROMETHEUS === undefined) {
  describe('Prometheus endpoint against a real Prometheus server', () => {
    it.skip('SKIPPED: no prometheus binary (apt-get install prometheus; .ci/run does)', () => undefined);
  });
  console.warn('test/e2e/prometheus.test.ts skipped: no prometheus binary found; install Debian\'s prometheus package to run it.');
} else {
  describe('Prometheus endpoint against a real Prometheus server', () => {
    let prometheus: ChildProcess | undefined;
    let dir: string;
    let promUrl: string;
    let logger: CapturingLogger;

    beforeAll(async () => {
      const exporterPort = await freePort();
      const promPort = await freePort();
      logger = new CapturingLogger();
      telemetry.initialize({
        serviceName: 'prom-test',
        exporter: 'none',
        prometheus: { port: exporterPort },
        cardinalityLimit: 3,
        logger,
      });
      for (let i = 0; i < 5; i++) for (let n = 0; n <= i; n++) telemetry.counter('requests.total', 'route', `/r${i}`);
      for (const v of [3, 30, 300]) telemetry.histogram('checkout.duration_ms', v, 'route', '/pay');
      telemetry.gauge('connections.active', 42);
      dir = mkdtempSync(join(tmpdir(), 'otel-facade-prom-'));
      writeFileSync(join(dir, 'prometheus.yml'), [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: otel-facade',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${exporterPort}']`,
        '',
      ].join('\n'));
      prometheus = spawn(PROMETHEUS as string, [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ], { stdio: 'ignore' });
      promUrl = `http://127.0.0.1:${promPort}`;
    });

    afterAll(async () => {
      if (prometheus !== undefined && prometheus.exitCode === null) {
        const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
        prometheus.kill('SIGTERM');
        await exited;
      }
      await telemetry.shutdown();
      rmSync(dir, { recursive: true, force: true });
    });

    /**
     * Queries once Prometheus has scraped us twice (so the samples of the first scrape are stored); again after the
     * next scrape while it has fewer than `count` samples. Waits on scrapes our endpoint served,
     * seen through Node's HTTP diagnostics channel: no polling, no timers.
     */
    let scraped: Promise<void> | undefined;
    async function query(q: string, count: number): Promise<Sample[]> {
      let last: Sample[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        await (attempt === 0 ? (scraped ??= scrapesServed(2)) : scrapesServed(1));
        const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
        if (response.ok) {
          last = ((await response.json()) as { data: { result: Sample[] } }).data.result;
          if (last.length >= count) return last;
        }
      }
      throw new Error(`query ${q} returned ${last.length} samples, wanted ${count}`);
    }

    /** Resolves once our endpoint has answered `n` more scrapes. */
    function scrapesServed(n: number): Promise<void> {
      const finished = channel('http.server.response.finish');
      return new Promise((resolve) => {
        let seen = 0;
        const onFinish = (message: unknown): void => {
          const { request } = message as { request: { url?: string } };
          if (request.url !== '/metrics' || ++seen < n) return;
          finished.unsubscribe(onFinish);
          resolve();
        };
        finished.subscribe(onFinish);
      });
    }

    it('exposes translated names and exact values, the overflow series included', async () => {
      const requests = await query('requests_total', 4);
      const byRoute = Object.fromEntries(requests.map((s) => [s.metric.route ?? `overflow=${s.metric.otel_metric_overflow}`, Number(s.value[1])]));
      expect(byRoute).toEqual({ '/r0': 1, '/r1': 2, '/r2': 3, 'overflow=true': 4 + 5 });
      expect(requests.every((s) => s.metric.job === 'otel-facade')).toBe(true);

      const count = await query('checkout_duration_ms_count', 1);
      expect(Number(count[0].value[1])).toBe(3);
      const sum = await query('checkout_duration_ms_sum', 1);
      expect(Number(sum[0].value[1])).toBe(333);
      const buckets = await query('checkout_duration_ms_bucket', 14);
      const le = Object.fromEntries(buckets.map((s) => [s.metric.le, Number(s.value[1])]));
      expect([le['5'], le['50'], le['250'], le['500'], le['+Inf']]).toEqual([1, 2, 2, 3, 3]);

      const gauge = await query('connections_active', 1);
      expect(Number(gauge[0].value[1])).toBe(42);
    }, 60_000);
  });
}
