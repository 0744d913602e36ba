import { createServer } from 'node:net';
import * as telemetry from '../../src/index';
import { initializeWith } from '../../src/api/lifecycle';
import { CapturingLogger } from '../support/CapturingLogger';
import { eventually, ManualClock } from '../support/time';

afterEach(() => telemetry.shutdown());

/** A free loopback port. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const listening = () => eventually(() => telemetry.getHealth().signals.metrics.prometheus?.listening === true, 'the endpoint listening');
const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

describe('the Prometheus endpoint', () => {
  it('serves /metrics on loopback by default in development, alongside nothing else (exporter: none)', async () => {
    const port = await freePort();
    telemetry.initialize({ serviceName: 'scrape-me', exporter: 'none', prometheus: { port }, logger: new CapturingLogger() });
    telemetry.counter('jobs.total', 'queue', 'email');
    await listening();
    const text = await scrape(port);
    expect(text).toMatch(/^jobs_total\{queue="email",otel_scope_name="otel-facade".*\} 1$/m);
    expect(text).toContain('service_name="scrape-me"');
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exporter: 'none', prometheus: { scrapes: 1, listening: true } });
  });

  it('answers 404 elsewhere and 405 to other methods, counting only served scrapes', async () => {
    const port = await freePort();
    telemetry.initialize({ serviceName: 'scrape-me', exporter: 'none', prometheus: { port }, logger: new CapturingLogger() });
    await listening();
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'HEAD' })).status).toBe(200);
    expect(telemetry.getHealth().signals.metrics.prometheus?.scrapes).toBe(1);
  });

  it('reports, never swallows, a port it cannot listen on', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const logger = new CapturingLogger();
      telemetry.initialize({ serviceName: 'prom-clash', exporter: 'none', prometheus: { port }, logger });
      await eventually(() => telemetry.getHealth().signals.metrics.prometheus?.lastError !== undefined, 'the listen error');
      expect(logger.matching(`the Prometheus endpoint http://127.0.0.1:${port}/metrics could not listen`)).toHaveLength(1);
      expect(telemetry.getHealth().lastError).toMatch(/EADDRINUSE/);
      expect(telemetry.getHealth().signals.metrics.prometheus).toMatchObject({ listening: false, lastError: expect.stringMatching(/EADDRINUSE/) });
    } finally {
      taken.close();
    }
  });

  it('with Prometheus only, evicts an idle limited series once a scrape served its last change', async () => {
    const port = await freePort();
    const clock = new ManualClock();
    initializeWith({
      serviceName: 'prom-only',
      metrics: { exporter: 'prometheus' },
      prometheus: { port },
      cardinalityLimits: { user_id: 2 },
      labelValueTtlMs: 60_000,
      logger: new CapturingLogger(),
    }, { now: clock.now });
    await listening();
    telemetry.counter('visits.total', 'user_id', 'old');
    clock.advance(61_000);
    // Not yet delivered by any scrape: however idle, it stays.
    expect(await scrape(port)).toMatch(/^visits_total\{[^}]*user_id="old"[^}]*\} 1$/m);
    expect(telemetry.getHealth().seriesEvicted).toBe(0);
    clock.advance(61_000);
    // That scrape was served, and 'old' has been idle past its TTL since: the next scrape evicts it.
    const after = await scrape(port);
    expect(telemetry.getHealth().seriesEvicted).toBe(1);
    expect(after).not.toContain('user_id="old"');
    // Its place is free again: a new value is admitted rather than folded into 'other'.
    telemetry.counter('visits.total', 'user_id', 'new');
    telemetry.counter('visits.total', 'user_id', 'newer');
    expect(await scrape(port)).not.toContain('user_id="other"');
  });

  it('writes a large store a slice at a time, each family\'s header lines once and its samples together', async () => {
    const port = await freePort();
    telemetry.initialize({ serviceName: 'big', exporter: 'none', prometheus: { port }, cardinalityLimit: 10_000, logger: new CapturingLogger() });
    for (let i = 0; i < 5000; i++) telemetry.counter('jobs.total', 'id', `j${i}`);
    for (let i = 0; i < 3000; i++) telemetry.histogram('job.duration_ms', i % 700, 'id', `j${i}`);
    await listening();
    const lines = (await scrape(port)).split('\n');
    expect(lines.filter((l) => l.startsWith('# TYPE jobs_total '))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('# TYPE job_duration_ms '))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('# TYPE target_info '))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('jobs_total{'))).toHaveLength(5000);
    expect(lines.filter((l) => l.startsWith('job_duration_ms_count{'))).toHaveLength(3000);
    // Each family's lines are one contiguous group, headers first.
    const family = (l: string) => (l.startsWith('jobs_total') || l.includes(' jobs_total') ? 'jobs' : l.startsWith('job_duration') || l.includes(' job_duration') ? 'hist' : 'other');
    const order = lines.filter((l) => l !== '').map(family).filter((f, i, all) => i === 0 || all[i - 1] !== f);
    expect(order.filter((f) => f === 'jobs')).toHaveLength(1);
    expect(order.filter((f) => f === 'hist')).toHaveLength(1);
  });

  it('a scraper that never reads its answer does not hold up the others; past four at once, scrapes are turned away', async () => {
    const port = await freePort();
    telemetry.initialize({ serviceName: 'stuck', exporter: 'none', prometheus: { port }, cardinalityLimit: 100_000, logger: new CapturingLogger() });
    for (let i = 0; i < 50_000; i++) telemetry.counter('wide.total', 'id', `series-${i}`);
    await listening();
    const { connect } = await import('node:net');
    const stuck = await Promise.all(Array.from({ length: 4 }, () => new Promise<import('node:net').Socket>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
        socket.pause(); // and never read
        resolve(socket);
      });
    })));
    try {
      // Four scrapes are under way and stuck on their readers: a fifth is turned away at once, not queued.
      const busy = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      stuck[0].destroy();
      await eventually(() => telemetry.getHealth().signals.metrics.prometheus !== undefined, 'health');
      let answer: Response | undefined;
      for (let attempt = 0; attempt < 50 && answer?.status !== 200; attempt++) {
        answer = await fetch(`http://127.0.0.1:${port}/metrics`);
        if (answer.status !== 200) await answer.text();
      }
      expect(answer?.status).toBe(200);
      expect((await answer?.text())?.split('\n').filter((l) => l.startsWith('wide_total{'))).toHaveLength(50_000);
    } finally {
      for (const socket of stuck) socket.destroy();
    }
  });

  it('listens on 0.0.0.0 by default outside development, so a scraper can reach it', async () => {
    const { resolveConfig } = await import('../../src/config/resolveConfig');
    expect(resolveConfig({ serviceName: 's', profile: 'production', prometheus: { port: 9464 } }, {}).config.metrics.prometheus)
      .toEqual({ port: 9464, host: '0.0.0.0', endpoint: '/metrics' });
    expect(resolveConfig({ serviceName: 's', profile: 'production' }, { OTEL_METRICS_EXPORTER: 'prometheus' }).config.metrics.prometheus)
      .toEqual({ port: 9464, host: '0.0.0.0', endpoint: '/metrics' });
    expect(resolveConfig({ serviceName: 's' }, { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_PORT: 'x' }).notes)
      .toContainEqual(expect.stringContaining('OTEL_EXPORTER_PROMETHEUS_PORT="x" is not a port'));
  });
});
