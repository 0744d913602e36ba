'use strict';
/*
 * `npm run bench`: otel-facade against the raw OpenTelemetry SDK, prom-client and a plain Map pre-aggregation, in
 * one process run. Each row is the median of REPS repetitions of CALLS calls after a warm-up repetition.
 *
 *   npm run bench                       # print the table, write test/bench/results.json
 *   npm run bench -- --update-readme    # also replace the table in README.md
 *   npm run bench -- --quick            # fewer calls, for a smoke run
 *   npm run bench -- --only=exemplars   # only the exemplar rows, printed (results.json and README untouched)
 *   npm run bench -- --only=delta       # only the delta temporality rows, printed
 *
 * The export-block rows export one collection of 10,000 or 100,000 series through the real OTLP/HTTP path, ours and
 * the SDK's, to a receiver in a child process, and report the longest event-loop block.
 *
 * Label strings vary between iterations (equal content, different string objects, from a pool), so V8 cannot hoist
 * the label work out of the loop: every call does its real lookups.
 */
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { performance, monitorEventLoopDelay } = require('node:perf_hooks');
const {
  MeterProvider,
  PeriodicExportingMetricReader,
  AggregationTemporality,
} = require('@opentelemetry/sdk-metrics');
const { ProtobufMetricsSerializer } = require('@opentelemetry/otlp-transformer');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto');
const promClient = require('prom-client');
const telemetry = require('../../dist/index.js');
const { initializeWith } = require('../../dist/api/lifecycle.js');
const { globalSlot } = require('../../dist/global/GlobalSlot.js');
const tracingBench = require('./tracing.js');
const { hostileRows } = require('./hostile.js');
const { requestPathRows } = require('./requestPath.js');
const { startupRows } = require('./startup.js');

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ONLY = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const CALLS = QUICK ? 200_000 : 1_000_000;
const REPS = QUICK ? 3 : 7;
const POOL = 64;

if (typeof global.gc !== 'function') {
  console.error('run with node --expose-gc (npm run bench does)');
  process.exit(1);
}

/** POOL distinct string objects with the same content. */
function pool(text) {
  return Array.from({ length: POOL }, (_, i) => (i % 2 === 0 ? `${text} `.slice(0, -1) : [...text].join('')));
}
const K_METHOD = pool('method');
const V_GET = pool('GET');
const K_STATUS = pool('status');
const V_200 = pool('200');
const K_ENDPOINT = pool('endpoint');
const V_CURRENT = pool('/current');
const V_EMAIL = pool('jane.doe@example.com');
const VALUES = Array.from({ length: 4096 }, (_, i) => (i * 7919) % 12000); // spread across the ms buckets

/** Median ns per call of `loop(calls)` over REPS repetitions, after one warm-up repetition. */
function measure(loop, calls = CALLS) {
  loop(calls);
  const samples = [];
  for (let r = 0; r < REPS; r++) {
    const start = process.hrtime.bigint();
    loop(calls);
    samples.push(Number(process.hrtime.bigint() - start) / calls);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const quietLogger = { warn() {}, info() {} };
globalSlot().runtime.carried.diagnostics.useLogger(quietLogger); // the "before initialize()" row would say so once
const discardExporter = (onExport) => ({
  export(metrics, callback) {
    if (onExport) onExport(metrics);
    callback({ code: 0 });
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
  selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
});

function initFacade(config, options = {}) {
  initializeWith({
    serviceName: 'bench',
    endpoint: 'http://127.0.0.1:9',
    exportIntervalMs: 3_600_000,
    exportTimeoutMs: 10_000,
    registerGlobal: false,
    logger: quietLogger,
    ...config,
  }, { metricExporter: discardExporter(), ...options });
}

// ---------------------------------------------------------------------------------------------------- hot path
const facadeRows = () => ({
  counter0: measure((n) => {
    for (let i = 0; i < n; i++) telemetry.counter('weather.requests.total');
  }),
  counter3: measure((n) => {
    for (let i = 0; i < n; i++) {
      const p = i & (POOL - 1);
      telemetry.counter('weather.requests.total', K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], K_ENDPOINT[p], V_CURRENT[p]);
    }
  }),
  histogram3: measure((n) => {
    for (let i = 0; i < n; i++) {
      const p = i & (POOL - 1);
      telemetry.histogram('weather.request.duration_ms', VALUES[i & 4095], K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], K_ENDPOINT[p], V_CURRENT[p]);
    }
  }),
  gauge3: measure((n) => {
    for (let i = 0; i < n; i++) {
      const p = i & (POOL - 1);
      telemetry.gauge('weather.connections.active', i, K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], K_ENDPOINT[p], V_CURRENT[p]);
    }
  }),
  upDown3: measure((n) => {
    for (let i = 0; i < n; i++) {
      const p = i & (POOL - 1);
      telemetry.upDownCounter('weather.jobs.queued', (i & 1) === 0 ? 1 : -1, K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], K_ENDPOINT[p], V_CURRENT[p]);
    }
  }),
  recordLatency3: measure((n) => {
    for (let i = 0; i < n; i++) {
      const p = i & (POOL - 1);
      telemetry.recordLatency('weather.upstream.latency', VALUES[i & 4095], K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], K_ENDPOINT[p], V_CURRENT[p]);
    }
  }),
  emit3: measure((n) => {
    for (let i = 0; i < n; i++) {
      const p = i & (POOL - 1);
      telemetry.emit('weather.cache.hit.count', 1, K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], K_ENDPOINT[p], V_CURRENT[p]);
    }
  }),
});

/** counter() with 3 label pairs, measured on its own (used for the no-op and the production rows). */
/** Median ms of one forceFlush() (one collection into the discarding exporter), over 21 after 3 warm-ups. */
async function collectionMs() {
  const samples = [];
  for (let i = 0; i < 24; i++) {
    const start = process.hrtime.bigint();
    await telemetry.forceFlush();
    if (i >= 3) samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

function counter3Row() {
  return measure((n) => {
    for (let i = 0; i < n; i++) {
      const p = i & (POOL - 1);
      telemetry.counter('weather.requests.total', K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], K_ENDPOINT[p], V_CURRENT[p]);
    }
  });
}

function rawSdkRows() {
  const provider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: discardExporter(), exportIntervalMillis: 3_600_000 })],
  });
  const meter = provider.getMeter('bench');
  const counter = meter.createCounter('weather.requests.total');
  const histogram = meter.createHistogram('weather.request.duration_ms', {
    advice: { explicitBucketBoundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] },
  });
  const gauge = meter.createGauge('weather.connections.active');
  const upDown = meter.createUpDownCounter('weather.jobs.queued');
  const rows = {
    counter3: measure((n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        counter.add(1, { method: V_GET[p], status: V_200[p], endpoint: V_CURRENT[p] });
      }
    }),
    histogram3: measure((n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        histogram.record(VALUES[i & 4095], { method: V_GET[p], status: V_200[p], endpoint: V_CURRENT[p] });
      }
    }),
    gauge3: measure((n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        gauge.record(i, { method: V_GET[p], status: V_200[p], endpoint: V_CURRENT[p] });
      }
    }),
    upDown3: measure((n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        upDown.add((i & 1) === 0 ? 1 : -1, { method: V_GET[p], status: V_200[p], endpoint: V_CURRENT[p] });
      }
    }),
  };
  return { rows, provider };
}

