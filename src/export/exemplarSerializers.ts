import type { ISerializer } from '@opentelemetry/otlp-transformer';
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Exemplar } from '../metrics/ExemplarReservoirs';
import type { PointWithExemplars } from './MetricChunkBuilder';

/** The official metrics serializers' shape (what `otlpSink` takes, and a gRPC sink would). */
export type MetricsSerializer<Response> = ISerializer<ResourceMetrics, Response>;

/**
 * The official OTLP metrics serializers, with the exemplars of our data points added: the official ones write none
 * (the SDK's `DataPoint` has no field for them). Requests without exemplars are the official bytes, untouched.
 *
 * **Protobuf: the official encoding, exemplars spliced in.** The request is encoded by the official serializer,
 * then copied with each data point that has exemplars followed by its `exemplars` fields (protobuf fields may come in
 * any order), and the length prefixes of the five enclosing messages (request, resource, scope, metric, its
 * gauge/sum/histogram) rewritten. One walk over the tags of those levels, a data point copied as one slice: linear
 * in the request, and every byte the official serializer wrote is kept. Why not an encoder of our own: it would
 * duplicate the official one (resource, scope, attributes of every type, every point kind) and could drift from it;
 * the splice only adds what the official one leaves out. Tests decode the result with the official generated code
 * and compare it, field for field, with the official encoding plus the exemplars. Should the official bytes ever not
 * match the request's shape (a changed serializer), `onError` hears why and the official bytes go out without
 * exemplars: exemplars are never worth a lost export.
 *
 * **JSON.** The object the official JSON serializer stringifies (`createExportMetricsServiceRequest` with its JSON
 * encoder), with `exemplars` added to the points that have them: `timeUnixNano` as a decimal string, `asDouble`, and
 * the ids as hex, as OTLP/JSON writes them.
 */
export function exemplarSerializers<Response>(
  official: { readonly protobuf: MetricsSerializer<Response>; readonly json: MetricsSerializer<Response> },
  onError: (message: string) => void,
): { protobuf: MetricsSerializer<Response>; json: MetricsSerializer<Response> } {
  return {
    protobuf: {
      serializeRequest(request) {
        const bytes = official.protobuf.serializeRequest(request);
        if (bytes === undefined || !hasExemplars(request)) return bytes;
        try {
          return spliceExemplars(bytes, request);
        } catch (error) {
          onError(error instanceof Error ? error.message : String(error));
          return bytes;
        }
      },
      deserializeResponse: (data) => official.protobuf.deserializeResponse(data),
    },
    json: {
      serializeRequest(request) {
        if (!hasExemplars(request)) return official.json.serializeRequest(request);
        return new TextEncoder().encode(JSON.stringify(jsonWithExemplars(request)));
      },
      deserializeResponse: (data) => official.json.deserializeResponse(data),
    },
  };
}

/** Whether any data point of the request carries exemplars. */
function hasExemplars(request: ResourceMetrics): boolean {
  for (const scope of request.scopeMetrics) {
    for (const metric of scope.metrics) if (metricHasExemplars(metric)) return true;
  }
  return false;
}

function metricHasExemplars(metric: MetricData): boolean {
  for (const point of metric.dataPoints as PointWithExemplars<unknown>[]) {
    if (point.exemplars !== undefined && point.exemplars.length > 0) return true;
  }
  return false;
}

// ------------------------------------------------------------------------------------------------------- protobuf

/** The official bytes do not match the request they were made from. */
class ShapeMismatch extends Error {}

/** Where a metric's data sits in `Metric` (metrics.proto), by point type. */
const DATA_FIELD: Readonly<Record<DataPointType, number>> = {
  [DataPointType.GAUGE]: 5,
  [DataPointType.SUM]: 7,
  [DataPointType.HISTOGRAM]: 9,
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 10,
};

