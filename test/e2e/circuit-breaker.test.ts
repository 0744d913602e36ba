import * as telemetry from '../../src/index';
import type { CircuitState } from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';
import { ManualClock } from '../support/time';

const RECOVERY_MS = 30_000;

describe('export circuit breaker against a misbehaving collector', () => {
  let bed: TestBed;
  let states: CircuitState[];
  let dispose: () => void;
  let clock: ManualClock;

  beforeEach(async () => {
    states = [];
    clock = new ManualClock();
    dispose = telemetry.onCircuitStateChange((state, _previous, signal) => {
      if (signal === 'metrics') states.push(state);
    });
    bed = await startTestBed({
      exportIntervalMs: 3_600_000, // exports are driven by forceFlush() below
      exportTimeoutMs: 200,
      spanBatch: { exportTimeoutMs: 200 },
      circuitBreaker: { enabled: true, maxFailures: 3, recoveryTimeMs: RECOVERY_MS, halfOpenMax: 1 },
    }, { now: clock.now }); // the breakers read this clock: recovery time passes when the test says so
  });
  afterEach(async () => {
    dispose();
    await bed.stop();
  });

  const OVERLOADED = 'up but overloaded or not ready';
  const failures: [string, (b: TestBed) => Promise<void>, (b: TestBed) => Promise<void>, number, string][] = [
    ['answering 503', async (b) => { b.receiver.mode = { kind: 'status', status: 503 }; }, async (b) => { b.receiver.mode = { kind: 'ok' }; }, 1, OVERLOADED],
    ['answering 429', async (b) => { b.receiver.mode = { kind: 'status', status: 429 }; }, async (b) => { b.receiver.mode = { kind: 'ok' }; }, 1, OVERLOADED],
    ['refusing connections', (b) => b.receiver.stop(), async (b) => { await b.receiver.start(); }, 0, 'Check that the collector runs'],
    ['accepting and never answering', async (b) => { b.receiver.mode = { kind: 'hang' }; }, async (b) => { b.receiver.mode = { kind: 'ok' }; }, 1,
      'allow a longer export timeout'],
  ];

  it.each(failures)('%s: opens after maxFailures exports, sends nothing while open, closes on recovery, loses nothing', async (_name, breakIt, fixIt, requestsPerFailure, hint) => {
    let recorded = 0;
    const record = (n: number) => {
      for (let i = 0; i < n; i++) telemetry.counter('orders.total', 'region', i % 2 === 0 ? 'eu' : 'us');
      recorded += n;
    };
    record(100);
    await telemetry.forceFlush();
    expect(bed.receiver.latest('orders.total')).toHaveLength(2);

    await breakIt(bed);
    const requestsBefore = bed.receiver.requestCount;
    for (let i = 0; i < 3; i++) {
      record(10);
      expect(telemetry.getHealth().circuitState).toBe('closed');
      await telemetry.forceFlush();
    }
    expect(telemetry.getHealth()).toMatchObject({ circuitState: 'open', exportFailures: 3, consecutiveExportFailures: 3 });
    expect(bed.receiver.requestCount - requestsBefore).toBe(3 * requestsPerFailure);
    const [opened] = bed.logger.matching('metrics export circuit breaker opened');
    expect(opened).toContain(`${bed.receiver.url}/v1/metrics`);
    expect(opened).toMatch(/last error: \S/);
    expect(opened).toContain(hint); // what to check, for this kind of failure

    // Open: exports are skipped without touching the network, while recording goes on.
    const whileOpen = bed.receiver.requestCount;
    for (let i = 0; i < 5; i++) {
      record(7);
      await telemetry.forceFlush();
    }
    expect(bed.receiver.requestCount).toBe(whileOpen);
    expect(telemetry.getHealth()).toMatchObject({ circuitState: 'open', exportsSkipped: 5 });

    // Recovery: after recoveryTimeMs one probe goes through; its success closes the breaker.
    await fixIt(bed);
    clock.advance(RECOVERY_MS);
    expect(telemetry.getHealth().circuitState).toBe('half-open');
    const metricRequestsBefore = bed.receiver.metricRequests.length;
    await telemetry.forceFlush();
    expect(bed.receiver.metricRequests.length).toBe(metricRequestsBefore + 1);
    expect(telemetry.getHealth().circuitState).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
    expect(bed.logger.matching('metrics export circuit breaker closed')).toHaveLength(1);

    // The first export after recovery carries the exact totals: nothing recorded during the outage was lost.
    const points = bed.receiver.latest('orders.total');
    expect(points.reduce((sum, p) => sum + (p.value ?? 0), 0)).toBe(recorded);
    expect(recorded).toBe(100 + 30 + 35);
  });

  it('a failed probe reopens the breaker for another recovery period', async () => {
    telemetry.counter('probe.total');
    bed.receiver.mode = { kind: 'status', status: 503 };
    for (let i = 0; i < 3; i++) await telemetry.forceFlush();
    clock.advance(RECOVERY_MS);
    const before = bed.receiver.requestCount;
    await telemetry.forceFlush(); // the probe, still failing
    expect(bed.receiver.requestCount).toBe(before + 1);
    expect(telemetry.getHealth().circuitState).toBe('open');
    await telemetry.forceFlush();
    expect(bed.receiver.requestCount).toBe(before + 1);
    expect(states).toEqual(['open', 'half-open', 'open']);
  });

  it('while open, shutdown() makes one last attempt, bounded by the export deadline, and reports its failure', async () => {
    telemetry.counter('late.total');
    bed.receiver.mode = { kind: 'hang' };
    for (let i = 0; i < 3; i++) await telemetry.forceFlush();
    expect(telemetry.getHealth().circuitState).toBe('open');
    const before = bed.receiver.requestCount;
    await telemetry.shutdown({ timeoutMs: 5000 });
    expect(bed.receiver.requestCount).toBe(before + 1);
    expect(states).toEqual(['open', 'half-open', 'open']);
    // Its own export deadline (200 ms) came first, and the message says so, not shutdown()'s 5000 ms.
    expect(bed.logger.matching(/the last metrics export at shutdown, to \S+, failed: no complete answer within 200 ms \(timeout\)/)).toHaveLength(1);
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ circuitState: 'open', exportFailures: 4 });
  });

  it('spans that cannot be exported are dropped and counted, by the traces breaker of their own', async () => {
    bed.receiver.mode = { kind: 'status', status: 503 };
    const tracer = (await import('@opentelemetry/api')).trace.getTracer('test');
    for (let i = 0; i < 3; i++) {
      tracer.startSpan(`span-${i}`).end();
      await telemetry.forceFlush();
    }
    expect(telemetry.getHealth().signals.traces).toMatchObject({ circuitState: 'open', exportFailures: 3 });
    for (let i = 0; i < 4; i++) tracer.startSpan(`skipped-${i}`).end();
    await telemetry.forceFlush();
    expect(telemetry.getHealth().signals.traces.exportsSkipped).toBe(1);
    expect(telemetry.getHealth().lostByReason.span_export_failed).toBe(7);
  });
});