function promClientRows() {
  const registry = new promClient.Registry();
  const labelNames = ['method', 'status', 'endpoint'];
  const counter = new promClient.Counter({ name: 'weather_requests_total', help: 'h', labelNames, registers: [registry] });
  const histogram = new promClient.Histogram({
    name: 'weather_request_duration_ms', help: 'h', labelNames, registers: [registry],
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
  });
  const gauge = new promClient.Gauge({ name: 'weather_connections_active', help: 'h', labelNames, registers: [registry] });
  return {
    counter3: measure((n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        counter.inc({ method: V_GET[p], status: V_200[p], endpoint: V_CURRENT[p] });
      }
    }),
    histogram3: measure((n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        histogram.observe({ method: V_GET[p], status: V_200[p], endpoint: V_CURRENT[p] }, VALUES[i & 4095]);
      }
    }),
    gauge3: measure((n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        gauge.set({ method: V_GET[p], status: V_200[p], endpoint: V_CURRENT[p] }, i);
      }
    }),
  };
}

function floorRow() {
  const map = new Map();
  return measure((n) => {
    for (let i = 0; i < n; i++) {
      const p = i & (POOL - 1);
      const key = `${V_GET[p]}|${V_200[p]}|${V_CURRENT[p]}`;
      map.set(key, (map.get(key) ?? 0) + 1);
    }
  });
}

// -------------------------------------------------------------------------------------------- a busy process
/*
 * A realistic hot path: 30 metric shapes interleaved in one loop, as a busy service calls them (counters,
 * histograms, gauges and up-down counters; 1 to 6 label pairs, a few as label objects). The loop body is generated
 * with 30 call sites, one per shape, as a service's code has them: each call site always calls one function with one
 * argument count, while the library underneath sees every metric and every argument count. (A loop dispatching
 * through one generic call site measured its own dispatch, about 28 ns a call, more than the library's work.) Label
 * strings are drawn from pools of equal strings that are different objects. ns per call, across all 30.
 */
function busyRow() {
  const K = (i) => pool(`k${i}`);
  const V = (i) => pool(`v${i}`);
  const keys = Array.from({ length: 6 }, (_, i) => K(i));
  const values = Array.from({ length: 6 }, (_, i) => V(i));
  const kinds = ['counter', 'histogram', 'gauge', 'upDownCounter'];
  const shapes = Array.from({ length: 30 }, (_, s) => ({ name: `busy.shape${s}.${kinds[s % 4] === 'histogram' ? 'duration_ms' : 'total'}`, kind: kinds[s % 4], pairs: 1 + (s % 6), object: s % 7 === 3 }));
  const objects = shapes.map((shape) => Array.from({ length: POOL }, (_, p) => Object.fromEntries(Array.from({ length: shape.pairs }, (_, j) => [keys[j][p], values[j][p]]))));
  const sites = shapes.map((shape, s) => {
    const value = shape.kind === 'counter' ? '' : ', i & 1023';
    const labels = shape.object
      ? `, objects[${s}][p]`
      : Array.from({ length: shape.pairs }, (_, j) => `, keys[${j}][p], values[${j}][p]`).join('');
    return `telemetry.${shape.kind}(${JSON.stringify(shape.name)}${value}${labels});`;
  });
  const rounds = new Function('telemetry', 'keys', 'values', 'objects', 'n',
    `for (let i = 0; i < n; i++) { const p = i & ${POOL - 1};\n${sites.join('\n')}\n}`);
  return {
    all: measure((n) => rounds(telemetry, keys, values, objects, n / 30), 30 * Math.ceil(CALLS / 30)),
    sixPairs: measure((n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        telemetry.counter('busy.six.total', keys[0][p], values[0][p], keys[1][p], values[1][p], keys[2][p], values[2][p], keys[3][p], values[3][p], keys[4][p], values[4][p], keys[5][p], values[5][p]);
      }
    }),
    fourPairs: measure((n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        telemetry.counter('busy.four.total', keys[0][p], values[0][p], keys[1][p], values[1][p], keys[2][p], values[2][p], keys[3][p], values[3][p]);
      }
    }),
  };
}

// --------------------------------------------------------------------------------------------------- exemplars
/*
 * What exemplars cost a recording call, counter() and histogram() with 3 label pairs: exemplars off (always_off);
 * on (trace_based, the default) with no sampled span alive, where the call checks one field and reads no context;
 * and inside an active sampled span, where the context is read and the measurement kept as its series' exemplar
 * (the latest one, per bucket for the histogram). Development profile, one process run.
 */
async function exemplarRows() {
  const loops = {
    counter3: (n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        telemetry.counter('weather.requests.total', K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], K_ENDPOINT[p], V_CURRENT[p]);
      }
    },
    histogram3: (n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        telemetry.histogram('weather.request.duration_ms', VALUES[i & 4095], K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], K_ENDPOINT[p], V_CURRENT[p]);
      }
    },
  };
  const rows = {};
  for (const filter of ['always_off', 'trace_based']) {
    initFacade({ profile: 'development', metrics: { exemplarFilter: filter } });
    const label = filter === 'always_off' ? 'off' : 'noSpan';
    for (const [key, loop] of Object.entries(loops)) rows[`${label}.${key}`] = measure(loop);
    if (filter === 'trace_based') {
      telemetry.withSpan('bench.request', () => {
        for (const [key, loop] of Object.entries(loops)) rows[`sampledSpan.${key}`] = measure(loop);
      });
      const health = telemetry.getHealth();
      if (health.metricsEmitted === 0) throw new Error('exemplar rows: nothing was recorded');
    }
    await telemetry.shutdown();
  }
  return rows;
}

// ------------------------------------------------------------------------------------------------- abuse paths
/*
 * What an attacker choosing label values makes a call cost, production profile: a value past its label's limit
 * (recorded as `other`), and a new combination on a metric at its series limit (the overflow series), each over a
 * pool of 64 values already seen once, against the same call with admitted values.
 */
async function abuseRows() {
  const admitted = Array.from({ length: 8 }, (_, i) => pool(`user-${i}`));
  const over = Array.from({ length: 64 }, (_, i) => `attacker-${i}`);
  const overPool = over.map((value) => pool(value));
  initFacade({ profile: 'production', rateLimit: { enabled: false, callsPerSecond: 1, burst: 1 }, cardinalityLimit: 16, cardinalityLimits: { user_id: 8 } });
  for (let i = 0; i < 8; i++) telemetry.counter('abuse.logins.total', 'method', 'GET', 'user_id', `user-${i}`);
  for (let i = 0; i < 16; i++) telemetry.counter('abuse.routes.total', 'method', 'GET', 'route', `/r${i}`); // full
  const rows = {
    normal: measure((n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        telemetry.counter('abuse.logins.total', K_METHOD[p], V_GET[p], 'user_id', admitted[i & 7][p]);
      }
    }),
    labelOther: measure((n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        telemetry.counter('abuse.logins.total', K_METHOD[p], V_GET[p], 'user_id', overPool[i & 63][p]);
      }
    }),
    overflow: measure((n) => {
      for (let i = 0; i < n; i++) {
        const p = i & (POOL - 1);
        telemetry.counter('abuse.routes.total', K_METHOD[p], V_GET[p], 'route', overPool[i & 63][p]);
      }
    }),
  };
  await telemetry.shutdown();
  return rows;
}

