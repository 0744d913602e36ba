import { createServer } from 'node:net';
import * as telemetry from '../../src/index';
import { CapturingLogger } from '../support/CapturingLogger';

afterEach(() => telemetry.shutdown());

describe('the Prometheus endpoint', () => {
  it('serves /metrics on loopback by default in development, alongside nothing else (exporter: none)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    telemetry.initialize({ serviceName: 'scrape-me', exporter: 'none', prometheus: { port }, logger: new CapturingLogger() });
    telemetry.counter('jobs.total', 'queue', 'email');
    let text = '';
    for (let i = 0; i < 20 && !text.includes('jobs_total'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text().catch(() => '');
    }
    expect(text).toMatch(/^jobs_total\{queue="email",otel_scope_name="otel-facade".*\} 1$/m);
    expect(text).toContain('service_name="scrape-me"');
  });

  it('reports, never swallows, a port it cannot listen on', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const logger = new CapturingLogger();
      telemetry.initialize({ serviceName: 'prom-clash', exporter: 'none', prometheus: { port }, logger });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(logger.matching(`the Prometheus endpoint http://127.0.0.1:${port}/metrics could not listen`)).toHaveLength(1);
      expect(telemetry.getHealth().lastError).toMatch(/EADDRINUSE/);
    } finally {
      taken.close();
    }
  });

  it('listens on 0.0.0.0 by default outside development, so a scraper can reach it', async () => {
    const { resolveConfig } = await import('../../src/config/resolveConfig');
    expect(resolveConfig({ serviceName: 's', profile: 'production', prometheus: { port: 9464 } }, {}).config.metrics.prometheus)
      .toEqual({ port: 9464, host: '0.0.0.0', endpoint: '/metrics' });
  });
});
