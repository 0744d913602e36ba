import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';
import { LocalCollector } from '../../examples/collector/local-collector';
import { advanceUntil, ManualClock, runDueUntil, settled, useFakeClock } from '../support/time';

const sum = (points: { value?: number }[]) => points.reduce((total, p) => total + (p.value ?? 0), 0);
const BREAKER = { enabled: true, maxFailures: 2, recoveryTimeMs: 60_000, halfOpenMax: 1 };

describe('a collector that misbehaves on purpose', () => {
  let bed: TestBed | undefined;
  afterEach(async () => {
    await bed?.stop();
    bed = undefined;
  });

  it('shutdown() abandons an export stuck on a hung request and makes its last attempt, which delivers every count', async () => {
    bed = await startTestBed({ exportTimeoutMs: 20_000 });
    for (let i = 0; i < 100; i++) telemetry.counter('stuck.total');
    bed.receiver.mode = { kind: 'hang' };
    const running = telemetry.forceFlush(); // hangs on the collector until its 20 s deadline
    await bed.receiver.nextRequest();
    bed.receiver.mode = { kind: 'ok' };
    await telemetry.shutdown({ timeoutMs: 3000 });
    await running;
    expect(sum(bed.receiver.latest('stuck.total'))).toBe(100);
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 1, exportFailures: 0 });
    // The abandoned export was not reported as a failure, nor was anything said to be lost.
    expect(bed.logger.matching('failed')).toEqual([]);
    expect(bed.logger.matching('gave up')).toEqual([]);
  });

  it('refusing everything with 413 is a failing export, not a success, and opens the breaker', async () => {
    bed = await startTestBed({ circuitBreaker: BREAKER });
    bed.receiver.mode = { kind: 'limit', maxBytes: 0 };
    for (let i = 0; i < 300; i++) telemetry.counter('refused.total', 'id', `s${i}`);
    await telemetry.forceFlush();
    const first = bed.receiver.requestCount;
    expect(first).toBeLessThanOrEqual(12); // halved down to one point, then given up: not one request per point
    await telemetry.forceFlush();
    const metrics = telemetry.getHealth().signals.metrics;
    expect(metrics).toMatchObject({ exports: 0, exportFailures: 2, circuitState: 'open' });
    // Every 413 answer counts, the single-point ones that could not be split too.
    expect(metrics.requestsTooLarge).toBe(bed.receiver.log.filter((entry) => entry.status === 413).length);
    expect(metrics.lastError).toContain('the collector refused every request as too large, even single items');
    expect(metrics.maxBytesPerRequest).toBe(1024 * 1024); // not about size: the limit is put back as it was
    expect(telemetry.getHealth().lostByReason).toEqual({});
    expect(bed.logger.matching(/refused a \d+ KB request/)).toHaveLength(1); // said once, not per halving
  });

  it('a 413 hiccup lowers the limit, which holds for 10 minutes and is then raised again as requests get through', async () => {
    const clock = new ManualClock();
    bed = await startTestBed({ compression: 'none', metrics: { maxPointsPerRequest: 200 } }, { now: clock.now });
    for (let i = 0; i < 1000; i++) telemetry.counter('hiccup.total', 'id', `series-${i}`);
    await telemetry.forceFlush(); // the first request a pipeline sends is small; this one warms it up
    bed.receiver.mode = { kind: 'limit', maxBytes: 2_000 };
    await telemetry.forceFlush();
    const lowered = telemetry.getHealth().signals.metrics.maxBytesPerRequest;
    expect(lowered).toBeLessThan(2_000);
    const refused = bed.receiver.log.filter((e) => e.status === 413).length;
    await telemetry.forceFlush(); // within the 10 minutes: the learned limit holds, nothing is refused again
    expect(bed.receiver.log.filter((e) => e.status === 413)).toHaveLength(refused);
    expect(telemetry.getHealth().signals.metrics.maxBytesPerRequest).toBe(lowered);
    bed.receiver.mode = { kind: 'ok' };
    clock.advance(10 * 60_000);
    for (let i = 0; i < 10 && telemetry.getHealth().signals.metrics.maxBytesPerRequest < 1024 * 1024; i++) await telemetry.forceFlush();
    expect(telemetry.getHealth().signals.metrics.maxBytesPerRequest).toBe(1024 * 1024);
    expect(sum(bed.receiver.latest('hiccup.total'))).toBe(1000);
  });

  it('traces: a 413 lowers the spans per request, said once, and every span arrives', async () => {
    bed = await startTestBed({ compression: 'none', metrics: { exporter: 'none' } });
    bed.receiver.mode = { kind: 'limit', maxBytes: 4000 };
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 50; i++) telemetry.startSpan(`op-${round}-${i}`).end();
      await telemetry.forceFlush();
    }
    expect(bed.receiver.spans()).toHaveLength(150);
    const traces = telemetry.getHealth().signals.traces;
    expect(traces.maxBytesPerRequest).toBeLessThan(4000);
    expect(traces.exportFailures).toBe(0);
    expect(bed.logger.matching('refused a')).toHaveLength(1);
  });

  it('a burst of 413s to everything fails the export without teaching a limit: the next export after recovery is normal', async () => {
    bed = await startTestBed({ compression: 'none', cardinalityLimit: 3000, exportTimeoutMs: 4000 });
    for (let i = 0; i < 3000; i++) telemetry.counter('storm.total', 'id', `series-${i}`);
    bed.receiver.mode = { kind: 'limit', maxBytes: 0 };
    await telemetry.forceFlush();
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exportFailures: 1, maxBytesPerRequest: 1024 * 1024 });
    bed.receiver.mode = { kind: 'ok' };
    const before = bed.receiver.requestCount;
    await telemetry.forceFlush();
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 1, exportFailures: 1 });
    expect(bed.receiver.requestCount - before).toBeLessThanOrEqual(3); // 3000 points in 2000-point requests, not one each
    expect(sum(bed.receiver.latest('storm.total'))).toBe(3000);
  });

  it('one span too large for the collector, ended first, is dropped alone: the 200 after it arrive', async () => {
    bed = await startTestBed({ compression: 'none', metrics: { exporter: 'none' }, spanLimits: { attributeValueLengthLimit: 100_000 } });
    bed.receiver.mode = { kind: 'limit', maxBytes: 64 * 1024 };
    telemetry.startSpan('huge').setAttribute('blob', 'x'.repeat(80_000)).end();
    for (let i = 0; i < 200; i++) telemetry.startSpan(`small-${i}`).end();
    await telemetry.forceFlush();
    expect(bed.receiver.spans().filter((s) => s.name.startsWith('small-'))).toHaveLength(200);
    const health = telemetry.getHealth();
    expect(health.lostByReason).toEqual({ export_too_large: 1 });
    expect(health.signals.traces).toMatchObject({ exportFailures: 0 });
    expect(health.signals.traces.maxBytesPerRequest).toBeGreaterThan(32 * 1024); // the outlier taught nothing below half its size
  });

  it('one series too large for the collector, recorded first, is dropped alone in every export; the 500 others arrive each time', async () => {
    bed = await startTestBed({ compression: 'none', maxLabelValueLength: 65_536 });
    bed.receiver.mode = { kind: 'limit', maxBytes: 64 * 1024 };
    telemetry.counter('fat.total', 'blob', 'y'.repeat(65_536), 'more', 'z'.repeat(65_536));
    for (let i = 0; i < 500; i++) telemetry.counter('ok.total', 'id', `series-${i}`);
    const refusedPerRound: number[] = [];
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 500; i++) telemetry.counter('ok.total', 'id', `series-${i}`);
      const from = bed.receiver.log.length;
      await telemetry.forceFlush();
      refusedPerRound.push(bed.receiver.log.slice(from).filter((entry) => entry.status === 413).length);
      expect(sum(bed.receiver.latest('ok.total'))).toBe(500 * (round + 1));
    }
    // Refused in the first export; later ones leave it out without sending it to be refused again.
    expect(refusedPerRound[0]).toBeGreaterThan(0);
    expect(refusedPerRound.slice(1)).toEqual([0, 0]);
    const health = telemetry.getHealth();
    expect(health.signals.metrics).toMatchObject({ exports: 3, exportFailures: 0 });
    expect(health.lostByReason).toEqual({ export_too_large: 3 }); // left out of each export
    expect(bed.logger.matching(/refused a request of a single data point as too large/)).toHaveLength(1);
  });

  it('one series too large among 20,000: every export succeeds in full-sized requests, not a point per request', async () => {
    bed = await startTestBed({ compression: 'none', maxLabelValueLength: 65_536, cardinalityLimit: 30_000, exportTimeoutMs: 10_000 });
    bed.receiver.mode = { kind: 'limit', maxBytes: 32 * 1024 };
    telemetry.counter('huge.total', 'big', 'q'.repeat(60_000));
    for (let i = 0; i < 20_000; i++) telemetry.counter('small.total', 'id', `series-${i}`);
    for (let round = 0; round < 3; round++) {
      const from = bed.receiver.log.length;
      await telemetry.forceFlush();
      // 20,000 points of ~100 bytes in requests of up to 32 KB: a few dozen requests, not thousands.
      expect(bed.receiver.log.length - from).toBeLessThan(200);
    }
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 3, exportFailures: 0 });
    expect(sum(bed.receiver.latest('small.total'))).toBe(20_000);
  });

  it('quotes a collector\'s answer without its control characters', async () => {
    bed = await startTestBed({ exportTimeoutMs: 500 });
    await bed.receiver.stop();
    const { createServer } = await import('node:http');
    const evil = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(400, { 'content-type': 'text/plain' }).end('\u001b[2J\u001b[31mFAKE: all good\u0007\u0000'));
    });
    await new Promise<void>((resolve) => evil.listen(bed?.receiver.port, '127.0.0.1', resolve));
    try {
      telemetry.counter('escape.total');
      await telemetry.forceFlush();
      const error = telemetry.getHealth().signals.metrics.lastError as string;
      expect(error).toContain('HTTP 400 Bad Request: ?[2J?[31mFAKE: all good??');
      expect(error).not.toMatch(/[\u0000-\u001f]/);
    } finally {
      await new Promise<void>((resolve) => evil.close(() => resolve()));
    }
  });

  it('a breaker that reopens after a failed probe is not announced again', async () => {
    const clock = new ManualClock();
    bed = await startTestBed({ exportTimeoutMs: 500, circuitBreaker: BREAKER }, { now: clock.now });
    bed.receiver.mode = { kind: 'status', status: 503 };
    telemetry.counter('again.total');
    for (let i = 0; i < 2; i++) await telemetry.forceFlush();
    for (let probe = 0; probe < 3; probe++) {
      clock.advance(60_000);
      await telemetry.forceFlush();
    }
    expect(bed.logger.matching('circuit breaker opened')).toHaveLength(1);
    expect(bed.logger.matching('is still failing').length).toBeGreaterThanOrEqual(1);
  });
});

