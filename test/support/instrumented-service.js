'use strict';
/*
 * A service with the official HTTP instrumentation given to initialize() and tracingMiddleware on its server, in
 * its own process (instrumentations patch modules through Node's require, which a test runner's registry bypasses).
 * It calls itself once from inside a span, flushes, shuts down and exits.
 */
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');

// Constructed first, as OpenTelemetry's instrumentations are, before `http` is required; initialize() gives it our
// providers and enables it, whenever it was constructed.
const instrumentation = new HttpInstrumentation();
const http = require('node:http');
const telemetry = require('../../dist/index.js');

telemetry.initialize({
  serviceName: 'instrumented',
  endpoint: process.env.COLLECTOR_URL,
  samplingRate: 1,
  exportIntervalMs: 60000,
  runtimeMetrics: false,
  instrumentations: [instrumentation],
  logger: { warn: (m) => process.stderr.write(`${m}\n`), info: () => undefined },
});
const middleware = telemetry.tracingMiddleware({ getRoute: (req) => (req.url.startsWith('/items/') ? '/items/:id' : undefined) });
const server = http.createServer((req, res) => middleware(req, res, () => res.end('ok')));

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  await telemetry.withSpan('caller', () => new Promise((resolve, reject) => {
    http.get(`http://127.0.0.1:${port}/items/7`, (res) => res.resume().on('end', resolve)).on('error', reject);
  }));
  await telemetry.forceFlush();
  server.close();
  await telemetry.shutdown({ timeoutMs: 3000 });
  // Disabled at shutdown: its patches are off.
  process.stdout.write(JSON.stringify({ patchedAfterShutdown: typeof http.get.__wrapped === 'function' }));
});