// ----------------------------------------------------------------------------------- new series, memory per series
/*
 * What a new label combination costs on its first call, and what each series keeps after GC: N distinct routes
 * (two label pairs, the method always GET) on a fresh metric, facade (development profile), the SDK (cumulative,
 * with a reader, so that it keeps its series) and prom-client, in this process; median of REPS for the time.
 */
async function seriesRows() {
  const N = QUICK ? 20_000 : 50_000;
  const routes = (rep) => Array.from({ length: N }, (_, i) => `/r${rep}-${i}`);
  const heap = () => heapAfterGc();
  const perSeries = (before) => (heap() - before) / N;
  const timed = (work) => {
    const start = process.hrtime.bigint();
    work();
    return Number(process.hrtime.bigint() - start) / N;
  };
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const result = { n: N };

  initFacade({ profile: 'development', cardinalityLimit: N + 10 });
  const facadeTimes = [];
  let facadeBytes = 0;
  for (let rep = 0; rep <= REPS; rep++) {
    const names = routes(rep);
    const before = heap();
    // The name built once, as the SDK's counter is: a service passes a literal, not a string built per call.
    const name = `series.new${rep}.total`;
    const ns = timed(() => { for (let i = 0; i < N; i++) telemetry.counter(name, 'route', names[i], 'method', 'GET'); });
    if (rep > 0) facadeTimes.push(ns); // the first one warms up
    facadeBytes = perSeries(before);
  }
  await telemetry.shutdown();
  result.facadeNs = median(facadeTimes);
  result.facadeBytes = facadeBytes;

  // The SDK's limit raised to N too: at its default 2,000, every later combination would go to its overflow series.
  const reader = new PeriodicExportingMetricReader({ exporter: discardExporter(), exportIntervalMillis: 3_600_000, cardinalityLimits: { default: N + 10 } });
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('bench');
  const sdkTimes = [];
  let sdkBytes = 0;
  for (let rep = 0; rep <= REPS; rep++) {
    const names = routes(rep);
    const counter = meter.createCounter(`series.new${rep}.total`);
    const before = heap();
    const ns = timed(() => { for (let i = 0; i < N; i++) counter.add(1, { route: names[i], method: 'GET' }); });
    if (rep > 0) sdkTimes.push(ns);
    sdkBytes = perSeries(before);
  }
  await provider.shutdown();
  result.sdkNs = median(sdkTimes);
  result.sdkBytes = sdkBytes;

  const registry = new promClient.Registry();
  const promTimes = [];
  let promBytes = 0;
  for (let rep = 0; rep <= REPS; rep++) {
    const names = routes(rep);
    const counter = new promClient.Counter({ name: `series_new${rep}_total`, help: 'h', labelNames: ['route', 'method'], registers: [registry] });
    const before = heap();
    const ns = timed(() => { for (let i = 0; i < N; i++) counter.inc({ route: names[i], method: 'GET' }); });
    if (rep > 0) promTimes.push(ns);
    promBytes = perSeries(before);
  }
  result.promNs = median(promTimes);
  result.promBytes = promBytes;
  return result;
}

// ------------------------------------------------------------------------------------------------------ memory
/** The JS heap and the memory of ArrayBuffers (typed arrays' contents live outside the heap), after GC. */
function heapAfterGc() {
  for (let i = 0; i < 4; i++) global.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

async function memoryRows() {
  const IDS = QUICK ? 200_000 : 1_000_000;
  const perInterval = IDS / 10;
  // otel-facade, development profile: no per-label limit, so the series limit (2000 + overflow) is what holds.
  // The pipeline sends a collection in chunks (one exporter call each), so the points of a collection are summed.
  const facadePoints = [];
  let collected = 0;
  initFacade({ profile: 'development' }, {
    metricExporter: discardExporter((m) => {
      collected += countPoints(m);
    }),
  });
  for (let i = 0; i < 1000; i++) telemetry.counter('requests.total', 'user_id', `warm-${i}`);
  await telemetry.forceFlush();
  const facadeBefore = heapAfterGc();
  for (let interval = 0; interval < 10; interval++) {
    for (let i = interval * perInterval; i < (interval + 1) * perInterval; i++) telemetry.counter('requests.total', 'user_id', `user-${i}`);
    collected = 0;
    await telemetry.forceFlush();
    facadePoints.push(collected);
  }
  const facadeGrowth = heapAfterGc() - facadeBefore;
  await telemetry.shutdown();

  // The raw SDK, cumulative, with its default per-collection cardinality limit of 2000.
  const rawPoints = [];
  const reader = new PeriodicExportingMetricReader({
    exporter: discardExporter((m) => rawPoints.push(countPoints(m))),
    exportIntervalMillis: 3_600_000,
  });
  const provider = new MeterProvider({ readers: [reader] });
  const counter = provider.getMeter('bench').createCounter('requests.total');
  for (let i = 0; i < 1000; i++) counter.add(1, { user_id: `warm-${i}` });
  await provider.forceFlush();
  const rawBefore = heapAfterGc();
  for (let interval = 0; interval < 10; interval++) {
    for (let i = interval * perInterval; i < (interval + 1) * perInterval; i++) counter.add(1, { user_id: `user-${i}` });
    await provider.forceFlush();
  }
  const rawGrowth = heapAfterGc() - rawBefore;
  await provider.shutdown();
  return {
    ids: IDS,
    facadeGrowthMb: facadeGrowth / 1048576,
    rawGrowthMb: rawGrowth / 1048576,
    facadePoints: facadePoints.slice(-10),
    rawPoints: rawPoints.slice(-10),
  };
}

function countPoints(resourceMetrics) {
  let points = 0;
  for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) points += metric.dataPoints.length;
  return points;
}

// -------------------------------------------------------------------------------------------------- collection
/** counter() 3 pairs under cumulative and under delta temporality, on fresh runtimes in turn (medians of 3 each). */
async function deltaRows() {
  const samples = { cumulative: [], delta: [] };
  for (let round = 0; round < 3; round++) {
    for (const temporality of ['cumulative', 'delta']) {
      initFacade({ profile: 'development', metrics: { temporality } });
      samples[temporality].push(counter3Row());
      await telemetry.shutdown();
    }
  }
  const median = (list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  return { cumulative: median(samples.cumulative), delta: median(samples.delta) };
}

/** One collection of 10,000 series, cumulative and as deltas, in turn (three of each), after a GC each: medians. */
async function collectionRows() {
  const runs = { cumulative: [], delta: [] };
  for (let round = 0; round < 3; round++) {
    for (const temporality of ['cumulative', 'delta']) {
      if (global.gc) global.gc();
      runs[temporality].push(await collectionRow(temporality));
    }
  }
  const median = (list) => list.sort((a, b) => a.ms - b.ms)[Math.floor(list.length / 2)];
  return { cumulative: median(runs.cumulative), delta: median(runs.delta) };
}

async function collectionRow(temporality = 'cumulative') {
  // The pipeline hands a collection over in chunks: the bytes of one export are the sum over its chunks.
  let chunkBytes = 0;
  let bytes = 0;
  initFacade({ cardinalityLimit: 10_000, metrics: { temporality } }, {
    metricExporter: discardExporter((m) => {
      chunkBytes += ProtobufMetricsSerializer.serializeRequest(m).length;
    }),
  });
  // Every series changes before every collection (outside the timing), so that deltas have a point for each too.
  const record = () => {
    for (let i = 0; i < 5000; i++) telemetry.counter('requests.total', 'route', `/r${i}`, 'method', 'GET');
    for (let i = 0; i < 5000; i++) telemetry.histogram('request.duration_ms', i % 3000, 'route', `/r${i}`);
  };
  const samples = [];
  // Two warm-up exports: the first compiles the collection and encoding paths, the second still runs partly
  // unoptimised code (measured: ~90 ms, ~30 ms, then a steady ~12 ms).
  for (let r = 0; r < REPS + 2; r++) {
    record();
    chunkBytes = 0;
    const start = performance.now();
    await telemetry.forceFlush();
    samples.push(performance.now() - start);
    bytes = chunkBytes; // not shutdown()'s final export
  }
  await telemetry.shutdown();
  samples.splice(0, 2);
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)], bytes };
}