/** The `exemplars` field of a data point, by point type: NumberDataPoint 5, HistogramDataPoint 8, ExponentialHistogramDataPoint 11. */
const EXEMPLARS_FIELD: Readonly<Record<DataPointType, number>> = {
  [DataPointType.GAUGE]: 5,
  [DataPointType.SUM]: 5,
  [DataPointType.HISTOGRAM]: 8,
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 11,
};

/** The nesting of an ExportMetricsServiceRequest down to data points. */
const enum Level { Request, Resource, Scope, Metric, Data }

/**
 * `bytes` (the official encoding of `request`) with the exemplars of its points added. Only the messages on the way
 * to a point with exemplars are taken apart; everything else is copied as the slices it was.
 */
export function spliceExemplars(bytes: Uint8Array, request: ResourceMetrics): Uint8Array {
  const parts: Uint8Array[] = [];
  const length = copyMessage(bytes, 0, bytes.length, Level.Request, request, parts);
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Copies the fields of the message in `bytes[start, end)` at `level`, whose counterpart in the request is `node`,
 * into `parts`; returns the length of what it copied.
 */
function copyMessage(bytes: Uint8Array, start: number, end: number, level: Level, node: unknown, parts: Uint8Array[]): number {
  let pos = start;
  let length = 0;
  let nth = 0;
  while (pos < end) {
    const fieldStart = pos;
    const tag = readVarint(bytes, pos, end);
    pos = varintEnd(bytes, pos, end);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire !== 2) {
      pos = skipScalar(bytes, pos, end, wire);
      parts.push(bytes.subarray(fieldStart, pos));
      length += pos - fieldStart;
      continue;
    }
    const size = readVarint(bytes, pos, end);
    const contentStart = varintEnd(bytes, pos, end);
    const contentEnd = contentStart + size;
    if (contentEnd > end) throw new ShapeMismatch('a length runs past its message');
    pos = contentEnd;
    const child = childOf(level, node, field, nth);
    if (child !== undefined) nth++;
    if (child === undefined || !child.changes) {
      parts.push(bytes.subarray(fieldStart, contentEnd));
      length += contentEnd - fieldStart;
      continue;
    }
    const head = bytes.subarray(fieldStart, varintEnd(bytes, fieldStart, end)); // the tag, as written
    const inner: Uint8Array[] = [];
    let innerLength: number;
    if (level === Level.Data) {
      // A data point with exemplars: its own bytes, then its exemplars fields.
      inner.push(bytes.subarray(contentStart, contentEnd));
      const added = encodeExemplars(child.exemplarsField, child.node as readonly Exemplar[]);
      inner.push(added);
      innerLength = size + added.length;
    } else {
      innerLength = copyMessage(bytes, contentStart, contentEnd, (level + 1) as Level, child.node, inner);
    }
    const prefix = varint(innerLength);
    parts.push(head, prefix);
    for (const part of inner) parts.push(part);
    length += head.length + prefix.length + innerLength;
  }
  if (pos !== end) throw new ShapeMismatch('a field runs past its message');
  expectCount(level, node, nth);
  return length;
}

/** What a length-delimited field leads to in the request, and whether anything below it gets exemplars. */
interface Child {
  readonly node: unknown;
  readonly changes: boolean;
  /** At the data level: the data point's exemplars field. */
  readonly exemplarsField: number;
}