describe('concurrent shutdown() calls', () => {
  it('each resolves within its own deadline, and the second takes effect when the shared shutdown ends', async () => {
    const bed = await startTestBed({ exportTimeoutMs: 5000 });
    bed.receiver.mode = { kind: 'hang' };
    telemetry.counter('late.total');
    const long = telemetry.shutdown({ timeoutMs: 1500 });
    let shortDone = false;
    const short = telemetry.shutdown({ timeoutMs: 100 }).then(() => { shortDone = true; });
    await short;
    expect(shortDone).toBe(true);
    expect(telemetry.getHealth().initialized).toBe(false); // stopping: recording is already off
    await long;
    expect(telemetry.getHealth().initialized).toBe(false);
    telemetry.initialize({ serviceName: 'after', endpoint: bed.receiver.url, logger: bed.logger });
    expect(telemetry.getHealth().initialized).toBe(true);
    await telemetry.shutdown({ timeoutMs: 200 });
    await bed.receiver.stop();
  });
});

describe('spans in an export still running at shutdown', () => {
  const TRACES_ONLY = {
    metrics: { exporter: 'none' as const },
    spanBatch: { scheduledDelayMs: 100, exportTimeoutMs: 10_000 },
    circuitBreaker: { enabled: false, maxFailures: 5, recoveryTimeMs: 30_000, halfOpenMax: 1 },
  };
  let bed: TestBed | undefined;
  beforeEach(() => useFakeClock());
  afterEach(async () => {
    jest.useRealTimers();
    await bed?.stop();
    bed = undefined;
  });

  /** Ends one span and lets the batch processor hand it to the exporter; resolves when its request has come in. */
  async function exportOneSpan(target: TestBed): Promise<void> {
    telemetry.startSpan('in.flight').end();
    const request = target.receiver.nextRequest();
    await jest.advanceTimersByTimeAsync(100);
    await request;
  }

  it('are waited for, not aborted: an export retrying a 503 delivers when the collector recovers before the deadline', async () => {
    const current = (bed = await startTestBed(TRACES_ONLY));
    current.receiver.mode = { kind: 'status', status: 503 };
    await exportOneSpan(current);
    await runDueUntil(() => current.receiver.log.some((entry) => entry.status === 503), 'the 503 answer');
    const done = settled(telemetry.shutdown({ timeoutMs: 5000 }));
    current.receiver.mode = { kind: 'ok' };
    await advanceUntil(done, 'shutdown() to resolve'); // through the retry wait (1 s, jittered)
    expect(current.receiver.spans().map((span) => span.name)).toEqual(['in.flight']);
    const health = telemetry.getHealth();
    expect(health.signals.traces).toMatchObject({ exports: 1, exportFailures: 0 });
    expect(health.lostByReason).toEqual({});
    expect(current.logger.matching(/shutdown|at shutdown/)).toEqual([]);
  });

  it('retrying a refused connection at the deadline: counted as lost, and the warning and health keep the real cause', async () => {
    const dead = await new LocalCollector().start();
    const current = (bed = await startTestBed({ ...TRACES_ONLY, traces: { endpoint: `${dead.url}/v1/traces` } }));
    await dead.stop(); // its port now refuses connections (closed only now, so the test bed's receiver cannot have taken it)
    telemetry.startSpan('in.flight').end();
    await jest.advanceTimersByTimeAsync(100); // the batch processor hands the span over
    const timers = jest.getTimerCount();
    // The connection is refused (real I/O) and the transport sets a timer to retry: the export is now waiting.
    await runDueUntil(() => jest.getTimerCount() > timers, 'the retry wait');
    const done = settled(telemetry.shutdown({ timeoutMs: 300 }));
    // The deadline passes while the export waits to retry; then the clock stands still, so only the abandoned
    // export settling (real I/O, no timer) can let shutdown() finish within its grace period.
    await jest.advanceTimersByTimeAsync(300);
    await runDueUntil(done, 'shutdown() to resolve');
    const health = telemetry.getHealth();
    expect(health.lostByReason).toEqual({ span_export_failed: 1 });
    expect(health.signals.traces.lastError).toMatch(/abandoned at shutdown while retrying after: .*ECONNREFUSED/);
    expect(current.logger.matching(
      /shutdown\(\) reached its deadline after 300 ms: the last traces export to http:\/\/127\.0\.0\.1:\d+\/v1\/traces was given up \(abandoned at shutdown while retrying after: .*ECONNREFUSED/,
    )).toHaveLength(1);
  });

  it('hung at the deadline: counted as lost, and said to have had no answer', async () => {
    const current = (bed = await startTestBed(TRACES_ONLY));
    current.receiver.mode = { kind: 'hang' };
    await exportOneSpan(current);
    const done = settled(telemetry.shutdown({ timeoutMs: 300 }));
    await jest.advanceTimersByTimeAsync(300);
    await runDueUntil(done, 'shutdown() to resolve');
    const health = telemetry.getHealth();
    expect(health.lostByReason).toEqual({ span_export_failed: 1 });
    expect(health.signals.traces.lastError).toMatch(/abandoned at shutdown: no complete answer after \d+ ms/);
    expect(current.logger.matching(/shutdown\(\) reached its deadline after 300 ms: the last traces export to .* was given up/)).toHaveLength(1);
  });

});

describe('spans open at shutdown', () => {
  it('a span still open when shutdown() finishes is counted as not ended, and said once', async () => {
    const current = await startTestBed({ metrics: { exporter: 'none' } });
    telemetry.startSpan('left.open');
    telemetry.startSpan('ended').end();
    await telemetry.shutdown({ timeoutMs: 5000 }); // a healthy collector: the ended span is delivered at once
    expect(telemetry.getHealth().lostByReason).toEqual({ span_not_ended: 1 });
    expect(current.receiver.spans().map((span) => span.name)).toEqual(['ended']);
    expect(current.logger.matching(/1 span was still open at shutdown\(\) and could not be exported/)).toHaveLength(1);
    await current.stop();
  });
});