// ------------------------------------------------------------------------------------------------ export block
/*
 * The longest event-loop block while one collection is exported through the real OTLP/HTTP path (protobuf + gzip)
 * to a receiver in a child process, so that receiving costs the measured event loop nothing. The receiver reads
 * and discards each body and answers 200 with an empty body; it counts requests and bytes, asked over IPC only
 * between exports.
 */
const EXPORT_SIZES = [10_000, 100_000];
const EXPORT_REPS = REPS;
const BLOCK_GOAL_MS = 20;
const MS_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]; // the facade's buckets for *_ms

const RECEIVER = `
const http = require('node:http');
let requests = 0;
let bytes = 0;
const server = http.createServer((req, res) => {
  req.on('data', (chunk) => { bytes += chunk.length; });
  req.on('end', () => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
    res.end();
  });
});
server.keepAliveTimeout = 120000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', () => process.send({ requests, bytes }));
process.on('disconnect', () => process.exit(0));
`;

function startReceiver() {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const nextMessage = () => new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`the receiver exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message);
    });
  });
  return nextMessage().then(({ port }) => ({
    url: `http://127.0.0.1:${port}`,
    /** Requests and bytes received so far. */
    count: () => {
      const answer = nextMessage();
      child.send('count');
      return answer;
    },
    stop: () => child.kill(),
  }));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One export by `flush()`: the longest block, wall time, requests and bytes. The delay monitor records the gap
 * between two of its own ticks, so it gets a few ms before and after the flush: a block right after enable() (the
 * snapshot starts synchronously) or right before disable() would otherwise go unrecorded. Its max includes the
 * 1 ms tick itself. No global.gc() before it: a forced GC also drops maps the serializer's optimized code depends
 * on, so every export would start deoptimized, which the major GCs of a running service mostly do not cause.
 */
async function measureExport(flush, receiver) {
  const before = await receiver.count();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  await sleep(5);
  const start = performance.now();
  await flush();
  const wallMs = performance.now() - start;
  await sleep(5);
  delay.disable();
  const after = await receiver.count();
  return { blockMs: delay.max / 1e6, wallMs, requests: after.requests - before.requests, bytes: after.bytes - before.bytes };
}

/** Median of each field over the repetitions after the first (warm-up). */
function medianExport(samples) {
  const kept = samples.slice(1);
  const median = (key) => {
    const values = kept.map((s) => s[key]).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)];
  };
  return { blockMs: median('blockMs'), wallMs: median('wallMs'), requests: median('requests'), bytes: median('bytes'), samples };
}

/** Records `n` series of `kind` on the facade: two labels, one of them distinct per series. */
function recordFacade(kind, n) {
  if (kind === 'counter') for (let i = 0; i < n; i++) telemetry.counter('requests.total', 'route', `/r${i}`, 'method', 'GET');
  else for (let i = 0; i < n; i++) telemetry.histogram('request.duration_ms', i % 3000, 'route', `/r${i}`, 'method', 'GET');
}

async function facadeExport(kind, n, receiver) {
  // The default exporter (metricExporter undefined): protobuf + gzip over our transport, 2000 points per request.
  initFacade({ endpoint: receiver.url, cardinalityLimit: 2 * n, exportTimeoutMs: 60_000 }, { metricExporter: undefined });
  const samples = [];
  for (let r = 0; r < EXPORT_REPS + 1; r++) {
    recordFacade(kind, n); // every series changed since the last export, as in a busy service
    samples.push(await measureExport(() => telemetry.forceFlush(), receiver));
  }
  const health = telemetry.getHealth();
  await telemetry.shutdown();
  // Every series held and exported, without a failure: otherwise the row would measure less work than it says.
  const metrics = health.signals.metrics;
  const dropped = Object.entries(health.droppedByReason).filter(([reason]) => reason !== 'not_initialized'); // the preInit row's
  if (health.seriesCount !== n || dropped.length !== 0 || metrics.exportFailures !== 0 || metrics.exports < EXPORT_REPS + 1 ||
    samples.some((s) => s.requests < Math.ceil(n / metrics.maxItemsPerRequest))) {
    throw new Error(`facade ${kind} ${n}: not every series was exported: ${JSON.stringify({ health, samples })}`);
  }
  return medianExport(samples);
}

async function sdkExport(kind, n, receiver) {
  // The SDK as documented: one request per collection, gzip like ours, a series limit that holds every series.
  let points = 0;
  let failed = 0;
  const otlp = new OTLPMetricExporter({ url: `${receiver.url}/v1/metrics`, compression: 'gzip', timeoutMillis: 60_000 });
  const exporter = {
    export(metrics, callback) {
      points = countPoints(metrics);
      otlp.export(metrics, (result) => {
        if (result.code !== 0) failed++;
        callback(result);
      });
    },
    forceFlush: () => otlp.forceFlush(),
    shutdown: () => otlp.shutdown(),
    selectAggregationTemporality: (type) => otlp.selectAggregationTemporality(type),
  };
  const reader = new PeriodicExportingMetricReader({
    exporter, exportIntervalMillis: 3_600_000, exportTimeoutMillis: 60_000, cardinalityLimits: { default: 2 * n },
  });
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('bench');
  const attributes = Array.from({ length: n }, (_, i) => ({ route: `/r${i}`, method: 'GET' }));
  const record = kind === 'counter'
    ? ((c) => () => attributes.forEach((a) => c.add(1, a)))(meter.createCounter('requests.total'))
    : ((h) => () => attributes.forEach((a, i) => h.record(i % 3000, a)))(
      meter.createHistogram('request.duration_ms', { unit: 'ms', advice: { explicitBucketBoundaries: MS_BUCKETS } }));
  const samples = [];
  for (let r = 0; r < EXPORT_REPS + 1; r++) {
    record();
    points = 0;
    samples.push(await measureExport(() => provider.forceFlush(), receiver));
    if (points !== n || failed !== 0) throw new Error(`sdk ${kind} ${n}: exported ${points} points, ${failed} failed exports`);
  }
  await provider.shutdown();
  return medianExport(samples);
}

async function exportBlockRows() {
  const receiver = await startReceiver();
  const rows = {};
  try {
    for (const kind of ['counter', 'histogram']) {
      for (const n of EXPORT_SIZES) {
        rows[`facade.${kind}.${n}`] = await facadeExport(kind, n, receiver);
        rows[`sdk.${kind}.${n}`] = await sdkExport(kind, n, receiver);
        for (const side of ['facade', 'sdk']) {
          const x = rows[`${side}.${kind}.${n}`];
          process.stderr.write(`  exportBlock.${side}.${kind}.${n}`.padEnd(37) +
            ` ${x.blockMs.toFixed(1)} ms block, ${x.requests} requests, ${x.wallMs.toFixed(0)} ms wall\n`);
        }
      }
    }
  } finally {
    receiver.stop();
  }
  return rows;
}

