import type { BatchObservableResult, Meter } from '@opentelemetry/api';
import type { IntervalHistogram, PerformanceObserver as PerformanceObserverType, EventLoopUtilization } from 'node:perf_hooks';

/** The instrumentation scope of the runtime metrics, as `@opentelemetry/instrumentation-runtime-node` names its own. */
export const RUNTIME_SCOPE = 'otel-facade/runtime';

/** The event-loop delay histogram's resolution, in ms (the sampling timer; 10 as the runtime instrumentation's). */
const DELAY_RESOLUTION_MS = 10;

/** Bucket boundaries of `v8js.gc.duration`, in seconds, as the semantic conventions advise. */
const GC_BOUNDARIES = [0.01, 0.1, 1, 10];


/**
 * The Node.js runtime metrics, named by the OpenTelemetry semantic conventions, read from `perf_hooks`, `v8` and
 * `process` directly (lighter than the runtime instrumentation package and its loader hooks):
 *
 * - `nodejs.eventloop.delay.{min,max,mean,stddev,p50,p90,p99}` (s): the event-loop delay since the last collection;
 * - `nodejs.eventloop.utilization` (1) since the last collection, and `nodejs.eventloop.time` (s) by
 *   `nodejs.eventloop.state` (`active`, `idle`);
 * - `v8js.memory.heap.used`, `v8js.memory.heap.limit`, `v8js.memory.heap.space.available_size`,
 *   `v8js.memory.heap.space.physical_size` (By) by `v8js.heap.space.name`;
 * - `v8js.gc.duration` (s), a histogram by `v8js.gc.type`;
 * - `process.cpu.time` (s) by `cpu.mode` (`user`, `system`), `process.cpu.utilization` (1) since the last
 *   collection, over the CPUs available to the process;
 * - `process.memory.usage` (By, the resident set).
 *
 * Observable instruments on the MeterProvider: read at collection only, so recording calls never pay for them. GC
 * durations come from a `PerformanceObserver`, one histogram record per collection of the garbage collector. `stop()`
 * disconnects the observer and the delay histogram, so nothing is left running after `shutdown()`.
 */
export class RuntimeMetrics {
  private readonly delay: IntervalHistogram;
  private readonly gcObserver: PerformanceObserverType;
  private lastUtilization: EventLoopUtilization;
  private lastCpu: NodeJS.CpuUsage;
  private lastCpuAt: number;
  private stopped = false;

