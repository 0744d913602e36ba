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