// ------------------------------------------------------------------------------------------------------- main
async function main() {
  const results = { date: new Date().toISOString(), machine: machine(), calls: CALLS, spanCalls: QUICK ? 50_000 : 200_000, reps: REPS, rows: {} };
  const row = (key, ns) => {
    results.rows[key] = ns;
    process.stderr.write(`  ${key.padEnd(34)} ${ns.toFixed(1)} ns\n`);
  };
  process.stderr.write(`otel-facade bench: ${CALLS} calls x ${REPS} reps (median), ${results.machine}\n`);
  if (ONLY === 'delta') {
    const delta = await deltaRows();
    const collections = await collectionRows();
    console.log(`counter3: cumulative ${delta.cumulative.toFixed(1)} ns, delta ${delta.delta.toFixed(1)} ns (${(delta.delta / delta.cumulative).toFixed(3)} x); ` +
      `collect + encode 10,000 series: cumulative ${collections.cumulative.ms.toFixed(1)} ms, delta ${collections.delta.ms.toFixed(1)} ms`);
    return;
  }
  if (ONLY === 'exemplars') {
    for (const [k, v] of Object.entries(await exemplarRows())) row(`facade.exemplars.${k}`, v);
    const x = results.rows;
    for (const kind of ['counter3', 'histogram3']) {
      const e = (k) => x[`facade.exemplars.${k}.${kind}`];
      console.log(`${kind}: no span ${(e('noSpan') - e('off')).toFixed(1)} ns over exemplars off; sampled span ${(e('sampledSpan') / e('noSpan')).toFixed(2)} x no span`);
    }
    return;
  }

  row('facade.preInit.counter3', counter3Row());
  initFacade({ enabled: false });
  row('facade.disabled.counter3', counter3Row());
  await telemetry.shutdown();

  initFacade({ profile: 'development' });
  for (const [k, v] of Object.entries(facadeRows())) row(`facade.${k}`, v);
  for (const [k, v] of Object.entries(busyRow())) row(`facade.busy.${k}`, v);
  // The same e-mail value without redaction: the baseline of the redacted row below (long values cost more).
  row('facade.counter3.email', measure((n) => {
    for (let i = 0; i < n; i++) {
      const p = i & (POOL - 1);
      telemetry.counter('weather.requests.total', K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], 'user', V_EMAIL[p]);
    }
  }));
  await telemetry.shutdown();
  // Runtime metrics (on above, the default) against off: the recording path must not feel them, and a collection
  // only a little. Each collection measured on a fresh runtime holding one series.
  const collectionWith = async (runtimeMetrics) => {
    initFacade({ profile: 'development', runtimeMetrics });
    telemetry.counter('weather.requests.total', 'method', 'GET');
    const ms = await collectionMs();
    await telemetry.shutdown();
    return ms;
  };
  results.runtimeMetrics = { onMs: await collectionWith(true), offMs: await collectionWith(false) };
  process.stderr.write(`  one collection of one series: runtime metrics on ${results.runtimeMetrics.onMs.toFixed(2)} ms, off ${results.runtimeMetrics.offMs.toFixed(2)} ms\n`);
  initFacade({ profile: 'development', runtimeMetrics: false });
  row('facade.counter3.runtimeOff', counter3Row());
  // The same histogram call as histogram3, aggregated into base-2 exponential buckets (the SDK's accumulation).
  telemetry.declareMetrics('bench', { metrics: [{ name: 'weather.request.expo_ms', type: 'histogram', aggregation: 'exponential' }] });
  row('facade.histogram3.exponential', measure((n) => {
    for (let i = 0; i < n; i++) {
      const p = i & (POOL - 1);
      telemetry.histogram('weather.request.expo_ms', VALUES[i & 4095], K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], K_ENDPOINT[p], V_CURRENT[p]);
    }
  }));
  await telemetry.shutdown();
  // Delta temporality keeps baselines beside the series; the recording path is the same. Measured against
  // cumulative on runtimes made in turn, so that the ratio is not the noise between two moments of the run.
  {
    const delta = await deltaRows();
    row('facade.counter3.cumulativePaired', delta.cumulative);
    row('facade.counter3.delta', delta.delta);
  }

  // Production: label limits and a rate limiter high enough to admit every call of the loop, so the row is the
  // cost of the checks on calls that pass; the next row is the cost of a call the rate limiter drops.
  initFacade({ profile: 'production', rateLimit: { enabled: true, callsPerSecond: 1e9, burst: 1e9 } });
  row('facade.production.counter3', counter3Row());
  row('facade.production.counter3.pii', measure((n) => {
    for (let i = 0; i < n; i++) {
      const p = i & (POOL - 1);
      telemetry.counter('weather.requests.total', K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], 'user', V_EMAIL[p]);
    }
  }));
  row('facade.production.recordLatency3', measure((n) => {
    for (let i = 0; i < n; i++) {
      const p = i & (POOL - 1);
      telemetry.recordLatency('weather.upstream.latency', VALUES[i & 4095], K_METHOD[p], V_GET[p], K_STATUS[p], V_200[p], K_ENDPOINT[p], V_CURRENT[p]);
    }
  }));
  await telemetry.shutdown();
  initFacade({ profile: 'production', rateLimit: { enabled: true, callsPerSecond: 1, burst: 1 } });
  row('facade.rateLimited.counter3', counter3Row());
  await telemetry.shutdown();
  for (const [k, v] of Object.entries(await abuseRows())) row(`facade.abuse.${k}`, v);
  for (const [k, v] of Object.entries(await exemplarRows())) row(`facade.exemplars.${k}`, v);

  const raw = rawSdkRows();
  for (const [k, v] of Object.entries(raw.rows)) row(`sdk.${k}`, v);
  await raw.provider.shutdown();
  for (const [k, v] of Object.entries(promClientRows())) row(`prom.${k}`, v);
  row('floor.mapIncrement3', floorRow());

  if (tracingBench) await tracingBench.run({ measure, row, initFacade, telemetry, calls: QUICK ? 50_000 : 200_000 });

  results.series = await seriesRows();
  process.stderr.write(`  new series: facade ${results.series.facadeNs.toFixed(0)} ns, SDK ${results.series.sdkNs.toFixed(0)} ns, prom-client ${results.series.promNs.toFixed(0)} ns; ` +
    `per series kept: ${results.series.facadeBytes.toFixed(0)} / ${results.series.sdkBytes.toFixed(0)} / ${results.series.promBytes.toFixed(0)} B\n`);
  results.memory = await memoryRows();
  {
    const collections = await collectionRows();
    results.collection = collections.cumulative;
    results.collectionDelta = collections.delta;
  }
  process.stderr.write(`  collect + encode 10,000 series: cumulative ${results.collection.ms.toFixed(1)} ms, delta ${results.collectionDelta.ms.toFixed(1)} ms\n`);
  results.exportBlock = await exportBlockRows();
  results.hostile = await hostileRows({ initFacade, telemetry, reps: QUICK ? 3 : 7 });
  results.startup = startupRows(QUICK ? 3 : 9);
  process.stderr.write(`  startup: require('otel-facade') ${results.startup.facade.ms.toFixed(1)} ms (${results.startup.facade.modules} modules), ` +
    `the SDK packages ${results.startup.sdk.ms.toFixed(1)} ms (${results.startup.sdk.modules} modules)\n`);
  results.requestPath = await requestPathRows({ reps: QUICK ? 2 : 7, requests: QUICK ? 10_000 : 30_000 });
  for (const [variant, v] of Object.entries(results.requestPath.rows)) {
    process.stderr.write(`  request path ${variant.padEnd(12)} ${v.cpuUsPerRequest.toFixed(1)} µs CPU/request, p50 ${v.p50Ms.toFixed(2)} ms, p99 ${v.p99Ms.toFixed(2)} ms\n`);
  }
  process.stderr.write(`  hostile: 128 KB label ${results.hostile.label.worstMs.toFixed(2)} ms, attribute ${results.hostile.attribute.worstMs.toFixed(2)} ms, ` +
    `detectors untruncated ${results.hostile.detectors.worstMs.toFixed(2)} ms; heap ${results.hostile.heapValuesMb.toFixed(1)} / ` +
    `${results.hostile.heapKeysMb.toFixed(1)} / ${results.hostile.heapAttributesMb.toFixed(1)} MB\n`);
  results.targets = evaluate(results);

  const table = renderTable(results);
  console.log(table);
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (args.includes('--update-readme')) updateReadme(table);
  const failed = results.targets.filter((t) => !t.pass);
  console.log(failed.length === 0 ? 'all targets hold' : `targets missed: ${failed.map((t) => t.name).join('; ')}`);
}

