import { deadPort } from '../support/net';
import * as telemetry from '../../src/index';
import { initializeWith } from '../../src/api/lifecycle';
import { LocalCollector } from '../../examples/collector/local-collector';
import { CapturingLogger } from '../support/CapturingLogger';
import { startTestBed, type TestBed } from '../support/telemetry';
import { eventually, ManualClock } from '../support/time';


const sum = (points: { value?: number }[]) => points.reduce((total, p) => total + (p.value ?? 0), 0);
const BREAKER = { enabled: true, maxFailures: 2, recoveryTimeMs: 60_000, halfOpenMax: 1 };

describe('one pipeline per signal', () => {
  let bed: TestBed | undefined;
  const saved = { ...process.env };
  afterEach(async () => {
    await bed?.stop();
    bed = undefined;
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('a dead OTEL_EXPORTER_OTLP_TRACES_ENDPOINT opens the traces breaker only; metrics keep flowing', async () => {
    const tracesUrl = `http://127.0.0.1:${await deadPort()}/v1/traces`;
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = tracesUrl;
    // No endpoint in the config: the base URL comes from OTEL_EXPORTER_OTLP_ENDPOINT, as an operator would set it.
    bed = await startTestBed({ endpoint: undefined, exportTimeoutMs: 1000, spanBatch: { exportTimeoutMs: 300 }, circuitBreaker: BREAKER }, {}, (url) => {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = url;
    });

    for (let i = 0; i < 4; i++) {
      telemetry.startSpan('work').end();
      telemetry.counter('orders.total');
      await telemetry.forceFlush();
    }
    const health = telemetry.getHealth();
    expect(health.signals.traces).toMatchObject({ endpoint: tracesUrl, circuitState: 'open', exportFailures: 2, exportsSkipped: 2 });
    expect(health.signals.traces.lastError).toContain('ECONNREFUSED');
    expect(health.signals.metrics).toMatchObject({ endpoint: `${bed.receiver.url}/v1/metrics`, circuitState: 'closed', exports: 4, exportFailures: 0 });
    expect(health.circuitState).toBe('open');
    expect(sum(bed.receiver.latest('orders.total'))).toBe(4);
    expect(health.lostByReason.span_export_failed).toBe(4);

    const [failed] = bed.logger.matching('traces export to');
    expect(failed).toContain(`traces export to ${tracesUrl} failed: connect ECONNREFUSED`);
    const [opened] = bed.logger.matching('traces export circuit breaker opened');
    expect(opened).toContain(tracesUrl);
    expect(opened).toContain('last error: connect ECONNREFUSED');
    expect(bed.logger.matching('metrics export')).toEqual([]);
  });

  it('metrics.endpoint and traces.endpoint in the config send each signal to its own URL', async () => {
    const other = await new LocalCollector().start();
    try {
      bed = await startTestBed({ traces: { endpoint: `${other.url}/v1/traces` } });
      telemetry.startSpan('elsewhere').end();
      telemetry.counter('here.total');
      await telemetry.forceFlush();
      expect(other.spans().map((s) => s.name)).toEqual(['elsewhere']);
      expect(bed.receiver.spans()).toEqual([]);
      expect(bed.receiver.latest('here.total')).toHaveLength(1);
      expect(telemetry.getHealth().signals.traces.endpoint).toBe(`${other.url}/v1/traces`);
    } finally {
      await bed?.stop();
      bed = undefined;
      await other.stop();
    }
  });

  it('serves Prometheus metrics and pushes OTLP traces, from environment variables alone', async () => {
    const receiver = await new LocalCollector().start();
    const port = await deadPort();
    Object.assign(process.env, {
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    });
    const logger = new CapturingLogger();
    try {
      telemetry.initialize({ serviceName: 'env-only', logger });
      telemetry.counter('env.requests.total', 'route', '/a');
      telemetry.startSpan('env.operation').end();
      await eventually(() => telemetry.getHealth().signals.metrics.prometheus?.listening === true, 'the scrape endpoint listening');
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^env_requests_total\{[^}]*route="\/a"[^}]*\} 1$/m);
      await telemetry.forceFlush();
      expect(receiver.spans().map((s) => s.name)).toEqual(['env.operation']);
      expect(receiver.metricRequests).toEqual([]);
      const health = telemetry.getHealth();
      expect(health.signals.metrics).toMatchObject({ exporter: 'none', prometheus: { url: `http://127.0.0.1:${port}/metrics`, scrapes: 1 } });
      expect(health.signals.traces).toMatchObject({ exporter: 'otlp', endpoint: `${receiver.url}/v1/traces`, exports: 1 });
    } finally {
      await telemetry.shutdown();
      await receiver.stop();
    }
  });

  it('warns about an unknown OTEL_METRICS_EXPORTER value by name, ignores it, and starts', async () => {
    process.env.OTEL_METRICS_EXPORTER = 'otlp,zipkin';
    process.env.OTEL_TRACES_EXPORTER = 'jaeger';
    bed = await startTestBed();
    expect(bed.logger.matching("OTEL_METRICS_EXPORTER=\"otlp,zipkin\": 'zipkin' is not supported by this library (accepted: otlp, prometheus, console, none)")).toHaveLength(1);
    expect(bed.logger.matching("OTEL_TRACES_EXPORTER=\"jaeger\": 'jaeger' is not supported by this library (accepted: otlp, console, none)")).toHaveLength(1);
    const health = telemetry.getHealth();
    expect(health.signals.metrics.exporter).toBe('otlp');
    expect(health.signals.traces.exporter).toBe('otlp');
  });
});