/** The request's counterpart of the `nth` field `field` of a message at `level`; undefined when not on the way to points. */
function childOf(level: Level, node: unknown, field: number, nth: number): Child | undefined {
  switch (level) {
    case Level.Request:
      if (field !== 1) return undefined;
      if (nth > 0) throw new ShapeMismatch('more than one resource');
      return { node, changes: true, exemplarsField: 0 };
    case Level.Resource: {
      if (field !== 2) return undefined;
      const scope = (node as ResourceMetrics).scopeMetrics[nth];
      if (scope === undefined) throw new ShapeMismatch('more scopes than the request has');
      return { node: scope, changes: scope.metrics.some(metricHasExemplars), exemplarsField: 0 };
    }
    case Level.Scope: {
      if (field !== 2) return undefined;
      const metric = (node as ResourceMetrics['scopeMetrics'][number]).metrics[nth];
      if (metric === undefined) throw new ShapeMismatch('more metrics than the request has');
      return { node: metric, changes: metricHasExemplars(metric), exemplarsField: 0 };
    }
    case Level.Metric: {
      const metric = node as MetricData;
      if (field !== 5 && field !== 7 && field !== 9 && field !== 10 && field !== 11) return undefined;
      if (field !== DATA_FIELD[metric.dataPointType]) throw new ShapeMismatch(`metric '${metric.descriptor.name}' is encoded as another type`);
      return { node: metric, changes: true, exemplarsField: EXEMPLARS_FIELD[metric.dataPointType] };
    }
    case Level.Data: {
      if (field !== 1) return undefined;
      const metric = node as MetricData;
      const point = (metric.dataPoints as PointWithExemplars<unknown>[])[nth];
      if (point === undefined) throw new ShapeMismatch(`more points than metric '${metric.descriptor.name}' has`);
      const exemplars = point.exemplars;
      return { node: exemplars, changes: exemplars !== undefined && exemplars.length > 0, exemplarsField: EXEMPLARS_FIELD[metric.dataPointType] };
    }
  }
}

/** What the messages at each level hold, for messages. */
const CHILDREN = ['resources', 'scopes', 'metrics', 'data fields', 'data points'];

/** Every element of the request was found in the bytes, in number. */
function expectCount(level: Level, node: unknown, found: number): void {
  let expected: number;
  switch (level) {
    case Level.Request: expected = 1; break;
    case Level.Resource: expected = (node as ResourceMetrics).scopeMetrics.length; break;
    case Level.Scope: expected = (node as ResourceMetrics['scopeMetrics'][number]).metrics.length; break;
    case Level.Metric: expected = 1; break;
    case Level.Data: expected = (node as MetricData).dataPoints.length; break;
  }
  if (found !== expected) throw new ShapeMismatch(`the encoding holds ${found} ${CHILDREN[level]} where the request has ${expected}`);
}

/** The `exemplars` fields (number `field`) of one data point: each an Exemplar message. */
function encodeExemplars(field: number, exemplars: readonly Exemplar[]): Uint8Array {
  const messages = exemplars.map(exemplarMessage);
  const tag = varint((field << 3) | 2);
  let size = 0;
  for (const message of messages) size += tag.length + varint(message.length).length + message.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const message of messages) {
    out.set(tag, at);
    at += tag.length;
    const prefix = varint(message.length);
    out.set(prefix, at);
    at += prefix.length;
    out.set(message, at);
    at += message.length;
  }
  return out;
}

/**
 * One Exemplar (metrics.proto): time_unix_nano (2, fixed64), as_double (3, double), span_id (4, bytes), trace_id
 * (5, bytes); no filtered_attributes (7): every label of the measurement is on its point. Ids that are not valid hex
 * of their length are left out.
 */
function exemplarMessage(exemplar: Exemplar): Uint8Array {
  const span = hexBytes(exemplar.spanId, 8);
  const trace = hexBytes(exemplar.traceId, 16);
  const out = new Uint8Array(18 + (span === undefined ? 0 : 10) + (trace === undefined ? 0 : 18));
  const view = new DataView(out.buffer);
  out[0] = 0x11; // field 2, fixed64
  view.setBigUint64(1, unixNanos(exemplar.timeMs), true);
  out[9] = 0x19; // field 3, double
  view.setFloat64(10, exemplar.value, true);
  let at = 18;
  if (span !== undefined) {
    out[at] = 0x22; // field 4, bytes
    out[at + 1] = 8;
    out.set(span, at + 2);
    at += 10;
  }
  if (trace !== undefined) {
    out[at] = 0x2a; // field 5, bytes
    out[at + 1] = 16;
    out.set(trace, at + 2);
  }
  return out;
}

/** Nanoseconds since the Unix epoch, exactly for whole milliseconds (a double cannot hold them past 2^53). */
export function unixNanos(timeMs: number): bigint {
  if (!(timeMs > 0)) return 0n;
  const whole = Math.trunc(timeMs);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((timeMs - whole) * 1e6));
}