function machine() {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown cpu';
  return `${cpu}, ${os.cpus().length} cores, ${os.platform()} ${os.arch()}, Node ${process.versions.node}`;
}

function evaluate(r) {
  const x = r.rows;
  const targets = [
    ['counter() 3 pairs <= 0.15 x SDK counter.add', x['facade.counter3'] / x['sdk.counter3'], 0.15],
    ['exponential histogram() 3 pairs <= 2 x the explicit-bucket one', x['facade.histogram3.exponential'] / x['facade.histogram3'], 2],
    ['counter() 3 pairs with runtime metrics on <= 1.1 x with them off', x['facade.counter3'] / x['facade.counter3.runtimeOff'], 1.1],
    ['one collection with runtime metrics <= 2 ms more than without', r.runtimeMetrics.onMs - r.runtimeMetrics.offMs, 2],
    ['counter() 3 pairs <= 0.7 x prom-client inc', x['facade.counter3'] / x['prom.counter3'], 0.7],
    ['histogram() 3 pairs <= 0.2 x SDK histogram.record', x['facade.histogram3'] / x['sdk.histogram3'], 0.2],
    ['gauge() 3 pairs <= 0.15 x SDK gauge.record', x['facade.gauge3'] / x['sdk.gauge3'], 0.15],
    ['before initialize() <= 0.02 x SDK counter.add', x['facade.preInit.counter3'] / x['sdk.counter3'], 0.02],
    ['enabled: false <= 0.02 x SDK counter.add', x['facade.disabled.counter3'] / x['sdk.counter3'], 0.02],
    ['heap growth, 1M distinct values <= 5 MB', r.memory.facadeGrowthMb, 5],
    ['collect + encode 10,000 series <= 25 ms', r.collection.ms, 25],
    ['collect + encode 10,000 changed series as deltas <= 1.5 x cumulative', r.collectionDelta.ms / r.collection.ms, 1.5],
    ['counter() 3 pairs with delta temporality <= 1.1 x cumulative (the recording path is the same)', x['facade.counter3.delta'] / x['facade.counter3.cumulativePaired'], 1.1],
    ...exportBlockCases().map(([key, label]) =>
      [`longest event-loop block exporting ${label} <= ${BLOCK_GOAL_MS} ms`, r.exportBlock[`facade.${key}`].blockMs, BLOCK_GOAL_MS]),
    ['recording a 128 KB hostile label value, redaction on < 5 ms', r.hostile.label.worstMs, 5],
    ['a 128 KB hostile span attribute, redaction on < 5 ms', r.hostile.attribute.worstMs, 5],
    ['heap growth, 1,000 distinct 1 MB label values < 16 MB', r.hostile.heapValuesMb, 16],
    ['heap growth, 1,000 distinct 1 MB label keys < 16 MB', r.hostile.heapKeysMb, 16],
    ['heap growth, 1,000 spans with distinct 1 MB attributes < 16 MB', r.hostile.heapAttributesMb, 16],
    ['30 interleaved metric shapes <= 60 ns a call', x['facade.busy.all'], 60],
    ['counter() with 6 label pairs <= 1.5 x with 4 (no arguments fallback)', x['facade.busy.sixPairs'] / x['facade.busy.fourPairs'], 1.5],
    ['a new series costs <= 0.5 x the SDK\'s first add()', r.series.facadeNs / r.series.sdkNs, 0.5],
    ['memory kept per series <= 300 B', r.series.facadeBytes, 300],
    ['a value past its per-label limit <= 2 x a normal call', x['facade.abuse.labelOther'] / x['facade.abuse.normal'], 2],
    ['a new combination on a full metric <= 2 x a normal call', x['facade.abuse.overflow'] / x['facade.abuse.normal'], 2],
    ['counter() 3 pairs, exemplars on and no sampled span: <= 5 ns over exemplars off', x['facade.exemplars.noSpan.counter3'] - x['facade.exemplars.off.counter3'], 5],
    ['histogram() 3 pairs, exemplars on and no sampled span: <= 5 ns over exemplars off', x['facade.exemplars.noSpan.histogram3'] - x['facade.exemplars.off.histogram3'], 5],
    ['counter() 3 pairs in a sampled span (exemplar kept) <= 2 x with no span', x['facade.exemplars.sampledSpan.counter3'] / x['facade.exemplars.noSpan.counter3'], 2],
    ['histogram() 3 pairs in a sampled span (exemplar kept) <= 2 x with no span', x['facade.exemplars.sampledSpan.histogram3'] / x['facade.exemplars.noSpan.histogram3'], 2],
    ["require('otel-facade') <= 1.2 x requiring the SDK packages", r.startup.facade.ms / r.startup.sdk.ms, 1.2],
  ];
  const rp = r.requestPath.rows;
  const added = (variant) => rp[variant].addedCpuUs;
  targets.push(
    ['request path: facade (production) adds <= 0.2 x the SDK\'s CPU per request', added('facade-prod') / added('sdk'), 0.2],
    ['request path: facade (production, 0.1% sampled) adds <= 3 µs CPU per request', added('facade-prod'), 3],
    ['request path: facade (production) p99 <= 1.3 x no telemetry', rp['facade-prod'].p99Ms / rp.none.p99Ms, 1.3],
  );
  if (x['tracing.facade.unsampled'] !== undefined) {
    targets.push(['unsampled startSpan()+end() <= 1.2 x SDK', x['tracing.facade.unsampled'] / x['tracing.sdk.unsampled'], 1.2]);
  }
  return targets.map(([name, value, limit]) => ({ name, value, limit, pass: value <= limit }));
}

/** [row key, label] of each export-block case. */
function exportBlockCases() {
  const cases = [];
  for (const kind of ['counter', 'histogram']) {
    for (const n of EXPORT_SIZES) cases.push([`${kind}.${n}`, `${n.toLocaleString('en-US')} ${kind} series`]);
  }
  return cases;
}

