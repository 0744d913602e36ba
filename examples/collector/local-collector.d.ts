import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';

/** How the collector answers export requests. */
export type CollectorMode =
  | { kind: 'ok' }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'limit'; maxBytes: number }
  /** LocalGrpcCollector only: end calls with this gRPC status. */
  | { kind: 'grpcStatus'; code: number; details?: string }
  /** LocalGrpcCollector only: accept, and answer with a partial success. */
  | { kind: 'partial'; rejected: number; message: string };

/** One request as the collector saw it. */
export interface RequestLogEntry {
  /** `/v1/metrics` or `/v1/traces`. */
  path: string;
  /** Body size as received (compressed when gzip). */
  bytes: number;
  /** The status answered; 0 while hung (and for gRPC calls, which say `grpcCode`). */
  status: number;
  /** LocalGrpcCollector: the gRPC status code answered (0 is OK); undefined while hung. */
  grpcCode?: number;
}

/** One data point as the collector saw it, flattened. */
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
  /** Exponential histograms: the scale, the count of zeros, and the positive buckets. */
  scale?: number;
  zeroCount?: number;
  positive?: { offset: number; bucketCounts: number[] };
  /** The point's exemplars; absent when it has none. */
  exemplars?: ReceivedExemplar[];
}

/** One exemplar of a point, flattened. */
export interface ReceivedExemplar {
  value: number;
  timeUnixNano: string;
  /** Hex; '' when the exemplar carries no trace id. */
  traceId: string;
  /** Hex; '' when the exemplar carries no span id. */
  spanId: string;
  filteredAttributes: Record<string, unknown>;
}

/** One decoded metrics export request. */
export interface ReceivedMetricsRequest {
  headers: IncomingMessage['headers'];
  resource: Record<string, unknown>;
  scopes: string[];
  points: ReceivedPoint[];
}

/** A span as decoded by the official protobuf code, with attributes flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: string;
  status: { code: string; message: string };
  events: { name: string; attributes: { key: string; value: Record<string, unknown> }[] }[];
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

/** A loopback OTLP/HTTP collector that decodes with the official protobuf definitions. */
export declare class LocalCollector extends EventEmitter {
  readonly metricRequests: ReceivedMetricsRequest[];
  readonly traceRequests: Record<string, unknown>[];
  requestCount: number;
  mode: CollectorMode;
  readonly log: RequestLogEntry[];
  port: number;
  readonly url: string;
  readonly listening: boolean;
  start(port?: number): Promise<this>;
  stop(): Promise<void>;
  allPoints(): ReceivedPoint[];
  latest(metric: string): ReceivedPoint[];
  spans(): ReceivedSpan[];
  waitFor(predicate: () => boolean): Promise<void>;
  nextRequest(): Promise<RequestLogEntry>;
  /** Decodes one export request for `/v1/metrics` or `/v1/traces` with the official generated code, and keeps it. */
  receive(path: string, body: Buffer, headers: Record<string, unknown>): void;
}

/** The generated code of the official protocol definitions (`opentelemetry.proto`). */
export declare const proto: Record<string, unknown>;

/** Flattens OTLP KeyValue attributes into a plain object. */
export declare function attributesOf(list: { key: string; value: Record<string, unknown> }[]): Record<string, unknown>;
