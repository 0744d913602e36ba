'use strict';
/*
 * The server of the request-path bench, one variant per process: `node request-server.js <variant>`.
 *
 *   none          no telemetry
 *   facade-prod   otel-facade, production profile (0.1% sampling): tracingMiddleware and three metric calls
 *   facade-dev    otel-facade, development profile (every request sampled)
 *   sdk           the raw SDK: @opentelemetry/instrumentation-http at 0.1% parent-based sampling, batch span
 *                 processor, and the same three metric calls on an SDK meter
 *   prom-client   prom-client: the same three metric calls, no tracing
 *
 * Every exporter discards what it is given: the bench measures the request path, not the network. The server
 * answers `GET /api/items/<n>` with a small JSON body; over IPC it reports its CPU time and request count between
 * `start` and `stop`.
 */
const variant = process.argv[2];

const discard = {
  export(items, callback) {
    callback({ code: 0 });
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

let handle;

if (variant === 'sdk') {
  // The instrumentation patches `http` when it is required, so it is registered first.
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } = require('@opentelemetry/sdk-trace-base');
  const { MeterProvider, PeriodicExportingMetricReader, AggregationTemporality } = require('@opentelemetry/sdk-metrics');
  const tracerProvider = new NodeTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.001) }),
    spanProcessors: [new BatchSpanProcessor(discard)],
  });
  tracerProvider.register();
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({
      exporter: { ...discard, selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE },
      exportIntervalMillis: 30_000,
    })],
  });
  registerInstrumentations({ tracerProvider, meterProvider, instrumentations: [new HttpInstrumentation()] });
  const meter = meterProvider.getMeter('bench');
  const requests = meter.createCounter('items.requests.total');
  const duration = meter.createHistogram('items.lookup.duration_ms');
  const hits = meter.createCounter('items.cache.hits.total');
  handle = (req, res, id) => {
    const started = performance.now();
    requests.add(1, { route: '/api/items/:id', method: req.method });
    hits.add(1, { cache: 'items', outcome: id % 4 === 0 ? 'miss' : 'hit' });
    duration.record(performance.now() - started, { route: '/api/items/:id' });
    answer(res, id);
  };
} else if (variant === 'facade-prod' || variant === 'facade-dev') {
  const telemetry = require('../../dist/index.js');
  const { initializeWith } = require('../../dist/api/lifecycle.js');
  initializeWith({
    ...telemetry.useProfile(variant === 'facade-prod' ? 'production' : 'development', { serviceName: 'bench' }),
    endpoint: 'http://127.0.0.1:9',
    exportIntervalMs: 30_000,
    logger: { warn() {}, info() {} },
  }, { metricExporter: { ...discard, selectAggregationTemporality: () => 1 }, spanExporter: discard });
  const middleware = telemetry.tracingMiddleware({ getRoute: () => '/api/items/:id' });
  handle = (req, res, id) => middleware(req, res, () => {
    const started = performance.now();
    telemetry.counter('items.requests.total', 'route', '/api/items/:id', 'method', req.method);
    telemetry.counter('items.cache.hits.total', 'cache', 'items', 'outcome', id % 4 === 0 ? 'miss' : 'hit');
    telemetry.histogram('items.lookup.duration_ms', performance.now() - started, 'route', '/api/items/:id');
    answer(res, id);
  });
} else if (variant === 'prom-client') {
  const promClient = require('prom-client');
  const registry = new promClient.Registry();
  const requests = new promClient.Counter({ name: 'items_requests_total', help: 'h', labelNames: ['route', 'method'], registers: [registry] });
  const hits = new promClient.Counter({ name: 'items_cache_hits_total', help: 'h', labelNames: ['cache', 'outcome'], registers: [registry] });
  const duration = new promClient.Histogram({ name: 'items_lookup_duration_ms', help: 'h', labelNames: ['route'], registers: [registry] });
  handle = (req, res, id) => {
    const started = performance.now();
    requests.inc({ route: '/api/items/:id', method: req.method });
    hits.inc({ cache: 'items', outcome: id % 4 === 0 ? 'miss' : 'hit' });
    duration.observe({ route: '/api/items/:id' }, performance.now() - started);
    answer(res, id);
  };
} else if (variant === 'none') {
  handle = (req, res, id) => answer(res, id);
} else {
  console.error(`unknown variant ${variant}`);
  process.exit(2);
}

const BODY_PREFIX = '{"id":';
function answer(res, id) {
  const body = `${BODY_PREFIX}${id},"name":"item ${id}"}`;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const http = require('node:http');
let served = 0;
const server = http.createServer((req, res) => {
  served++;
  const slash = req.url.lastIndexOf('/');
  handle(req, res, Number(req.url.slice(slash + 1)) || 0);
});
server.keepAliveTimeout = 60_000;
let cpu;
let servedAtStart = 0;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => {
  if (message === 'start') {
    cpu = process.cpuUsage();
    servedAtStart = served;
    process.send({ started: true });
  } else if (message === 'stop') {
    const used = process.cpuUsage(cpu);
    process.send({ cpuUs: used.user + used.system, requests: served - servedAtStart });
  }
});
process.on('disconnect', () => process.exit(0));