function renderTable(r) {
  const x = r.rows;
  const ratio = (a, b) => (x[a] / x[b]).toFixed(3);
  const ns = (k) => x[k].toFixed(1);
  const lines = [
    `Measured ${r.date.slice(0, 10)} on ${r.machine}; median of ${r.reps} x ${r.calls.toLocaleString('en-US')} calls ` +
      `(span rows: ${r.reps} x ${r.spanCalls.toLocaleString('en-US')}).`,
    '',
    '| call | otel-facade ns/op | raw SDK ns/op | prom-client ns/op | facade / SDK | facade / prom-client |',
    '|---|---:|---:|---:|---:|---:|',
    `| counter(), no labels | ${ns('facade.counter0')} | | | | |`,
    `| histogram(), 3 label pairs, base-2 exponential buckets | ${ns('facade.histogram3.exponential')} | | | ${ratio('facade.histogram3.exponential', 'facade.histogram3')} x explicit | |`,
    `| counter(), 3 label pairs, delta temporality (runtimes made in turn with cumulative ones: ${ns('facade.counter3.cumulativePaired')} ns) | ${ns('facade.counter3.delta')} | | | ${ratio('facade.counter3.delta', 'facade.counter3.cumulativePaired')} x cumulative | |`,
    `| counter(), 3 label pairs, runtime metrics off (on in every other row: the default) | ${ns('facade.counter3.runtimeOff')} | | | | |`,
    `| counter(), 3 label pairs | ${ns('facade.counter3')} | ${ns('sdk.counter3')} | ${ns('prom.counter3')} | ${ratio('facade.counter3', 'sdk.counter3')} | ${ratio('facade.counter3', 'prom.counter3')} |`,
    `| counter(), 3 pairs, production profile (rate limiter on but raised so no call is dropped; label limits) | ${ns('facade.production.counter3')} | ${ns('sdk.counter3')} | ${ns('prom.counter3')} | ${ratio('facade.production.counter3', 'sdk.counter3')} | ${ratio('facade.production.counter3', 'prom.counter3')} |`,
    `| counter(), 3 pairs, one an e-mail value, not redacted (development) | ${ns('facade.counter3.email')} | ${ns('sdk.counter3')} | ${ns('prom.counter3')} | ${ratio('facade.counter3.email', 'sdk.counter3')} | ${ratio('facade.counter3.email', 'prom.counter3')} |`,
    `| counter(), 3 pairs, one an e-mail value redacted as PII (production) | ${ns('facade.production.counter3.pii')} | ${ns('sdk.counter3')} | ${ns('prom.counter3')} | ${ratio('facade.production.counter3.pii', 'sdk.counter3')} | ${ratio('facade.production.counter3.pii', 'prom.counter3')} |`,
    `| counter(), 3 pairs, dropped by the rate limiter | ${ns('facade.rateLimited.counter3')} | | | | |`,
    `| histogram(), 3 label pairs | ${ns('facade.histogram3')} | ${ns('sdk.histogram3')} | ${ns('prom.histogram3')} | ${ratio('facade.histogram3', 'sdk.histogram3')} | ${ratio('facade.histogram3', 'prom.histogram3')} |`,
    `| gauge(), 3 label pairs | ${ns('facade.gauge3')} | ${ns('sdk.gauge3')} | ${ns('prom.gauge3')} | ${ratio('facade.gauge3', 'sdk.gauge3')} | ${ratio('facade.gauge3', 'prom.gauge3')} |`,
    `| recordLatency(), 3 label pairs (+ latency_bucket) | ${ns('facade.recordLatency3')} | ${ns('sdk.histogram3')} | ${ns('prom.histogram3')} | ${ratio('facade.recordLatency3', 'sdk.histogram3')} | ${ratio('facade.recordLatency3', 'prom.histogram3')} |`,
    `| recordLatency(), 3 pairs, production profile (redaction on) | ${ns('facade.production.recordLatency3')} | ${ns('sdk.histogram3')} | ${ns('prom.histogram3')} | ${ratio('facade.production.recordLatency3', 'sdk.histogram3')} | ${ratio('facade.production.recordLatency3', 'prom.histogram3')} |`,
    `| upDownCounter(), 3 label pairs | ${ns('facade.upDown3')} | ${ns('sdk.upDown3')} | | ${ratio('facade.upDown3', 'sdk.upDown3')} | |`,
    `| emit() (counter by name), 3 label pairs | ${ns('facade.emit3')} | ${ns('sdk.counter3')} | | ${ratio('facade.emit3', 'sdk.counter3')} | |`,
    `| counter() before initialize() | ${ns('facade.preInit.counter3')} | ${ns('sdk.counter3')} | | ${ratio('facade.preInit.counter3', 'sdk.counter3')} | |`,
    `| counter() with enabled: false | ${ns('facade.disabled.counter3')} | ${ns('sdk.counter3')} | | ${ratio('facade.disabled.counter3', 'sdk.counter3')} | |`,
    `| for reference, a hand-written store: build a key string, then a Map increment | ${ns('floor.mapIncrement3')} | | | | |`,
    `| 30 metric shapes interleaved (1-6 pairs, some label objects), per call | ${ns('facade.busy.all')} | | | | |`,
    `| counter(), 4 label pairs | ${ns('facade.busy.fourPairs')} | | | | |`,
    `| counter(), 6 label pairs | ${ns('facade.busy.sixPairs')} | | | | |`,
    `| counter(), 2 pairs, admitted values (production) | ${ns('facade.abuse.normal')} | | | | |`,
    `| counter(), 2 pairs, a value past its per-label limit (\`other\`) | ${ns('facade.abuse.labelOther')} | | | ${ratio('facade.abuse.labelOther', 'facade.abuse.normal')} x normal | |`,
    `| counter(), 2 pairs, a new combination on a full metric (overflow) | ${ns('facade.abuse.overflow')} | | | ${ratio('facade.abuse.overflow', 'facade.abuse.normal')} x normal | |`,
    `| counter(), 3 pairs, exemplars off (always_off) | ${ns('facade.exemplars.off.counter3')} | | | | |`,
    `| counter(), 3 pairs, exemplars on (trace_based), no sampled span alive | ${ns('facade.exemplars.noSpan.counter3')} | | | ${ratio('facade.exemplars.noSpan.counter3', 'facade.exemplars.off.counter3')} x off | |`,
    `| counter(), 3 pairs, inside a sampled span (its exemplar kept) | ${ns('facade.exemplars.sampledSpan.counter3')} | | | ${ratio('facade.exemplars.sampledSpan.counter3', 'facade.exemplars.noSpan.counter3')} x no span | |`,
    `| histogram(), 3 pairs, exemplars off (always_off) | ${ns('facade.exemplars.off.histogram3')} | | | | |`,
    `| histogram(), 3 pairs, exemplars on (trace_based), no sampled span alive | ${ns('facade.exemplars.noSpan.histogram3')} | | | ${ratio('facade.exemplars.noSpan.histogram3', 'facade.exemplars.off.histogram3')} x off | |`,
    `| histogram(), 3 pairs, inside a sampled span (its bucket's exemplar kept) | ${ns('facade.exemplars.sampledSpan.histogram3')} | | | ${ratio('facade.exemplars.sampledSpan.histogram3', 'facade.exemplars.noSpan.histogram3')} x no span | |`,
  ];
  if (x['tracing.facade.sampled'] !== undefined) {
    lines.push(
      `| startSpan()+end(), sampled | ${ns('tracing.facade.sampled')} | ${ns('tracing.sdk.sampled')} | | ${ratio('tracing.facade.sampled', 'tracing.sdk.sampled')} | |`,
      `| startSpan()+end(), unsampled | ${ns('tracing.facade.unsampled')} | ${ns('tracing.sdk.unsampled')} | | ${ratio('tracing.facade.unsampled', 'tracing.sdk.unsampled')} | |`,
      `| withSpan(), sampled (SDK: startActiveSpan) | ${ns('tracing.facade.withSpan')} | ${ns('tracing.sdk.withSpan')} | | ${ratio('tracing.facade.withSpan', 'tracing.sdk.withSpan')} | |`,
      `| withSpan(), unsampled (SDK: startActiveSpan) | ${ns('tracing.facade.withSpan.unsampled')} | ${ns('tracing.sdk.withSpan.unsampled')} | | ${ratio('tracing.facade.withSpan.unsampled', 'tracing.sdk.withSpan.unsampled')} | |`,
    );
  }
  const m = r.memory;
  lines.push(
    '',
    `| ${m.ids.toLocaleString('en-US')} distinct user_id values over 10 collections | otel-facade | raw SDK (cumulative) |`,
    '|---|---:|---:|',
    `| heap growth after GC | ${m.facadeGrowthMb.toFixed(2)} MB | ${m.rawGrowthMb.toFixed(2)} MB |`,
    `| points per collection | ${m.facadePoints.join(', ')} | ${m.rawPoints.join(', ')} |`,
    '',
    `| ${r.series.n.toLocaleString('en-US')} new series of a counter with 2 label pairs (route values such as \`/r1-4711\`, method \`GET\`; values of 13 characters or more are copied, so cost more) | otel-facade | raw SDK (cumulative) | prom-client |`,
    '|---|---:|---:|---:|',
    `| first call of a new combination | ${r.series.facadeNs.toFixed(0)} ns | ${r.series.sdkNs.toFixed(0)} ns | ${r.series.promNs.toFixed(0)} ns |`,
    `| memory kept per series (JS heap and ArrayBuffers, after GC) | ${r.series.facadeBytes.toFixed(0)} B | ${r.series.sdkBytes.toFixed(0)} B | ${r.series.promBytes.toFixed(0)} B |`,
    '',
    `Collect and encode one export of 10,000 series (protobuf, ${(r.collection.bytes / 1024).toFixed(0)} KiB), median after two warm-up exports: ${r.collection.ms.toFixed(1)} ms; ` +
      `as deltas (every series changed, baselines read and committed): ${r.collectionDelta.ms.toFixed(1)} ms (${(r.collectionDelta.bytes / 1024).toFixed(0)} KiB).`,
    '',
    `One collection of one series with the runtime metrics on (the default: about 40 more series of event loop, heap, GC, CPU and memory): ${r.runtimeMetrics.onMs.toFixed(2)} ms; with them off: ${r.runtimeMetrics.offMs.toFixed(2)} ms (median of 21, into a discarding exporter).`,
    '',
    'Longest event-loop block while one collection is exported over OTLP/HTTP (protobuf + gzip) to a receiver in another ' +
      `process; median of ${EXPORT_REPS} exports (monitorEventLoopDelay, 1 ms resolution, so the block includes its 1 ms tick).`,
    '',
    '| export of | otel-facade longest block | requests | wall | raw SDK longest block | requests | wall | goal |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...exportBlockCases().map(([key, label]) => {
      const f = r.exportBlock[`facade.${key}`];
      const s = r.exportBlock[`sdk.${key}`];
      return `| ${label} | ${f.blockMs.toFixed(1)} ms | ${f.requests} | ${f.wallMs.toFixed(0)} ms | ` +
        `${s.blockMs.toFixed(1)} ms | ${s.requests} | ${s.wallMs.toFixed(0)} ms | <= ${BLOCK_GOAL_MS} ms |`;
    }),
    '',
    'Hostile input, production profile (redaction on): one call or one span with a 128 KB value in the shape that was ' +
      'slowest for the patterns of version 0.1, worst over seven shapes (median of reps each); the built-in detectors ' +
      'alone on the same values, untruncated; heap growth for 1,000 distinct 1 MB values (after GC).',
    '',
    '| hostile input | measured | goal |',
    '|---|---:|---|',
    `| counter() with a 128 KB label value | ${r.hostile.label.worstMs.toFixed(2)} ms | < 5 ms |`,
    `| startSpan() with a 128 KB attribute, then end() | ${r.hostile.attribute.worstMs.toFixed(2)} ms | < 5 ms |`,
    `| the detectors on the 128 KB value itself (no truncation) | ${r.hostile.detectors.worstMs.toFixed(2)} ms | linear |`,
    `| 1,000 distinct 1 MB label values | ${r.hostile.heapValuesMb.toFixed(1)} MB | < 16 MB |`,
    `| 1,000 distinct 1 MB label keys | ${r.hostile.heapKeysMb.toFixed(1)} MB | < 16 MB |`,
    `| 1,000 spans with distinct 1 MB attributes | ${r.hostile.heapAttributesMb.toFixed(1)} MB | < 16 MB |`,
    '',
    `The request path, end to end: a node:http service in a child process under load from another process (${r.requestPath.connections} ` +
      `connections, ${r.requestPath.requests.toLocaleString('en-US')} requests), CPU of the service per request and latency at the client, ` +
      `median of ${r.requestPath.reps} interleaved rounds; what telemetry adds is the median of each round's difference from the ` +
      'service without telemetry in the same round. Telemetry: tracingMiddleware (or the SDK\'s HTTP instrumentation) and three metric calls.',
    '',
    '| service | CPU per request | added by telemetry | p50 | p99 |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(r.requestPath.rows).map(([variant, v]) => `| ${REQUEST_PATH_LABELS[variant]} | ${v.cpuUsPerRequest.toFixed(1)} µs | ` +
      `${v.addedCpuUs.toFixed(1)} µs | ${v.p50Ms.toFixed(2)} ms | ${v.p99Ms.toFixed(2)} ms |`),
    '',
    `Start-up, median of ${r.startup.reps} fresh processes: \`require('otel-facade')\` ${r.startup.facade.ms.toFixed(1)} ms (${r.startup.facade.modules} modules); ` +
      `the SDK packages it wraps ${r.startup.sdk.ms.toFixed(1)} ms (${r.startup.sdk.modules} modules).`,
    '',
    '| target | measured | limit | holds |',
    '|---|---:|---:|---|',
    ...r.targets.map((t) => `| ${t.name} | ${t.value.toFixed(3)} | ${t.limit} | ${t.pass ? 'yes' : 'NO'} |`),
  );
  return lines.join('\n');
}

const REQUEST_PATH_LABELS = {
  none: 'no telemetry',
  'facade-prod': 'otel-facade, production (0.1% sampled)',
  'facade-dev': 'otel-facade, development (every request sampled)',
  sdk: 'raw SDK + instrumentation-http (0.1% sampled)',
  'prom-client': 'prom-client (metrics only)',
};

function updateReadme(table) {
  const readme = path.join(__dirname, '..', '..', 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from === -1 || to === -1) throw new Error('README.md has no bench markers');
  fs.writeFileSync(readme, `${text.slice(0, from + begin.length)}\n${table}\n${text.slice(to)}`);
  console.log('README.md updated');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
