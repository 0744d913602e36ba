import { ValueType } from '@opentelemetry/api';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { exemplarSerializers, unixNanos } from '../../src/export/exemplarSerializers';
import type { PointWithExemplars } from '../../src/export/MetricChunkBuilder';
import type { Exemplar } from '../../src/metrics/ExemplarReservoirs';

// The official generated protobuf code (the collector's decoder), the reference for what the bytes mean.
const root = require('otlp-proto-decoder/build/src/generated/root.js');
const MetricsRequest = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
const TO_OBJECT = { longs: String, enums: String, bytes: String, defaults: false, arrays: true };

type Decoded = { resourceMetrics: { scopeMetrics: { metrics: Record<string, { dataPoints: Record<string, unknown>[] }>[] }[] }[] };
const decode = (bytes: Uint8Array): Decoded => MetricsRequest.toObject(MetricsRequest.decode(bytes), TO_OBJECT);
const DATA_KEYS = ['sum', 'gauge', 'histogram', 'exponentialHistogram'];

/** Every decoded data point, in order, with its exemplars taken out (returned beside it). */
function points(decoded: Decoded): { point: Record<string, unknown>; exemplars: unknown }[] {
  const out: { point: Record<string, unknown>; exemplars: unknown }[] = [];
  for (const rm of decoded.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      for (const metric of sm.metrics) {
        const data = DATA_KEYS.map((key) => metric[key]).find(Boolean);
        for (const point of data?.dataPoints ?? []) {
          const { exemplars, ...rest } = point as { exemplars?: unknown[] };
          out.push({ point: rest, exemplars: exemplars !== undefined && exemplars.length > 0 ? exemplars : undefined });
        }
      }
    }
  }
  return out;
}

/** The decoded request with every `exemplars` field removed. */
function withoutExemplars(decoded: Decoded): Decoded {
  return JSON.parse(JSON.stringify(decoded, (key, value: unknown) => (key === 'exemplars' ? undefined : value)));
}

const hexToBase64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');

/** What the official decoder gives for an exemplar we wrote: ids as bytes (base64 here), the time in nanoseconds. */
function expectedDecoded(exemplar: Exemplar): Record<string, unknown> {
  const out: Record<string, unknown> = { filteredAttributes: [], timeUnixNano: unixNanos(exemplar.timeMs).toString(), asDouble: exemplar.value };
  if (/^[0-9a-f]{16}$/i.test(exemplar.spanId)) out.spanId = hexToBase64(exemplar.spanId);
  if (/^[0-9a-f]{32}$/i.test(exemplar.traceId)) out.traceId = hexToBase64(exemplar.traceId);
  return out;
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const at = (n: number): Exemplar => ({ value: n + 0.5, timeMs: 1_700_000_000_123 + n, traceId: TRACE, spanId: SPAN });

const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1e6];
const START = hr(1_700_000_000_000);
const END = hr(1_700_000_060_000);

function point<T>(value: T, attributes: Record<string, string | number | boolean>, exemplars?: Exemplar[]): PointWithExemplars<T> {
  const out: PointWithExemplars<T> = { startTime: START, endTime: END, attributes, value };
  if (exemplars !== undefined) out.exemplars = exemplars;
  return out;
}

const descriptor = (name: string) => ({ name, description: `${name} described`, unit: 'ms', valueType: ValueType.DOUBLE });
const sum = (name: string, dataPoints: PointWithExemplars<number>[]): MetricData =>
  ({ descriptor: descriptor(name), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints });
const gauge = (name: string, dataPoints: PointWithExemplars<number>[]): MetricData =>
  ({ descriptor: descriptor(name), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints });
const histogramValue = (count: number) => ({ buckets: { boundaries: [1, 10, 100], counts: [count, 0, 1, 0] }, count: count + 1, sum: 42.5, min: 0.5, max: 50 });
const histogram = (name: string, dataPoints: PointWithExemplars<ReturnType<typeof histogramValue>>[]): MetricData =>
  ({ descriptor: descriptor(name), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM, dataPoints });
const exponentialValue = { count: 3, sum: 7, scale: 3, zeroCount: 1, positive: { offset: -2, bucketCounts: [1, 0, 1] }, negative: { offset: 0, bucketCounts: [] }, min: 0, max: 5 };
const exponential = (name: string, dataPoints: PointWithExemplars<typeof exponentialValue>[]): MetricData =>
  ({ descriptor: descriptor(name), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM, dataPoints });

/** A request of every point type, two scopes, points with and without exemplars, and one large enough to need 3-byte lengths. */
function request(): ResourceMetrics {
  const long = 'x'.repeat(20_000);
  return {
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'h' }),
    scopeMetrics: [
      {
        scope: { name: 'otel-facade', version: '1.2.3' },
        metrics: [
          sum('orders.total', [point(3, { status: 'ok' }, [at(1)]), point(4, { status: 'failed' })]),
          gauge('queue.depth', [point(7, {}, [{ ...at(2), traceId: '', spanId: '' }])]),
          histogram('latency_ms', [point(histogramValue(2), { route: '/a' }, [at(3), at(4), at(5), at(6)]), point(histogramValue(0), { route: long }, [at(7)])]),
          exponential('size', [point(exponentialValue, { k: 'v' }, [at(8)])]),
        ],
      },
      { scope: { name: 'app', version: '0.1' }, metrics: [sum('app.total', [point(1, { a: 'b' })])] },
      { scope: { name: 'empty', version: '' }, metrics: [] },
    ],
  };
}

