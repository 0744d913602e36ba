import { context, propagation } from '@opentelemetry/api';
import * as telemetry from '../../src/index';
import { MILLISECOND_BUCKETS } from '../../src/metrics/InstrumentRouter';
import { startTestBed, type TestBed } from '../support/telemetry';
import { useFakeClock } from '../support/time';

const sum = (points: { value?: number }[]) => points.reduce((s, p) => s + (p.value ?? 0), 0);

describe('level 2 helpers', () => {
  let bed: TestBed;
  beforeEach(async () => {
    bed = await startTestBed();
  });
  afterEach(() => bed.stop());

  it('duration() and timeOperation() record milliseconds in a ms histogram', async () => {
    useFakeClock(); // performance.now() included: the elapsed times are exact
    try {
      const start = performance.now();
      jest.advanceTimersByTime(25);
      telemetry.duration('import.duration', start, 'kind', 'csv');
      const done = telemetry.timeOperation('query.time', { table: 'users' });
      jest.advanceTimersByTime(15);
      const elapsed = done();
      jest.advanceTimersByTime(5);
      expect(done()).toBe(elapsed); // records once
      expect(elapsed).toBe(15);
    } finally {
      jest.useRealTimers();
    }
    await telemetry.forceFlush();
    const [imported] = bed.receiver.latest('import.duration');
    expect(imported).toMatchObject({ kind: 'histogram', unit: 'ms', count: 1, sum: 25, attributes: { kind: 'csv' }, explicitBounds: MILLISECOND_BUCKETS });
    const [query] = bed.receiver.latest('query.time');
    expect(query).toMatchObject({ kind: 'histogram', unit: 'ms', count: 1, sum: 15, attributes: { table: 'users' } });
  });

  it('recordError(), recordSuccess() and recordBytes() record counters with their labels and units', async () => {
    telemetry.recordError('payments.failures', 'card_declined', 'provider', 'stripe');
    telemetry.recordError('payments.failures', 'card_declined', { provider: 'stripe' });
    telemetry.recordSuccess('payments.charges', 'provider', 'stripe');
    telemetry.recordBytes('upload.transfer', 2048, 'bucket', 'avatars');
    telemetry.recordBytes('upload.transfer', 1024, 'bucket', 'avatars');
    await telemetry.forceFlush();
    expect(bed.receiver.latest('payments.failures')).toEqual([
      expect.objectContaining({ kind: 'sum', monotonic: true, value: 2, attributes: { provider: 'stripe', error_type: 'card_declined' } }),
    ]);
    expect(bed.receiver.latest('payments.charges')).toEqual([
      expect.objectContaining({ kind: 'sum', value: 1, attributes: { provider: 'stripe', status: 'success' } }),
    ]);
    expect(bed.receiver.latest('upload.transfer')).toEqual([
      expect.objectContaining({ kind: 'sum', monotonic: true, unit: 'By', value: 3072, attributes: { bucket: 'avatars' } }),
    ]);
  });

  it('recordLatency() adds a latency_bucket label', async () => {
    const cases: [number, string][] = [[0.5, '<1ms'], [5, '1-10ms'], [50, '10-100ms'], [500, '100ms-1s'], [5000, '1-10s'], [50000, '>10s']];
    for (const [ms] of cases) telemetry.recordLatency('search.latency', ms, 'index', 'products');
    telemetry.recordLatency('search.latency', 7, 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    telemetry.recordLatency('search.latency', 7, { index: 'orders' });
    telemetry.recordLatency('search.latency', 3);
    await telemetry.forceFlush();
    const points = bed.receiver.latest('search.latency');
    for (const [ms, bucket] of cases) {
      expect(points.find((p) => p.attributes.latency_bucket === bucket && p.attributes.index === 'products')).toMatchObject({ unit: 'ms', count: 1, sum: ms });
    }
    expect(points.find((p) => p.attributes.d === '4')?.attributes.latency_bucket).toBe('1-10ms');
    expect(points.find((p) => p.attributes.index === 'orders')?.attributes.latency_bucket).toBe('1-10ms');
    expect(points.find((p) => Object.keys(p.attributes).length === 1)?.attributes).toEqual({ latency_bucket: '1-10ms' });
  });
});

describe('level 3 and object labels', () => {
  let bed: TestBed;
  beforeEach(async () => {
    bed = await startTestBed({ baggageLabels: ['tenant_id'] });
  });
  afterEach(() => bed.stop());

  it('accepts object labels wherever variadic labels are accepted, as the same series', async () => {
    telemetry.counter('obj.total', { method: 'GET', status: '200' });
    telemetry.counter('obj.total', { status: '200', method: 'GET' });
    telemetry.counter('obj.total', 'method', 'GET', 'status', '200');
    telemetry.histogram('obj.duration_ms', 5, { method: 'GET' });
    telemetry.gauge('obj.active', 3, { pool: 'a' });
    telemetry.upDownCounter('obj.queue', 2, { q: 'x' });
    telemetry.emit('obj.count', 4, { k: 'v' });
    for (let i = 0; i < 3; i++) telemetry.counter('obj.total', { method: 'GET', status: '200' });
    await telemetry.forceFlush();
    expect(bed.receiver.latest('obj.total')).toEqual([expect.objectContaining({ value: 6, attributes: { method: 'GET', status: '200' } })]);
    expect(bed.receiver.latest('obj.duration_ms')[0]).toMatchObject({ count: 1, attributes: { method: 'GET' } });
    expect(bed.receiver.latest('obj.active')[0]).toMatchObject({ value: 3, attributes: { pool: 'a' } });
    expect(bed.receiver.latest('obj.queue')[0]).toMatchObject({ value: 2, attributes: { q: 'x' } });
    expect(bed.receiver.latest('obj.count')[0]).toMatchObject({ kind: 'sum', value: 4, attributes: { k: 'v' } });
  });

  it('emitWithOptions() sets unit, description and kind of a new metric', async () => {
    telemetry.emitWithOptions('inventory.level', 12, { type: 'gauge', unit: '{item}', description: 'Items in stock', labels: { sku: 'a1' } });
    telemetry.emitWithOptions('inventory.level', 11, { labels: { sku: 'a1' } });
    telemetry.emitWithOptions('inventory.level', 1, { type: 'counter' }); // a kind mismatch
    await telemetry.forceFlush();
    expect(bed.receiver.latest('inventory.level')).toEqual([
      expect.objectContaining({ kind: 'gauge', unit: '{item}', description: 'Items in stock', value: 11, attributes: { sku: 'a1' } }),
    ]);
    expect(telemetry.getHealth().droppedByReason.kind_mismatch).toBe(1);
  });

  it('keeps sampled counters unbiased: 100,000 calls at 0.1 land within 5% of 100,000', async () => {
    for (let i = 0; i < 100_000; i++) telemetry.emitWithOptions('sampled.requests.total', 1, { sampleRate: 0.1 });
    for (let i = 0; i < 100_000; i++) telemetry.emitWithOptions('sampled.latency_ms', 10, { sampleRate: 0.1 });
    await telemetry.forceFlush();
    const total = bed.receiver.latest('sampled.requests.total')[0].value ?? 0;
    expect(Math.abs(total - 100_000)).toBeLessThan(5_000);
    const [latency] = bed.receiver.latest('sampled.latency_ms');
    expect(Math.abs((latency.count ?? 0) - 10_000)).toBeLessThan(500);
    expect(latency.min).toBe(10); // kept histogram values are recorded as they are
    expect(latency.max).toBe(10);
  });

  it('drops a sample rate outside (0, 1] and says why', async () => {
    telemetry.emitWithOptions('bad.rate.total', 1, { sampleRate: 0 });
    telemetry.emitWithOptions('bad.rate.total', 1, { sampleRate: 2 });
    expect(telemetry.getHealth().droppedByReason.invalid_value).toBe(2);
    expect(bed.logger.matching('sampleRate must be a number in (0, 1]')).toHaveLength(1);
  });

  it('turns allowed baggage entries of a context into labels, and nothing else', async () => {
    const baggage = propagation.createBaggage({ tenant_id: { value: 'acme' }, user_id: { value: 'u-123' } });
    const ctx = propagation.setBaggage(context.active(), baggage);
    telemetry.emitWithOptions('tenant.requests.total', 1, { context: ctx, labels: { route: '/a' } });
    await telemetry.forceFlush();
    expect(bed.receiver.latest('tenant.requests.total')[0].attributes).toEqual({ route: '/a', tenant_id: 'acme' });
  });
});

describe('declared metrics', () => {
  let bed: TestBed | undefined;
  afterEach(async () => {
    await bed?.stop();
    bed = undefined;
  });

  it('declared before initialize(): type, unit, description and buckets override the heuristics', async () => {
    telemetry.declareMetrics('billing', {
      metrics: [
        { name: 'billing.queue.size', type: 'histogram', unit: '{invoice}', description: 'Invoices per batch', buckets: [1, 10, 100], labels: ['region'] },
        { name: 'billing.latency', type: 'counter', description: 'Not what the name says' },
      ],
    });
    bed = await startTestBed();
    telemetry.emit('billing.queue.size', 42, 'region', 'eu');
    telemetry.emit('billing.queue.size', 5, 'region', 'eu', 'tenant', 'acme');
    telemetry.emit('billing.latency', 3);
    await telemetry.forceFlush();
    const points = bed.receiver.latest('billing.queue.size');
    expect(points[0]).toMatchObject({ kind: 'histogram', unit: '{invoice}', description: 'Invoices per batch', explicitBounds: [1, 10, 100] });
    expect(bed.receiver.latest('billing.latency')[0]).toMatchObject({ kind: 'sum', monotonic: true, description: 'Not what the name says', value: 3 });
    expect(bed.logger.matching("got the label 'tenant', which its declaration does not list")).toHaveLength(1);
  });

  it('declared while active: applies at once; a conflicting declaration is reported and the first wins', async () => {
    bed = await startTestBed();
    telemetry.declareMetrics('orders', { metrics: [{ name: 'orders.backlog', type: 'gauge', unit: '{order}' }] });
    telemetry.declareMetrics('shipping', { metrics: [{ name: 'orders.backlog', type: 'counter' }] });
    telemetry.declareMetrics('shipping', { metrics: [{ name: 'orders.broken', type: 'timer' as never }] });
    telemetry.emit('orders.backlog', 7);
    await telemetry.forceFlush();
    expect(bed.receiver.latest('orders.backlog')[0]).toMatchObject({ kind: 'gauge', unit: '{order}', value: 7 });
    expect(bed.logger.matching("declared by module 'orders' as a gauge")).toHaveLength(1);
    expect(bed.logger.matching("declared metric 'orders.broken' wrongly")).toHaveLength(1);
  });
});

describe('unified metrics', () => {
  let bed: TestBed;
  beforeEach(async () => {
    bed = await startTestBed();
  });
  afterEach(() => bed.stop());

  it('record the shared vocabulary with its labels and units', async () => {
    telemetry.recordRequest(telemetry.MODULE_AGENT, 'plan', 120, 'ok');
    telemetry.recordRequestError(telemetry.MODULE_AGENT, 'plan', 'timeout');
    telemetry.recordToolCall(telemetry.MODULE_ORCHESTRATION, 'weather', 35, 'ok');
    telemetry.recordToolCallError(telemetry.MODULE_ORCHESTRATION, 'weather', 'http_503');
    telemetry.recordToolCallRetry(telemetry.MODULE_ORCHESTRATION, 'weather');
    telemetry.recordAIRequest(telemetry.MODULE_AI, 'openai', 900, 'ok');
    telemetry.recordAITokens(telemetry.MODULE_AI, 'openai', 'gpt-4o', 'prompt', 1200);
    telemetry.recordAITokens(telemetry.MODULE_AI, 'openai', 'gpt-4o', 'prompt', 300);
    await telemetry.forceFlush();
    const r = bed.receiver;
    expect(r.latest(telemetry.METRIC_REQUEST_DURATION)[0]).toMatchObject({ kind: 'histogram', unit: 'ms', sum: 120, attributes: { module: 'agent', operation: 'plan', status: 'ok' } });
    expect(r.latest(telemetry.METRIC_REQUEST_TOTAL)[0]).toMatchObject({ kind: 'sum', value: 1, attributes: { module: 'agent', operation: 'plan', status: 'ok' } });
    expect(r.latest(telemetry.METRIC_REQUEST_ERRORS)[0].attributes).toEqual({ module: 'agent', operation: 'plan', error_type: 'timeout' });
    expect(r.latest(telemetry.METRIC_TOOL_CALL_DURATION)[0]).toMatchObject({ unit: 'ms', attributes: { module: 'orchestration', tool_name: 'weather', status: 'ok' } });
    expect(r.latest(telemetry.METRIC_TOOL_CALL_TOTAL)[0].value).toBe(1);
    expect(r.latest(telemetry.METRIC_TOOL_CALL_ERRORS)[0].attributes).toEqual({ module: 'orchestration', tool_name: 'weather', error_type: 'http_503' });
    expect(r.latest(telemetry.METRIC_TOOL_CALL_RETRIES)[0].attributes).toEqual({ module: 'orchestration', tool_name: 'weather' });
    expect(r.latest(telemetry.METRIC_AI_REQUEST_DURATION)[0].attributes).toEqual({ module: 'ai', provider: 'openai', status: 'ok' });
    expect(r.latest(telemetry.METRIC_AI_REQUEST_TOTAL)[0].value).toBe(1);
    expect(r.latest(telemetry.METRIC_AI_TOKENS_USED)[0]).toMatchObject({ kind: 'sum', unit: '{token}', value: 1500, attributes: { module: 'ai', provider: 'openai', model: 'gpt-4o', token_type: 'prompt' } });
  });
});
