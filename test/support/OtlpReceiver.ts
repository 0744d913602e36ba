import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
// The generated protobuf code of the official OpenTelemetry protocol definitions.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('otlp-proto-decoder/build/src/generated/root.js');

const proto = root.opentelemetry.proto;
const MetricsRequest = proto.collector.metrics.v1.ExportMetricsServiceRequest;
const TraceRequest = proto.collector.trace.v1.ExportTraceServiceRequest;
const TO_OBJECT = { longs: String, enums: String, bytes: String, defaults: true, arrays: true, objects: true };

/** How the receiver answers export requests. */
export type ReceiverMode = { kind: 'ok' } | { kind: 'status'; status: number } | { kind: 'hang' };

/** One data point as the collector would see it, flattened for assertions. */
export interface ReceivedPoint {
  metric: string;
  kind: 'sum' | 'gauge' | 'histogram' | 'exponentialHistogram' | 'summary';
  unit: string;
  description: string;
  monotonic: boolean | undefined;
  temporality: string | undefined;
  attributes: Record<string, unknown>;
  startTimeUnixNano: string;
  timeUnixNano: string;
  value: number | undefined;
  count: number | undefined;
  sum: number | undefined;
  min: number | undefined;
  max: number | undefined;
  bucketCounts: number[] | undefined;
  explicitBounds: number[] | undefined;
}

/** One decoded metrics export request. */
export interface ReceivedMetricsRequest {
  headers: IncomingMessage['headers'];
  resource: Record<string, unknown>;
  scopes: string[];
  points: ReceivedPoint[];
}

/**
 * A loopback OTLP/HTTP receiver for tests: listens on 127.0.0.1 and a random port, decodes protobuf (gzip or
 * not) with the official generated code, and can answer with errors, hang, or refuse connections.
 */
export class OtlpReceiver {
  readonly metricRequests: ReceivedMetricsRequest[] = [];
  readonly traceRequests: Record<string, unknown>[] = [];
  /** Every request that reached the server, whatever the answer. */
  requestCount = 0;
  mode: ReceiverMode = { kind: 'ok' };
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly hung: ServerResponse[] = [];

  /** Starts listening; on `port` when given (to come back on the same address), else a random one. */
  async start(port = this.port): Promise<this> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** The base URL to give as `endpoint`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops listening and drops every connection: later exports get ECONNREFUSED. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const res of this.hung.splice(0)) res.destroy();
    for (const socket of this.sockets) socket.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Every data point received, oldest request first. */
  allPoints(): ReceivedPoint[] {
    return this.metricRequests.flatMap((r) => r.points);
  }

  /** The points of `metric` in the latest request that carried it. */
  latest(metric: string): ReceivedPoint[] {
    for (let i = this.metricRequests.length - 1; i >= 0; i--) {
      const points = this.metricRequests[i].points.filter((p) => p.metric === metric);
      if (points.length > 0) return points;
    }
    return [];
  }

  /** Polls until `predicate` holds, or fails after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 10000, what = 'condition'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.requestCount++;
      const mode = this.mode;
      if (mode.kind === 'hang') {
        this.hung.push(res);
        return;
      }
      if (mode.kind === 'status') {
        res.writeHead(mode.status, { 'content-type': 'text/plain' }).end('test receiver says no');
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        if (req.url === '/v1/metrics') this.metricRequests.push(decodeMetrics(body, req.headers));
        else if (req.url === '/v1/traces') this.traceRequests.push(TraceRequest.toObject(TraceRequest.decode(body), TO_OBJECT));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch (error) {
        res.writeHead(400).end(String(error));
      }
    });
  }
}

function decodeMetrics(body: Buffer, headers: IncomingMessage['headers']): ReceivedMetricsRequest {
  const request = MetricsRequest.toObject(MetricsRequest.decode(body), TO_OBJECT);
  const points: ReceivedPoint[] = [];
  const scopes: string[] = [];
  let resource: Record<string, unknown> = {};
  for (const rm of request.resourceMetrics) {
    resource = attributesOf(rm.resource?.attributes ?? []);
    for (const sm of rm.scopeMetrics) {
      scopes.push(sm.scope?.name ?? '');
      for (const m of sm.metrics) {
        const kind = m.sum ? 'sum' : m.gauge ? 'gauge' : m.histogram ? 'histogram' : m.exponentialHistogram ? 'exponentialHistogram' : 'summary';
        const data = m[kind];
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
            value: kind === 'histogram' ? undefined : dp.asDouble !== undefined && dp.value === 'asDouble' ? dp.asDouble : dp.asInt !== undefined && dp.value === 'asInt' ? Number(dp.asInt) : (dp.asDouble ?? Number(dp.asInt)),
            count: kind === 'histogram' ? Number(dp.count) : undefined,
            sum: kind === 'histogram' ? dp.sum : undefined,
            min: kind === 'histogram' ? dp.min : undefined,
            max: kind === 'histogram' ? dp.max : undefined,
            bucketCounts: kind === 'histogram' ? dp.bucketCounts.map(Number) : undefined,
            explicitBounds: kind === 'histogram' ? dp.explicitBounds : undefined,
          });
        }
      }
    }
  }
  return { headers, resource, scopes, points };
}

/** Flattens OTLP KeyValue attributes into a plain object. */
export function attributesOf(list: { key: string; value: Record<string, unknown> }[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list) {
    const v = value ?? {};
    out[key] = v.stringValue ?? v.boolValue ?? (v.intValue !== undefined && v.intValue !== '0' ? Number(v.intValue) : undefined) ?? v.doubleValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined);
  }
  return out;
}