/** The bytes of `hex` when it is `bytes` bytes of hex digits, else undefined. */
function hexBytes(hex: string, bytes: number): Uint8Array | undefined {
  if (typeof hex !== 'string' || hex.length !== 2 * bytes || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function readVarint(bytes: Uint8Array, pos: number, end: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= end) throw new ShapeMismatch('a varint runs past its message');
    const byte = bytes[pos + i];
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return value;
    scale *= 128;
  }
  throw new ShapeMismatch('a varint longer than 10 bytes');
}

function varintEnd(bytes: Uint8Array, pos: number, end: number): number {
  while (pos < end && (bytes[pos] & 0x80) !== 0) pos++;
  if (pos >= end) throw new ShapeMismatch('a varint runs past its message');
  return pos + 1;
}

/** The end of a scalar field's value (wire types 0, 1 and 5). */
function skipScalar(bytes: Uint8Array, pos: number, end: number, wire: number): number {
  switch (wire) {
    case 0: return varintEnd(bytes, pos, end);
    case 1: return checked(pos + 8, end);
    case 5: return checked(pos + 4, end);
    default: throw new ShapeMismatch(`wire type ${wire}`);
  }
}

function checked(pos: number, end: number): number {
  if (pos > end) throw new ShapeMismatch('a field runs past its message');
  return pos;
}

/** A length (or tag) as a protobuf varint. */
function varint(value: number): Uint8Array {
  const out: number[] = [];
  while (value > 0x7f) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return Uint8Array.from(out);
}

// ----------------------------------------------------------------------------------------------------------- JSON

interface JsonPoint { exemplars?: unknown[] }
type JsonMetric = Partial<Record<'sum' | 'gauge' | 'histogram' | 'exponentialHistogram', { dataPoints: JsonPoint[] }>>;
interface JsonRequest { resourceMetrics: { scopeMetrics: { metrics: JsonMetric[] }[] }[] }

/** The official JSON request object of `request`, with the exemplars of its points. */
function jsonWithExemplars(request: ResourceMetrics): JsonRequest {
  // Loaded when first needed, like the serializers: the functions the official JsonMetricsSerializer runs.
  const { createExportMetricsServiceRequest } = require('@opentelemetry/otlp-transformer/build/src/metrics/internal') as
    { createExportMetricsServiceRequest: (metrics: ResourceMetrics[], encoder: unknown) => JsonRequest };
  const { JSON_ENCODER } = require('@opentelemetry/otlp-transformer/build/src/common/utils') as { JSON_ENCODER: unknown };
  const body = createExportMetricsServiceRequest([request], JSON_ENCODER);
  const scopes = body.resourceMetrics[0].scopeMetrics;
  request.scopeMetrics.forEach((scope, i) => {
    scope.metrics.forEach((metric, j) => {
      const out = scopes[i].metrics[j];
      const data = out.sum ?? out.gauge ?? out.histogram ?? out.exponentialHistogram;
      (metric.dataPoints as PointWithExemplars<unknown>[]).forEach((point, k) => {
        if (point.exemplars !== undefined && point.exemplars.length > 0 && data !== undefined) {
          data.dataPoints[k].exemplars = point.exemplars.map(jsonExemplar);
        }
      });
    });
  });
  return body;
}

/** One exemplar in OTLP/JSON: ids in hex (left out when not valid), the time as a decimal string. */
function jsonExemplar(exemplar: Exemplar): Record<string, unknown> {
  const out: Record<string, unknown> = { timeUnixNano: unixNanos(exemplar.timeMs).toString(), asDouble: exemplar.value };
  if (hexBytes(exemplar.spanId, 8) !== undefined) out.spanId = exemplar.spanId.toLowerCase();
  if (hexBytes(exemplar.traceId, 16) !== undefined) out.traceId = exemplar.traceId.toLowerCase();
  return out;
}