describe('chunked export', () => {
  let bed: TestBed | undefined;
  afterEach(async () => {
    await bed?.stop();
    bed = undefined;
  });

  it('sends a collection in requests bounded in data points, yielding to the event loop between them', async () => {
    bed = await startTestBed({ metrics: { maxPointsPerRequest: 100 } });
    for (let i = 0; i < 1000; i++) telemetry.counter('chunked.total', 'id', `s${i}`);
    let turns = 0;
    const flushing = telemetry.forceFlush();
    const tick = (): void => {
      turns++;
      if (bed?.receiver.metricRequests.length !== 10) setImmediate(tick);
    };
    setImmediate(tick);
    await flushing;
    expect(bed.receiver.metricRequests.map((r) => r.points.length)).toEqual(Array(10).fill(100));
    expect(new Set(bed.receiver.allPoints().map((p) => p.attributes.id)).size).toBe(1000);
    expect(turns).toBeGreaterThanOrEqual(10);
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 1, maxItemsPerRequest: 100 });
  });

  it('keeps every request under maxBytesPerRequest by splitting before sending', async () => {
    bed = await startTestBed({ compression: 'none', metrics: { maxBytesPerRequest: 4096 } });
    for (let i = 0; i < 500; i++) telemetry.counter('bytes.total', 'id', `series-with-a-long-label-value-${i}`);
    await telemetry.forceFlush();
    expect(bed.receiver.log.length).toBeGreaterThan(1);
    for (const entry of bed.receiver.log) expect(entry.bytes).toBeLessThanOrEqual(4096);
    expect(new Set(bed.receiver.latest('bytes.total').map((p) => p.attributes.id)).size).toBe(500);
  });

  it('a collector refusing bodies over 64 KB (413) receives every series of a 30,000-series export', async () => {
    bed = await startTestBed({ compression: 'none', cardinalityLimit: 30_000, exportTimeoutMs: 30_000 });
    bed.receiver.mode = { kind: 'limit', maxBytes: 64 * 1024 };
    for (let i = 0; i < 30_000; i++) telemetry.counter('wide.total', 'id', `series-${i}`);
    await telemetry.forceFlush();
    const points = bed.receiver.latest('wide.total');
    expect(points).toHaveLength(30_000);
    expect(new Set(points.map((p) => p.attributes.id)).size).toBe(30_000);
    expect(sum(points)).toBe(30_000);
    const refused = bed.receiver.log.filter((e) => e.status === 413);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const entry of bed.receiver.log.filter((e) => e.status === 200)) expect(entry.bytes).toBeLessThanOrEqual(64 * 1024);
    const metrics = telemetry.getHealth().signals.metrics;
    expect(metrics).toMatchObject({ exports: 1, exportFailures: 0, requestsTooLarge: refused.length });
    expect(metrics.maxBytesPerRequest).toBeLessThanOrEqual(64 * 1024);
    const [said] = bed.logger.matching('refused a');
    expect(said).toMatch(/refused a (\d+) KB request \(2000 data points\) as too large \(HTTP 413\); sending smaller requests \(at most \d+(\.\d)? KB each/);

    // The learned limit stays below the smallest refused size: the next collections are not refused again, and
    // their requests fill most of what the collector takes (not a point per request).
    const before = refused.length;
    for (let i = 0; i < 3; i++) {
      const from = bed.receiver.log.length;
      await telemetry.forceFlush();
      const requests = bed.receiver.log.slice(from);
      expect(requests.filter((e) => e.status === 413)).toHaveLength(0);
      expect(requests.length).toBeLessThanOrEqual(120); // 30,000 points, at least 250 to a request
    }
    expect(bed.receiver.log.filter((e) => e.status === 413)).toHaveLength(before);
    expect(sum(bed.receiver.latest('wide.total'))).toBe(30_000);
  });
});