const serializers = (onError: (message: string) => void = () => { throw new Error('unexpected'); }) =>
  exemplarSerializers({ protobuf: ProtobufMetricsSerializer, json: JsonMetricsSerializer }, onError);

describe('exemplars in OTLP protobuf: the official encoding, exemplars spliced in', () => {
  it('decodes with the official generated code to the official encoding plus exactly our exemplars, in every point type', () => {
    const req = request();
    const ours = decode(serializers().protobuf.serializeRequest(req) as Uint8Array);
    const official = decode(ProtobufMetricsSerializer.serializeRequest(req) as Uint8Array);
    expect(withoutExemplars(ours)).toEqual(withoutExemplars(official));
    const found = points(ours).map((p) => p.exemplars);
    const expected = req.scopeMetrics.flatMap((s) => s.metrics.flatMap((m) => (m.dataPoints as PointWithExemplars<unknown>[]).map((p) => p.exemplars?.map(expectedDecoded))));
    expect(found).toEqual(expected);
    expect(found.filter(Boolean)).toHaveLength(5);
    // The exemplar without a span has no ids at all (not empty ones).
    expect((found[2] as Record<string, unknown>[])[0]).toEqual({ filteredAttributes: [], timeUnixNano: '1700000000125000000', asDouble: 2.5 });
  });

  it('a request without exemplars is the official bytes, untouched', () => {
    const req = request();
    for (const scope of req.scopeMetrics) for (const metric of scope.metrics) for (const p of metric.dataPoints as PointWithExemplars<unknown>[]) delete p.exemplars;
    const official = ProtobufMetricsSerializer.serializeRequest(req) as Uint8Array;
    expect(Buffer.from(serializers().protobuf.serializeRequest(req) as Uint8Array)).toEqual(Buffer.from(official));
  });

  it('ids that are not valid hex of their length are left out of the encoding', () => {
    const req = request();
    const hostile: Exemplar[] = [
      { value: 1, timeMs: 5, traceId: 'zz'.repeat(16), spanId: SPAN },
      { value: 2, timeMs: 5, traceId: TRACE, spanId: SPAN.slice(2) },
      { value: 3, timeMs: -1, traceId: TRACE.toUpperCase(), spanId: SPAN },
    ];
    (req.scopeMetrics[1].metrics[0].dataPoints[0] as PointWithExemplars<number>).exemplars = hostile;
    const decoded = points(decode(serializers().protobuf.serializeRequest(req) as Uint8Array));
    expect(decoded[decoded.length - 1].exemplars).toEqual([
      { filteredAttributes: [], timeUnixNano: '5000000', asDouble: 1, spanId: hexToBase64(SPAN) },
      { filteredAttributes: [], timeUnixNano: '5000000', asDouble: 2, traceId: hexToBase64(TRACE) },
      { filteredAttributes: [], timeUnixNano: '0', asDouble: 3, spanId: hexToBase64(SPAN), traceId: hexToBase64(TRACE) }, // a time before 1970: 0
    ]);
  });

  it('times are exact nanoseconds for whole milliseconds, beyond what a double holds', () => {
    expect(unixNanos(1_795_400_519_639)).toBe(1_795_400_519_639_000_000n);
    expect(unixNanos(1_700_000_000_001.5)).toBe(1_700_000_000_001_500_000n);
    expect(unixNanos(Number.NaN)).toBe(0n);
  });

  it('random requests: always the official encoding plus exactly the exemplars (lengths crossing varint sizes)', () => {
    const exemplarArb = fc.record({
      value: fc.double({ noNaN: true, noDefaultInfinity: true }),
      timeMs: fc.integer({ min: 0, max: 4_000_000_000_000 }),
      traceId: fc.oneof(fc.constant(TRACE), fc.constant(''), fc.string({ maxLength: 40 })),
      spanId: fc.oneof(fc.constant(SPAN), fc.constant(''), fc.string({ maxLength: 20 })),
    });
    const pointArb = fc.record({
      label: fc.string({ maxLength: 300 }),
      exemplars: fc.option(fc.array(exemplarArb, { minLength: 1, maxLength: 4 }), { nil: undefined }),
    });
    const metricArb = fc.record({ kind: fc.constantFrom('sum', 'gauge', 'histogram', 'exponential'), points: fc.array(pointArb, { maxLength: 6 }) });
    const requestArb = fc.array(fc.array(metricArb, { maxLength: 4 }), { minLength: 1, maxLength: 3 });
    fc.assert(fc.property(requestArb, (scopes) => {
      const req: ResourceMetrics = {
        resource: resourceFromAttributes({ 'service.name': 's' }),
        scopeMetrics: scopes.map((metrics, s) => ({
          scope: { name: `scope${s}` },
          metrics: metrics.map((m, i) => {
            const name = `m${s}.${i}`;
            const attrs = (p: { label: string }) => ({ label: p.label });
            switch (m.kind) {
              case 'sum': return sum(name, m.points.map((p) => point(1, attrs(p), p.exemplars)));
              case 'gauge': return gauge(name, m.points.map((p) => point(2, attrs(p), p.exemplars)));
              case 'histogram': return histogram(name, m.points.map((p) => point(histogramValue(1), attrs(p), p.exemplars)));
              default: return exponential(name, m.points.map((p) => point(exponentialValue, attrs(p), p.exemplars)));
            }
          }),
        })),
      };
      const ours = decode(serializers().protobuf.serializeRequest(req) as Uint8Array);
      const official = decode(ProtobufMetricsSerializer.serializeRequest(req) as Uint8Array);
      expect(withoutExemplars(ours)).toEqual(withoutExemplars(official));
      const expected = req.scopeMetrics.flatMap((sc) => sc.metrics.flatMap((m) => (m.dataPoints as PointWithExemplars<unknown>[]).map((p) => p.exemplars?.map(expectedDecoded))));
      expect(points(ours).map((p) => p.exemplars)).toEqual(expected);
    }), { numRuns: 150 });
  });

  it('bytes that do not match the request (a changed official serializer) go out as they are, without exemplars, and are said', () => {
    const req = request();
    const other = request();
    other.scopeMetrics[0].metrics.pop(); // one metric fewer than the request has
    const officialBytes = ProtobufMetricsSerializer.serializeRequest(other) as Uint8Array;
    const errors: string[] = [];
    const wrapped = exemplarSerializers({ protobuf: { ...ProtobufMetricsSerializer, serializeRequest: () => officialBytes }, json: JsonMetricsSerializer },
      (message) => errors.push(message));
    expect(wrapped.protobuf.serializeRequest(req)).toBe(officialBytes);
    expect(errors).toEqual(['the encoding holds 3 metrics where the request has 4']);
  });
});

