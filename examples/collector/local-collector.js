'use strict';
/*
 * A local OTLP/HTTP collector for the demo and the tests: listens on 127.0.0.1, decodes protobuf requests
 * (gzip or not) with the generated code of the official OpenTelemetry protocol definitions, and keeps what
 * it received. It can also misbehave on purpose: answer with an error status, accept and never answer, or
 * stop listening so that exports get "connection refused".
 */
const { createServer } = require('node:http');
const { gunzipSync } = require('node:zlib');
const root = require('otlp-proto-decoder/build/src/generated/root.js');

const proto = root.opentelemetry.proto;
const MetricsRequest = proto.collector.metrics.v1.ExportMetricsServiceRequest;
const TraceRequest = proto.collector.trace.v1.ExportTraceServiceRequest;
const TO_OBJECT = { longs: String, enums: String, bytes: String, defaults: true, arrays: true, objects: true, oneofs: true };
const POINT_KINDS = ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'];

class LocalCollector {
  constructor() {
    /** Decoded metric export requests, oldest first. */
    this.metricRequests = [];
    /** Decoded span export requests, oldest first. */
    this.traceRequests = [];
    /** Every request that reached the server, whatever the answer. */
    this.requestCount = 0;
    /** How requests are answered: { kind: 'ok' } | { kind: 'status', status } | { kind: 'hang' }. */
    this.mode = { kind: 'ok' };
    this.port = 0;
    this.server = undefined;
    this.sockets = new Set();
    this.hung = [];
  }

  /** Starts listening on `port` (the previous one when restarting), or a random port. */
  async start(port = this.port) {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.server = server;
    this.port = server.address().port;
    return this;
  }

  /** The base URL to configure as `endpoint`. */
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Whether the collector is listening. */
  get listening() {
    return this.server !== undefined;
  }

  /** Stops listening and drops every connection: later exports are refused. */
  async stop() {
    const server = this.server;
    this.server = undefined;
    for (const res of this.hung.splice(0)) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    if (server !== undefined) await new Promise((resolve) => server.close(() => resolve()));
  }

  /** Every data point received, oldest first. */
  allPoints() {
    return this.metricRequests.flatMap((r) => r.points);
  }

  /** The points of `metric` in the latest request that carried it. */
  latest(metric) {
    for (let i = this.metricRequests.length - 1; i >= 0; i--) {
      const points = this.metricRequests[i].points.filter((p) => p.metric === metric);
      if (points.length > 0) return points;
    }
    return [];
  }

  /** Every span received, flattened. */
  spans() {
    const out = [];
    for (const request of this.traceRequests) {
      for (const rs of request.resourceSpans) {
        const resource = attributesOf(rs.resource?.attributes ?? []);
        for (const ss of rs.scopeSpans) {
          for (const span of ss.spans) {
            out.push({
              ...span,
              traceId: hex(span.traceId),
              spanId: hex(span.spanId),
              parentSpanId: hex(span.parentSpanId),
              attributes: attributesOf(span.attributes),
              resource,
            });
          }
        }
      }
    }
    return out;
  }

  /** Polls until `predicate()` holds; rejects after `timeoutMs`. */
  async waitFor(predicate, timeoutMs = 10000, what = 'condition') {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  handle(req, res) {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      this.requestCount++;
      const mode = this.mode;
      if (mode.kind === 'hang') {
        this.hung.push(res);
        return;
      }
      if (mode.kind === 'status') {
        res.writeHead(mode.status, { 'content-type': 'text/plain' }).end('local collector refuses on purpose');
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        if (req.url === '/v1/metrics') this.metricRequests.push(decodeMetrics(body, req.headers));
        else if (req.url === '/v1/traces') this.traceRequests.push(TraceRequest.toObject(TraceRequest.decode(body), TO_OBJECT));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
      }
    });
  }
}

function decodeMetrics(body, headers) {
  const request = MetricsRequest.toObject(MetricsRequest.decode(body), TO_OBJECT);
  const points = [];
  const scopes = [];
  let resource = {};
  for (const rm of request.resourceMetrics) {
    resource = attributesOf(rm.resource?.attributes ?? []);
    for (const sm of rm.scopeMetrics) {
      scopes.push(sm.scope?.name ?? '');
      for (const m of sm.metrics) {
        const kind = POINT_KINDS.find((k) => m[k]) ?? 'summary';
        const data = m[kind];
        const isHistogram = kind === 'histogram';
        for (const dp of data.dataPoints) {
          points.push({
            metric: m.name,
            kind,
            unit: m.unit,
            description: m.description,
            monotonic: kind === 'sum' ? data.isMonotonic : undefined,
            temporality: data.aggregationTemporality,
            attributes: attributesOf(dp.attributes),
            startTimeUnixNano: dp.startTimeUnixNano,
            timeUnixNano: dp.timeUnixNano,
            value: isHistogram ? undefined : dp.value === 'asInt' ? Number(dp.asInt) : dp.asDouble,
            count: isHistogram ? Number(dp.count) : undefined,
            sum: isHistogram ? dp.sum : undefined,
            min: isHistogram ? dp.min : undefined,
            max: isHistogram ? dp.max : undefined,
            bucketCounts: isHistogram ? dp.bucketCounts.map(Number) : undefined,
            explicitBounds: isHistogram ? dp.explicitBounds : undefined,
          });
        }
      }
    }
  }
  return { headers, resource, scopes, points };
}

/** OTLP ids arrive as bytes (base64 after decoding); W3C writes them in hex. */
function hex(base64) {
  return base64 ? Buffer.from(base64, 'base64').toString('hex') : '';
}

/** Flattens OTLP KeyValue attributes into a plain object. */
function attributesOf(list) {
  const out = {};
  for (const { key, value } of list) {
    const v = value ?? {};
    if (v.value === 'stringValue') out[key] = v.stringValue;
    else if (v.value === 'boolValue') out[key] = v.boolValue;
    else if (v.value === 'intValue') out[key] = Number(v.intValue);
    else if (v.value === 'doubleValue') out[key] = v.doubleValue;
    else out[key] = v.stringValue;
  }
  return out;
}

module.exports = { LocalCollector, attributesOf };
