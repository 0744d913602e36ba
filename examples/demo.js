'use strict';
/*
 * `npm start`: the weather service of GoMind's tool pattern, recording through otel-facade into a local
 * collector that runs in this process, with a live view of what the collector receives.
 *
 *   npm start                                   # embedded collector on a random loopback port
 *   npm start -- --endpoint http://host:4318    # send to a real collector instead
 *   npm start -- --duration 10                  # stop by itself after 10 s (Ctrl-C works too)
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
  }));
  console.log(`weather-service exporting to ${external ?? `${collector.url} (embedded collector)`}; Ctrl-C to stop.`);

  const traffic = startTraffic();
  const view = setInterval(() => render(collector), refreshMs);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(traffic);
    clearInterval(view);
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

/** The weather tool: requests with a latency, some errors, and the connections in flight. */
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
    lines.push(`collector: ${collector.metricRequests.length} metric exports received`);
    lines.push(`${'metric'.padEnd(32)} ${'kind'.padEnd(9)} ${'series'.padStart(6)} ${'total'.padStart(10)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}`);
    for (const row of summarize(collector)) {
      const fmt = (v) => (v === undefined ? '' : v.toFixed(1));
      lines.push(`${row.name.padEnd(32)} ${row.kind.padEnd(9)} ${String(row.series).padStart(6)} ${fmt(row.total).padStart(10)} ${fmt(row.p50).padStart(8)} ${fmt(row.p95).padStart(8)}`);
    }
  }
  lines.push(`health: initialized=${health.initialized} circuit=${health.circuitState} emitted=${health.metricsEmitted} ` +
    `dropped=${health.metricsDropped} exportFailures=${health.exportFailures} lastExportAt=${health.lastExportAt ?? '-'}`);
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