  constructor(meter: Meter, private readonly now: () => number = () => performance.now()) {
    const perfHooks = require('node:perf_hooks') as typeof import('node:perf_hooks');
    const v8 = require('node:v8') as typeof import('node:v8');
    const cpus = (require('node:os') as typeof import('node:os')).availableParallelism();

    this.delay = perfHooks.monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
    this.delay.enable();
    this.lastUtilization = perfHooks.performance.eventLoopUtilization();
    this.lastCpu = process.cpuUsage();
    this.lastCpuAt = this.now();

    const gauge = (name: string, unit: string, description: string) => meter.createObservableGauge(name, { unit, description });
    const delays = {
      min: gauge('nodejs.eventloop.delay.min', 's', 'Event loop minimum delay.'),
      max: gauge('nodejs.eventloop.delay.max', 's', 'Event loop maximum delay.'),
      mean: gauge('nodejs.eventloop.delay.mean', 's', 'Event loop mean delay.'),
      stddev: gauge('nodejs.eventloop.delay.stddev', 's', 'Event loop standard deviation delay.'),
      p50: gauge('nodejs.eventloop.delay.p50', 's', 'Event loop 50 percentile delay.'),
      p90: gauge('nodejs.eventloop.delay.p90', 's', 'Event loop 90 percentile delay.'),
      p99: gauge('nodejs.eventloop.delay.p99', 's', 'Event loop 99 percentile delay.'),
    };
    const utilization = gauge('nodejs.eventloop.utilization', '1', 'Event loop utilization.');
    const loopTime = meter.createObservableCounter('nodejs.eventloop.time', { unit: 's', description: 'Cumulative duration of time the event loop has been in each state.' });
    const heapUsed = meter.createObservableUpDownCounter('v8js.memory.heap.used', { unit: 'By', description: 'Heap Memory size allocated.' });
    const heapLimit = meter.createObservableUpDownCounter('v8js.memory.heap.limit', { unit: 'By', description: 'Total heap memory size pre-allocated.' });
    const spaceAvailable = meter.createObservableUpDownCounter('v8js.memory.heap.space.available_size', { unit: 'By', description: 'Heap space available size.' });
    const spacePhysical = meter.createObservableUpDownCounter('v8js.memory.heap.space.physical_size', { unit: 'By', description: 'Committed size of a heap space.' });
    const cpuTime = meter.createObservableCounter('process.cpu.time', { unit: 's', description: 'Total CPU seconds broken down by different CPU modes.' });
    const cpuUtilization = gauge('process.cpu.utilization', '1', 'Difference in process.cpu.time since the last measurement, divided by the elapsed time and number of CPUs available to the process.');
    const memory = meter.createObservableUpDownCounter('process.memory.usage', { unit: 'By', description: 'The amount of physical memory in use.' });

    meter.addBatchObservableCallback((result: BatchObservableResult) => {
      if (this.stopped) return;
      const h = this.delay;
      // The histogram holds nanoseconds; a loop that never waited (count 0) has nothing to say yet.
      if (h.count > 0) {
        result.observe(delays.min, h.min / 1e9);
        result.observe(delays.max, h.max / 1e9);
        result.observe(delays.mean, h.mean / 1e9);
        result.observe(delays.stddev, h.stddev / 1e9);
        result.observe(delays.p50, h.percentile(50) / 1e9);
        result.observe(delays.p90, h.percentile(90) / 1e9);
        result.observe(delays.p99, h.percentile(99) / 1e9);
      }
      h.reset();

      const total = perfHooks.performance.eventLoopUtilization();
      const since = perfHooks.performance.eventLoopUtilization(total, this.lastUtilization);
      this.lastUtilization = total;
      result.observe(utilization, since.utilization);
      result.observe(loopTime, total.active / 1000, { 'nodejs.eventloop.state': 'active' });
      result.observe(loopTime, total.idle / 1000, { 'nodejs.eventloop.state': 'idle' });

      for (const space of v8.getHeapSpaceStatistics()) {
        const attributes = { 'v8js.heap.space.name': space.space_name };
        result.observe(heapUsed, space.space_used_size, attributes);
        result.observe(heapLimit, space.space_size, attributes);
        result.observe(spaceAvailable, space.space_available_size, attributes);
        result.observe(spacePhysical, space.physical_space_size, attributes);
      }

      const cpu = process.cpuUsage();
      const at = this.now();
      result.observe(cpuTime, cpu.user / 1e6, { 'cpu.mode': 'user' });
      result.observe(cpuTime, cpu.system / 1e6, { 'cpu.mode': 'system' });
      const elapsedUs = (at - this.lastCpuAt) * 1000;
      if (elapsedUs > 0) {
        const used = cpu.user - this.lastCpu.user + cpu.system - this.lastCpu.system;
        result.observe(cpuUtilization, used / elapsedUs / cpus);
      }
      this.lastCpu = cpu;
      this.lastCpuAt = at;

      result.observe(memory, process.memoryUsage.rss());
    }, [...Object.values(delays), utilization, loopTime, heapUsed, heapLimit, spaceAvailable, spacePhysical, cpuTime, cpuUtilization, memory]);

    // `PerformanceEntry.detail.kind` of a GC entry → `v8js.gc.type`, from Node's own constants.
    const { NODE_PERFORMANCE_GC_MAJOR, NODE_PERFORMANCE_GC_MINOR, NODE_PERFORMANCE_GC_INCREMENTAL, NODE_PERFORMANCE_GC_WEAKCB } = perfHooks.constants;
    const gcTypes = new Map<number, string>([
      [NODE_PERFORMANCE_GC_MAJOR, 'major'], [NODE_PERFORMANCE_GC_MINOR, 'minor'],
      [NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'], [NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
    ]);
    const gcDuration = meter.createHistogram('v8js.gc.duration', {
      unit: 's',
      description: 'Garbage collection duration.',
      advice: { explicitBucketBoundaries: GC_BOUNDARIES },
    });
    this.gcObserver = new perfHooks.PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = ((entry as unknown as { detail?: { kind?: number } }).detail)?.kind;
        gcDuration.record(entry.duration / 1000, { 'v8js.gc.type': gcTypes.get(kind ?? 0) ?? 'other' });
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  /** Disconnects the GC observer and the delay histogram; later collections observe nothing. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.gcObserver.disconnect();
    this.delay.disable();
  }
}
