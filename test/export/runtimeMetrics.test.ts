import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';

const gc = (globalThis as { gc?: () => void }).gc;

describe('runtime metrics', () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it('are exported by default, named and united by the semantic conventions, with sane values', async () => {
    if (gc === undefined) throw new Error('run jest with node --expose-gc (npm test does)');
    bed = await startTestBed({ runtimeMetrics: undefined }); // the default
    await telemetry.forceFlush(); // the first collection starts the windows of the delay and utilization
    // Some work for the event loop, and a garbage collection for v8js.gc.duration.
    await new Promise((resolve) => setTimeout(resolve, 30));
    // GC entries reach observers on a later turn, all observers in one dispatch: ours tells when it happened.
    const { PerformanceObserver } = await import('node:perf_hooks');
    const delivered = new Promise<void>((resolve) => {
      const observer = new PerformanceObserver(() => {
        observer.disconnect();
        resolve();
      });
      observer.observe({ entryTypes: ['gc'] });
    });
    gc();
    await delivered;
    await telemetry.forceFlush();
    const one = (name: string) => {
      const points = bed.receiver.latest(name);
      expect(points.length).toBeGreaterThan(0);
      return points;
    };
    for (const stat of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99']) {
      const [point] = one(`nodejs.eventloop.delay.${stat}`);
      expect(point.unit).toBe('s');
      expect(point.value).toBeGreaterThanOrEqual(0);
      expect(point.value).toBeLessThan(10);
    }
    const [utilization] = one('nodejs.eventloop.utilization');
    expect(utilization.value).toBeGreaterThanOrEqual(0);
    expect(utilization.value).toBeLessThanOrEqual(1);
    expect(one('nodejs.eventloop.time').map((p) => p.attributes['nodejs.eventloop.state']).sort()).toEqual(['active', 'idle']);
    const heapUsed = one('v8js.memory.heap.used');
    expect(heapUsed[0].unit).toBe('By');
    expect(heapUsed.map((p) => p.attributes['v8js.heap.space.name'])).toContain('old_space');
    expect(heapUsed.reduce((sum, p) => sum + (p.value ?? 0), 0)).toBeGreaterThan(1_000_000);
    for (const name of ['v8js.memory.heap.limit', 'v8js.memory.heap.space.available_size', 'v8js.memory.heap.space.physical_size']) one(name);
    const cpu = one('process.cpu.time');
    expect(cpu.map((p) => p.attributes['cpu.mode']).sort()).toEqual(['system', 'user']);
    expect(cpu.every((p) => p.kind === 'sum' && p.monotonic === true && p.unit === 's')).toBe(true);
    const [cpuUtilization] = one('process.cpu.utilization');
    expect(cpuUtilization.value).toBeGreaterThanOrEqual(0);
    const [memory] = one('process.memory.usage');
    expect(memory.value).toBeGreaterThan(10_000_000);
    const gcPoints = one('v8js.gc.duration');
    expect(gcPoints[0].kind).toBe('histogram');
    expect(gcPoints[0].explicitBounds).toEqual([0.01, 0.1, 1, 10]);
    expect(gcPoints.map((p) => p.attributes['v8js.gc.type'])).toContain('major');
    expect(gcPoints.reduce((sum, p) => sum + (p.count ?? 0), 0)).toBeGreaterThan(0);
  });

  it('runtimeMetrics: false exports none of them', async () => {
    bed = await startTestBed({ runtimeMetrics: false });
    telemetry.counter('app.requests.total');
    await telemetry.forceFlush();
    const names = new Set(bed.receiver.allPoints().map((p) => p.metric));
    expect(names.has('app.requests.total')).toBe(true);
    expect([...names].filter((name) => /^(nodejs|v8js|process)\./.test(name))).toEqual([]);
  });
});

describe('runtime metrics beside @opentelemetry/instrumentation-runtime-node', () => {
  it('are left to the instrumentation when it is among the instrumentations, with an info line', async () => {
    // Only its name matters here: the runtime instrumentation measures what RuntimeMetrics does.
    const runtimeInstrumentation = {
      instrumentationName: '@opentelemetry/instrumentation-runtime-node',
      enable: () => undefined,
      disable: () => undefined,
      setTracerProvider: () => undefined,
    };
    const bed = await startTestBed({ runtimeMetrics: undefined, instrumentations: [runtimeInstrumentation] });
    try {
      await telemetry.forceFlush();
      expect(bed.receiver.allPoints().filter((p) => /^(nodejs|v8js|process)\./.test(p.metric))).toEqual([]);
      expect(bed.logger.matching('runtime metrics are left to @opentelemetry/instrumentation-runtime-node')).toHaveLength(1);
    } finally {
      await bed.stop();
    }
  });
});

describe('instrumentations that fail', () => {
  it('an async enable() or disable() that rejects is reported by name, never an unhandled rejection', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const failing = {
        instrumentationName: 'failing-instrumentation',
        setTracerProvider: () => undefined,
        enable: async () => { throw new Error('module not found'); },
        disable: async () => { throw new Error('cannot unpatch'); },
      };
      const bed = await startTestBed({ instrumentations: [failing] });
      await new Promise((resolve) => setImmediate(resolve));
      await bed.stop();
      await new Promise((resolve) => setImmediate(resolve));
      expect(rejections).toEqual([]);
      expect(bed.logger.matching('failing-instrumentation could not be enabled (it threw: module not found)')).toHaveLength(1);
      expect(bed.logger.matching('failing-instrumentation could not be disabled (it threw: cannot unpatch)')).toHaveLength(1);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
