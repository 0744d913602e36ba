'use strict';
/* Service B of the two-service test, in its own process: node:http with tracingMiddleware, its own telemetry. */
const http = require('node:http');
const telemetry = require('../../dist/index.js');

telemetry.initialize({
  serviceName: 'service-b',
  endpoint: process.env.COLLECTOR_URL,
  exportIntervalMs: 60000,
  exportTimeoutMs: 2000,
  logger: { warn: (m) => process.stderr.write(`${m}\n`), info: () => undefined },
});
const middleware = telemetry.tracingMiddleware({
  getRoute: (req) => (req.url.startsWith('/items/') ? '/items/:id' : undefined),
});
const server = http.createServer((req, res) => middleware(req, res, () => {
  const id = req.url.split('/')[2];
  res.setHeader('content-type', 'application/json');
  if (id === 'fail') {
    res.statusCode = 500;
    res.end(JSON.stringify({ error: 'inventory is down' }));
    return;
  }
  res.end(JSON.stringify({ id, tenant: telemetry.getBaggage('tenant_id') ?? null, traceId: telemetry.currentTraceId() ?? null }));
}));
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', async (message) => {
  if (message !== 'stop') return;
  server.close();
  await telemetry.shutdown({ timeoutMs: 3000 });
  process.send({ stopped: true });
  process.exit(0);
});
