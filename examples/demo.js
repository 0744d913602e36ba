'use strict';
/*
 * `npm start`: the weather service of GoMind's tool pattern, recording through otel-facade into a local
 * collector that runs in this process, with a live view of what the collector receives.
 *
 *   npm start                                   # embedded collector on a random loopback port
 *   npm start -- --endpoint http://host:4318    # send to a real collector instead
 *   npm start -- --duration 10                  # stop by itself after 10 s (Ctrl-C works too)
 *
 * Every 30 s the embedded collector goes down for 12 s (press "o" to toggle it by hand), so you can watch the
 * export circuit breaker open, recording go on in memory, and the totals catch up when the collector is back.
 */
const telemetry = require('../dist/index.js');
const { LocalCollector } = require('./collector/local-collector.js');
const { summarize } = require('./collector/summarize.js');

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const durationSec = option('duration') === undefined ? Infinity : Number(option('duration'));
const refreshMs = Number(option('refresh') ?? 3000);

async function main() {
  const external = option('endpoint');
  const collector = external === undefined ? await new LocalCollector().start() : undefined;
  telemetry.initialize(telemetry.useProfile('development', {
    serviceName: 'weather-service',
    serviceVersion: '1.0.0',
    endpoint: external ?? collector.url,
    exportIntervalMs: 2000,
    exportTimeoutMs: 1500,
    circuitBreaker: { enabled: true, maxFailures: 2, recoveryTimeMs: 5000, halfOpenMax: 1 },
  }));
  telemetry.onCircuitStateChange((state, previous) => console.log(`\n>> export circuit breaker: ${previous} -> ${state}`));
  console.log(`weather-service exporting to ${external ?? `${collector.url} (embedded collector)`}; Ctrl-C to stop.`);

  const traffic = startTraffic();
  const view = setInterval(() => render(collector), refreshMs);
  const outages = collector === undefined ? undefined : startOutages(collector);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(traffic);
    trafficStopped = true;
    clearInterval(view);
    if (outages) clearInterval(outages);
    if (collector && !collector.listening) await collector.start();
    const lastHealth = telemetry.getHealth();
    await telemetry.shutdown({ timeoutMs: 3000 });
    render(collector, 'final (after shutdown flushed)', lastHealth);
    if (collector) await collector.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (Number.isFinite(durationSec)) setTimeout(stop, durationSec * 1000);
}

/** Takes the collector down for 12 s every 30 s, and on the key "o" when stdin is a terminal. */
function startOutages(collector) {
  const toggle = async () => {
    if (collector.listening) {
      await collector.stop();
      console.log('\n>> collector stopped: exports will fail, the breaker will open, recording goes on');
    } else {
      await collector.start();
      console.log('\n>> collector restarted: the next probe closes the breaker and the totals catch up');
    }
  };
  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', (key) => {
      if (key.toString() === 'o') void toggle();
      if (key[0] === 3) process.emit('SIGINT');
    });
  }
  return setInterval(() => {
    void toggle();
    setTimeout(() => void (collector.listening ? undefined : toggle()), 12000);
  }, 30000);
}

/** The weather tool: requests with a latency, some errors, and the connections in flight. */
let trafficStopped = false;
function startTraffic() {
  const endpoints = ['/current', '/forecast', '/alerts'];
  let active = 0;
  return setInterval(() => {
    for (let i = 0; i < 20; i++) {
      const endpoint = endpoints[Math.floor(Math.random() * endpoints.length)];
      active++;
      telemetry.gauge('weather.connections.active', active);
      const latency = 5 + Math.random() * Math.random() * 400;
      setTimeout(() => {
        if (trafficStopped) return;
        active--;
        const failed = Math.random() < 0.05;
        telemetry.counter('weather.requests.total', 'endpoint', endpoint, 'method', 'GET', 'status', failed ? '500' : '200');
        if (failed) telemetry.counter('weather.errors.total', 'endpoint', endpoint, 'error_type', 'upstream_timeout');
        telemetry.histogram('weather.request.duration_ms', latency, 'endpoint', endpoint);
        telemetry.gauge('weather.connections.active', active);
      }, latency);
    }
  }, 100);
}

function render(collector, title = new Date().toISOString(), health = telemetry.getHealth()) {
  const lines = [`\n== ${title} ==`];
  if (collector) {
    lines.push(`collector: ${collector.listening ? 'up' : 'DOWN'}, ${collector.metricRequests.length} metric exports received`);
    lines.push(`${'metric'.padEnd(32)} ${'kind'.padEnd(9)} ${'series'.padStart(6)} ${'total'.padStart(10)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}`);
    for (const row of summarize(collector)) {
      const fmt = (v) => (v === undefined ? '' : v.toFixed(1));
      lines.push(`${row.name.padEnd(32)} ${row.kind.padEnd(9)} ${String(row.series).padStart(6)} ${fmt(row.total).padStart(10)} ${fmt(row.p50).padStart(8)} ${fmt(row.p95).padStart(8)}`);
    }
  }
  lines.push(`health: initialized=${health.initialized} circuit=${health.circuitState} emitted=${health.metricsEmitted} ` +
    `dropped=${health.metricsDropped} exportFailures=${health.exportFailures} skipped=${health.exportsSkipped} ` +
    `lastExportAt=${health.lastExportAt ?? '-'}`);
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