describe('loud from the first failure', () => {
  let bed: TestBed | undefined;
  afterEach(async () => {
    await bed?.stop();
    bed = undefined;
  });

  it('in the development profile: the first failure at once, repeats once a minute, recovery once', async () => {
    const clock = new ManualClock();
    bed = await startTestBed({ profile: 'development', exportTimeoutMs: 500 }, { now: clock.now });
    expect(telemetry.getHealth().signals.metrics.circuitState).toBe('disabled');
    const url = `${bed.receiver.url}/v1/metrics`;
    bed.receiver.mode = { kind: 'status', status: 503 };
    telemetry.counter('loud.total');
    await telemetry.forceFlush();
    expect(bed.logger.matching('metrics export to')).toEqual([
      expect.stringContaining(`metrics export to ${url} failed: HTTP 503 Service Unavailable: local collector refuses on purpose`),
    ]);
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      await telemetry.forceFlush();
    }
    expect(bed.logger.matching('metrics export to')).toHaveLength(1);
    clock.advance(10_000);
    await telemetry.forceFlush();
    const lines = bed.logger.matching('metrics export to');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`metrics export to ${url} is still failing: 7 failed exports since`);
    expect(lines[1]).toContain('HTTP 503');

    bed.receiver.mode = { kind: 'ok' };
    await telemetry.forceFlush();
    await telemetry.forceFlush();
    expect(bed.logger.matching('succeeded again after 7 failed exports')).toHaveLength(1);
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 2, exportFailures: 7, consecutiveFailures: 0 });
  });

  it('names a collector that never answers as a timeout of our own deadline', async () => {
    bed = await startTestBed({ exportTimeoutMs: 150 });
    bed.receiver.mode = { kind: 'hang' };
    telemetry.counter('slow.total');
    await telemetry.forceFlush();
    expect(telemetry.getHealth().signals.metrics.lastError).toMatch(/\/v1\/metrics: no complete answer within 1\d\d ms \(timeout\)$/);
  });

  it('bounds a span export by spanBatch.exportTimeoutMs, not the metrics timeout', async () => {
    bed = await startTestBed({ exportTimeoutMs: 20_000, metrics: { exporter: 'none' }, spanBatch: { exportTimeoutMs: 150 } });
    bed.receiver.mode = { kind: 'hang' };
    telemetry.startSpan('slow').end();
    await telemetry.forceFlush();
    expect(telemetry.getHealth().signals.traces.lastError).toMatch(/\/v1\/traces: no complete answer within 1\d\d ms \(timeout\)$/);
    expect(telemetry.getHealth().lostByReason.span_export_failed).toBe(1);
  });
});

describe('shutdown', () => {
  it('with the breaker open and the collector back, the last attempt delivers the exact final total', async () => {
    const clock = new ManualClock();
    const bed = await startTestBed({ exportTimeoutMs: 500, circuitBreaker: BREAKER }, { now: clock.now });
    const record = (n: number) => { for (let i = 0; i < n; i++) telemetry.counter('final.total', 'shard', String(i % 3)); };
    record(10);
    await telemetry.forceFlush();
    await bed.receiver.stop();
    record(5);
    await telemetry.forceFlush();
    record(5);
    await telemetry.forceFlush();
    expect(telemetry.getHealth().signals.metrics.circuitState).toBe('open');
    record(7);
    await telemetry.forceFlush(); // skipped: the breaker is open
    await bed.receiver.start();
    const before = bed.receiver.requestCount;
    record(3);
    await telemetry.shutdown();
    expect(bed.receiver.requestCount).toBe(before + 1);
    expect(sum(bed.receiver.latest('final.total'))).toBe(30);

    // Health after shutdown is the final snapshot, not zeros.
    const after = telemetry.getHealth();
    expect(after).toMatchObject({ initialized: false, enabled: true, serviceName: 'test-service', metricsEmitted: 30 });
    expect(after.signals.metrics).toMatchObject({ circuitState: 'closed', exports: 2, exportFailures: 2, exportsSkipped: 1 });
    expect(after.signals.metrics.lastError).toContain('ECONNREFUSED');
    expect(after.lastExportError).toContain('ECONNREFUSED');
    telemetry.counter('after.total');
    expect(telemetry.getHealth()).toMatchObject({ metricsEmitted: 30, droppedByReason: { not_initialized: expect.any(Number) } });

    // Until the next initialize(), which starts from zero.
    initializeWith({ serviceName: 'next', endpoint: bed.receiver.url, logger: bed.logger }, {});
    expect(telemetry.getHealth()).toMatchObject({ initialized: true, serviceName: 'next', metricsEmitted: 0 });
    expect(telemetry.getHealth().signals.metrics.exportFailures).toBe(0);
    await telemetry.shutdown();
    await bed.receiver.stop();
  });

  it('reports a last export that failed at shutdown, naming the endpoint and the error', async () => {
    const bed = await startTestBed({ exportTimeoutMs: 500 });
    await bed.receiver.stop();
    telemetry.counter('lost.total');
    await telemetry.shutdown();
    expect(bed.logger.matching(`the last metrics export at shutdown, to ${bed.receiver.url}/v1/metrics, failed: connect ECONNREFUSED`)).toHaveLength(1);
    expect(telemetry.getHealth().initialized).toBe(false);
  });
});
