'use strict';
/*
 * A local OTLP/HTTP collector for the demo and the tests: listens on 127.0.0.1, decodes protobuf requests, and
 * OTLP/JSON ones (gzip or not), with the generated code of the official OpenTelemetry protocol definitions, and keeps
 * what it received. It can also misbehave on purpose: answer with an error status, accept and never answer, refuse
 * bodies over a size limit with 413, or stop listening so that exports get "connection refused".
 * It emits 'request' after answering each request, so tests wait for events rather than sleeping.
 */
const { EventEmitter } = require('node:events');
const { createServer } = require('node:http');
const { gunzipSync } = require('node:zlib');
const root = require('otlp-proto-decoder/build/src/generated/root.js');

const proto = root.opentelemetry.proto;
const MetricsRequest = proto.collector.metrics.v1.ExportMetricsServiceRequest;
const TraceRequest = proto.collector.trace.v1.ExportTraceServiceRequest;
const TO_OBJECT = { longs: String, enums: String, bytes: String, defaults: true, arrays: true, objects: true, oneofs: true };
const POINT_KINDS = ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'];

class LocalCollector extends EventEmitter {
  constructor() {
    super();
    /** Decoded metric export requests, oldest first. */
    this.metricRequests = [];
    /** Decoded span export requests, oldest first. */
    this.traceRequests = [];
    /** Every request that reached the server, whatever the answer. */
    this.requestCount = 0;
    /**
     * How requests are answered: { kind: 'ok' } | { kind: 'status', status } | { kind: 'hang' } |
     * { kind: 'limit', maxBytes } (413 for bodies, as received, over maxBytes).
     */
    this.mode = { kind: 'ok' };
    /** Every request: its path, body size as received, and the status answered (0 for none). */
    this.log = [];
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

  /**
   * The points of `metric` from the latest collection that carried it. A collection may arrive in several requests
   * (large ones are chunked); its points share one end time, which is how they are found.
   */
  latest(metric) {
    for (let i = this.metricRequests.length - 1; i >= 0; i--) {
      const newest = this.metricRequests[i].points.find((p) => p.metric === metric);
      if (newest === undefined) continue;
      return this.allPoints().filter((p) => p.metric === metric && p.timeUnixNano === newest.timeUnixNano);
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

  /**
   * Resolves once `predicate()` holds, checking now and after every request; no timers, so it works under fake
   * timers too. The test runner's timeout bounds the wait.
   */
  waitFor(predicate) {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!predicate()) return;
        this.off('request', check);
        resolve();
      };
      this.on('request', check);
    });
  }

  /** Resolves with the next request's log entry. */
  nextRequest() {
    return new Promise((resolve) => this.once('request', resolve));
  }

  /**
   * Decodes one export request for `path` (`/v1/metrics` or `/v1/traces`) with the official generated code and keeps
   * it; throws when the body does not decode.
   */
  receive(path, body, headers, json = false) {
    if (path === '/v1/metrics') this.metricRequests.push(decodeMetrics(decode(MetricsRequest, body, json), headers));
    else if (path === '/v1/traces') this.traceRequests.push(TraceRequest.toObject(decode(TraceRequest, body, json), TO_OBJECT));
  }

  handle(req, res) {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      this.requestCount++;
      const mode = this.mode;
      const size = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
      const entry = { path: req.url, bytes: size, status: 0 };
      this.log.push(entry);
      const answer = (status, contentType, body) => {
        entry.status = status;
        res.writeHead(status, { 'content-type': contentType }).end(body);
        this.emit('request', entry);
      };
      if (mode.kind === 'hang') {
        this.hung.push(res);
        this.emit('request', entry);
        return;
      }
      if (mode.kind === 'status') {
        answer(mode.status, 'text/plain', 'local collector refuses on purpose');
        return;
      }
      if (mode.kind === 'limit' && size > mode.maxBytes) {
        answer(413, 'text/plain', `request body of ${size} bytes is over the limit of ${mode.maxBytes}`);
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        this.receive(req.url, body, req.headers, String(req.headers['content-type'] ?? '').startsWith('application/json'));
        answer(200, 'application/x-protobuf');
      } catch (error) {
        answer(400, 'text/plain', String(error));
      }
    });
  }
}

/**
 * A request message from protobuf bytes, or from OTLP/JSON through the generated `fromObject`, once the ids that
 * OTLP/JSON writes in hex (trace, span and parent span ids) are turned into bytes: `fromObject` reads a string for a
 * bytes field as base64.
 */
function decode(Type, body, json) {
  if (!json) return Type.decode(body);
  const object = JSON.parse(body.toString('utf8'));
  return Type.fromObject(hexIdsToBytes(object));
}

const HEX_ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

function hexIdsToBytes(value) {
  if (Array.isArray(value)) return value.map(hexIdsToBytes);
  if (typeof value !== 'object' || value === null) return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    const bytes = HEX_ID_KEYS.has(key) && typeof item === 'string' ? Buffer.from(item, 'hex') : hexIdsToBytes(item);
    Object.defineProperty(out, key, { value: bytes, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function decodeMetrics(message, headers) {
  const request = MetricsRequest.toObject(message, TO_OBJECT);
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
        const isHistogram = kind === 'histogram' || kind === 'exponentialHistogram';
        const isExponential = kind === 'exponentialHistogram';
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
            bucketCounts: kind === 'histogram' ? dp.bucketCounts.map(Number) : undefined,
            explicitBounds: kind === 'histogram' ? dp.explicitBounds : undefined,
            scale: isExponential ? dp.scale : undefined,
            zeroCount: isExponential ? Number(dp.zeroCount ?? 0) : undefined,
            positive: isExponential ? { offset: dp.positive?.offset ?? 0, bucketCounts: (dp.positive?.bucketCounts ?? []).map(Number) } : undefined,
            // Only on points that carry some, so that points without are as they always were.
            exemplars: (dp.exemplars ?? []).length > 0 ? dp.exemplars.map(exemplarOf) : undefined,
          });
        }
      }
    }
  }
  return { headers, resource, scopes, points };
}

/** An exemplar, flattened: its value, time, ids in hex ('' when absent) and filtered attributes. */
function exemplarOf(exemplar) {
  return {
    value: exemplar.value === 'asInt' ? Number(exemplar.asInt) : exemplar.asDouble,
    timeUnixNano: exemplar.timeUnixNano,
    traceId: hex(exemplar.traceId),
    spanId: hex(exemplar.spanId),
    filteredAttributes: attributesOf(exemplar.filteredAttributes ?? []),
  };
}

/** OTLP ids arrive as bytes (base64 after decoding); W3C writes them in hex. */
function hex(base64) {
  return base64 ? Buffer.from(base64, 'base64').toString('hex') : '';
}

/** Flattens OTLP KeyValue attributes into a plain object; defined, not assigned, so `__proto__` stays a key. */
function attributesOf(list) {
  const out = {};
  for (const { key, value } of list) {
    const v = value ?? {};
    let flat;
    if (v.value === 'stringValue') flat = v.stringValue;
    else if (v.value === 'boolValue') flat = v.boolValue;
    else if (v.value === 'intValue') flat = Number(v.intValue);
    else if (v.value === 'doubleValue') flat = v.doubleValue;
    else if (v.value === 'arrayValue') flat = (v.arrayValue?.values ?? []).map((item) => item[item.value] ?? null);
    else flat = v.stringValue;
    Object.defineProperty(out, key, { value: flat, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

module.exports = { LocalCollector, attributesOf, proto };
