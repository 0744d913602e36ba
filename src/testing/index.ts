import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { LabelValue, Labels } from '../api/labels';
import { initializeWith, shutdown } from '../api/lifecycle';
import type { TelemetryConfig } from '../config/TelemetryConfig';
import { globalSlot } from '../global/GlobalSlot';
import type { MetricStore } from '../metrics/MetricStore';

/** A histogram series as `TestTelemetry.histogram()` reads it. */
export interface HistogramValue {
  /** Observations. */
  count: number;
  /** Their sum. */
  sum: number;
  /** The smallest; undefined before the first. */
  min: number | undefined;
  /** The largest; undefined before the first. */
  max: number | undefined;
  /** Observations per bucket: `counts[i]` holds values <= `boundaries[i]`, the last one the rest. */
  buckets: { boundaries: number[]; counts: number[] };
}

/** What `startTestTelemetry()` returns: what was recorded, read back. */
export interface TestTelemetry {
  /**
   * The value of a counter, up-down counter or gauge series with exactly these labels (an object, or key/value
   * pairs as `counter()` takes them), normalized as recording normalizes them; undefined when never recorded (or a
   * histogram: see `histogram()`).
   */
  value(name: string, labels?: Labels | readonly LabelValue[]): number | undefined;
  /** A histogram series with exactly these labels; undefined when never recorded (or not a histogram). */
  histogram(name: string, labels?: Labels | readonly LabelValue[]): HistogramValue | undefined;
  /** The spans that ended so far, oldest first (every span is sampled unless the config says otherwise). */
  spans(): ReadableSpan[];
  /** Forgets every metric, series and span recorded so far; the runtime stays up. */
  reset(): void;
  /** Shuts the runtime down; await it before the next `startTestTelemetry()`. */
  stop(): Promise<void>;
}

/**
 * Starts telemetry for unit tests: an in-memory runtime, nothing sent anywhere (both exporters `none`, no
 * Prometheus), every span sampled and kept, runtime metrics off, and the library's info lines silent (warnings
 * still go to `console.warn`). `config` may change anything else (limits, redaction, `samplingRate`); its exporters
 * are overridden. The application's own `counter()`, `histogram()`, `withSpan()` and `tracingMiddleware()` calls
 * record into it, whichever copy of the package they come from.
 *
 * Throws when telemetry is already running (a previous test did not `await stop()`): a test harness is set up by
 * the test, and a silent reuse would read another test's values.
 *
 * @example
 * const t = startTestTelemetry();
 * checkout(cart);                                   // code under test calls counter('orders.total', 'status', 'ok')
 * expect(t.value('orders.total', { status: 'ok' })).toBe(1);
 * await t.stop();
 */
export function startTestTelemetry(config: TelemetryConfig = {}): TestTelemetry {
  const slot = globalSlot();
  if (slot.runtime.state !== 'idle') {
    throw new Error('otel-facade/testing: telemetry is already initialized; await stop() of the previous harness (or shutdown()) first.');
  }
  const spans = new InMemorySpanExporter();
  // Nothing leaves the process: no exporter, and no scrape endpoint (a `prometheus` field would start one).
  const { prometheus: _scrape, ...rest } = config;
  initializeWith({
    serviceName: 'test',
    samplingRate: 1,
    runtimeMetrics: false,
    selfMetrics: false,
    logger: { warn: (message) => console.warn(message), info: () => undefined },
    ...rest,
    exporter: 'none',
    metrics: { ...rest.metrics, exporter: 'none' },
    traces: { ...rest.traces, exporter: 'none' },
  }, { spanProcessors: [new SimpleSpanProcessor(spans)] });
  // This harness's runtime: stop() shuts down only this one, never a later harness's.
  const mine = slot.runtime;
  const store = (): MetricStore | undefined => {
    const recorder = slot.recorder as Partial<MetricStore>;
    return typeof recorder.lookup === 'function' ? (recorder as MetricStore) : undefined;
  };
  const find = (name: string, labels: Labels | readonly LabelValue[] | null | undefined) => {
    if (slot.runtime !== mine) return undefined;
    try {
      return store()?.lookup(name, (labels ?? undefined) as ArrayLike<unknown> | Readonly<Record<string, unknown>> | undefined);
    } catch {
      return undefined; // labels that cannot be read (a throwing getter or proxy) were never recorded either
    }
  };
  return {
    value(name, labels) {
      const found = find(name, labels);
      if (found === undefined || found.metric.plan.kind === 'histogram') return undefined;
      return found.metric.table.values[found.id];
    },
    histogram(name, labels) {
      const found = find(name, labels);
      const state = found?.metric.table.histogram(found.id);
      if (found === undefined || state === undefined) return undefined;
      return {
        count: state.count,
        sum: state.sum,
        min: state.count > 0 ? state.min : undefined,
        max: state.count > 0 ? state.max : undefined,
        buckets: { boundaries: [...found.metric.plan.boundaries], counts: state.counts },
      };
    },
    spans: () => spans.getFinishedSpans().slice(),
    reset() {
      if (slot.runtime !== mine) return;
      store()?.reset();
      spans.reset();
    },
    stop: () => (slot.runtime === mine ? shutdown({ timeoutMs: 2000 }) : Promise.resolve()),
  };
}