describe('exemplars in OTLP/JSON', () => {
  const parse = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes));

  it('the official JSON object with exemplars added: hex ids, the time as a decimal string, asDouble', () => {
    const req = request();
    const ours = parse(serializers().json.serializeRequest(req));
    const official = parse(JsonMetricsSerializer.serializeRequest(req));
    expect(withoutExemplars(ours)).toEqual(official);
    const metrics = ours.resourceMetrics[0].scopeMetrics[0].metrics;
    expect(metrics[0].sum.dataPoints[0].exemplars).toEqual([{ timeUnixNano: '1700000000124000000', asDouble: 1.5, spanId: SPAN, traceId: TRACE }]);
    expect(metrics[0].sum.dataPoints[1].exemplars).toBeUndefined();
    expect(metrics[1].gauge.dataPoints[0].exemplars).toEqual([{ timeUnixNano: '1700000000125000000', asDouble: 2.5 }]);
    expect(metrics[2].histogram.dataPoints[0].exemplars).toHaveLength(4);
    expect(metrics[3].exponentialHistogram.dataPoints[0].exemplars[0].traceId).toBe(TRACE);
  });

  it('a request without exemplars is the official JSON, byte for byte', () => {
    const req = request();
    for (const scope of req.scopeMetrics) for (const metric of scope.metrics) for (const p of metric.dataPoints as PointWithExemplars<unknown>[]) delete p.exemplars;
    expect(Buffer.from(serializers().json.serializeRequest(req) as Uint8Array)).toEqual(Buffer.from(JsonMetricsSerializer.serializeRequest(req) as Uint8Array));
  });

  it('decodes with the official generated code to the same exemplars as the protobuf encoding', () => {
    const req = request();
    const json = parse(serializers().json.serializeRequest(req));
    // OTLP/JSON writes ids in hex; the generated fromObject reads a string as base64, so they go in as bytes.
    const ids = JSON.parse(JSON.stringify(json), (key, value: unknown) => ((key === 'traceId' || key === 'spanId') && typeof value === 'string' ? { hex: value } : value));
    const revive = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(revive);
      if (typeof value !== 'object' || value === null) return value;
      if ('hex' in value && Object.keys(value).length === 1) return Buffer.from((value as { hex: string }).hex, 'hex');
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
    };
    const fromJson = MetricsRequest.toObject(MetricsRequest.fromObject(revive(ids)), TO_OBJECT);
    const fromProtobuf = decode(serializers().protobuf.serializeRequest(req) as Uint8Array);
    // The exemplars alike (the official encodings themselves differ in defaults written, such as an offset of 0).
    expect(points(fromJson).map((p) => p.exemplars)).toEqual(points(fromProtobuf).map((p) => p.exemplars));
    expect(points(fromJson).filter((p) => p.exemplars !== undefined)).toHaveLength(5);
  });
});
