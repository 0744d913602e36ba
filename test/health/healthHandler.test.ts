import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as telemetry from '../../src/index';
import { healthStatus } from '../../src/health/healthStatus';
import { startTestBed, type TestBed } from '../support/telemetry';

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('healthHandler', () => {
  let bed: TestBed | undefined;
  afterEach(async () => {
    await bed?.stop();
    bed = undefined;
  });

  it('answers 200 with the health as JSON on node:http, even before initialize()', async () => {
    const { server, url } = await serve((req, res) => telemetry.healthHandler(req, res));
    try {
      const response = await fetch(`${url}/ready`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toMatchObject({ status: 'ok', degraded: false, initialized: false });
    } finally {
      server.close();
    }
  });

  it('stays 200 but says degraded while the breaker is open (default policy)', async () => {
    bed = await startTestBed({ exportTimeoutMs: 200, circuitBreaker: { enabled: true, maxFailures: 1, recoveryTimeMs: 60_000, halfOpenMax: 1 } });
    bed.receiver.mode = { kind: 'status', status: 503 };
    telemetry.counter('x.total');
    await telemetry.forceFlush();
    const { server, url } = await serve((req, res) => telemetry.healthHandler(req, res));
    const strict = await serve(telemetry.healthHandler({ strict: true }));
    try {
      const lenient = await fetch(`${url}/ready`);
      expect(lenient.status).toBe(200);
      expect(await lenient.json()).toMatchObject({ status: 'degraded', degraded: true, circuitState: 'open', initialized: true });
      expect((await fetch(`${strict.url}/ready`)).status).toBe(503);
    } finally {
      server.close();
      strict.server.close();
    }
  });

  it('strict: 503 when not initialized, 206 when more than 10% of operations failed, else 200', async () => {
    const base = telemetry.getHealth();
    expect(healthStatus(base, { strict: true }).code).toBe(503);
    const healthy = { ...base, initialized: true, enabled: true, circuitState: 'closed' as const, metricsEmitted: 95, metricsDropped: 5 };
    expect(healthStatus(healthy, { strict: true }).code).toBe(200);
    expect(healthStatus({ ...healthy, metricsDropped: 11, metricsEmitted: 89 }, { strict: true }).code).toBe(206);
    expect(healthStatus({ ...healthy, metricsDropped: 11, metricsEmitted: 89 }, { strict: true, failureRatio: 0.2 }).code).toBe(200);
    expect(healthStatus({ ...healthy, circuitState: 'open' }, { strict: true }).code).toBe(503);
    expect(healthStatus({ ...healthy, circuitState: 'open' }).code).toBe(200);
  });

  it('with options, returns a handler that can be mounted as a route', async () => {
    const handler = telemetry.healthHandler({});
    const { server, url } = await serve((req, res) => handler(req, res));
    try {
      expect((await fetch(url)).status).toBe(200);
    } finally {
      server.close();
    }
  });
});
