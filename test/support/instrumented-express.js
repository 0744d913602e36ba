'use strict';
/*
 * An Express service with the HTTP, Express and undici instrumentations (what auto-instrumentations-node enables for
 * it) given to initialize(), tracingMiddleware, and a tracedFetch from one route to another. In its own process:
 * instrumentations patch through Node's require. Prints what the downstream request's headers held.
 */
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici');

const instrumentations = [new HttpInstrumentation(), new ExpressInstrumentation(), new UndiciInstrumentation()];
const express = require('express');
const telemetry = require('../../dist/index.js');

telemetry.initialize({
  serviceName: 'instrumented-express',
  endpoint: process.env.COLLECTOR_URL,
  samplingRate: Number(process.env.SAMPLING_RATE ?? 1),
  exportIntervalMs: 60000,
  runtimeMetrics: false,
  instrumentations,
  logger: { warn: (m) => process.stderr.write(`${m}\n`), info: () => undefined },
});

const seen = [];
const app = express();
app.use(telemetry.tracingMiddleware());
app.get('/orders/:id', async (req, res) => {
  const upstream = await telemetry.tracedFetch(`http://127.0.0.1:${req.socket.localPort}/stock/${req.params.id}`);
  res.json({ stock: await upstream.json() });
});
app.get('/stock/:id', (req, res) => {
  seen.push({ traceparent: req.headers.traceparent ?? null, traceId: telemetry.currentTraceId() ?? null });
  res.json({ id: req.params.id, left: 3 });
});

const server = app.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  for (let i = 0; i < Number(process.env.REQUESTS ?? 1); i++) await (await fetch(`http://127.0.0.1:${port}/orders/${i}`)).text();
  await telemetry.forceFlush();
  server.close();
  await telemetry.shutdown({ timeoutMs: 3000 });
  process.stdout.write(JSON.stringify({ seen }));
});
