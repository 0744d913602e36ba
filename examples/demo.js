'use strict';
/*
 * `npm start`: the weather service (GoMind's tool pattern) under generated traffic, recording through otel-facade
 * into a local collector that runs in this process, with a live view of what the collector receives.
 *
 *   npm start                                   # embedded collector on a random loopback port
 *   npm start -- --endpoint http://host:4318    # send to a real collector instead
 *   npm start -- --duration 10                  # stop by itself after 10 s (Ctrl-C works too)
 *
 * Every 30 s the embedded collector goes down for 12 s (press "o" to toggle it by hand), so you can watch the
 * export circuit breaker open, recording go on in memory, and the totals catch up when the collector is back.
 */
const telemetry = require('otel-facade');
const { LocalCollector } = require('./collector/local-collector.js');
const { summarize } = require('./collector/summarize.js');
const { createWeatherService, option } = require('./weather-service.js');

const durationSec = Number(option('duration', 'Infinity'));
const refreshMs = Number(option('refresh', '3000'));

async function main() {
  const external = option('endpoint');
  const collector = external === undefined ? await new LocalCollector().start() : undefined;
  telemetry.initialize(telemetry.useProfile('development', {
    serviceName: 'weather-service',
    serviceVersion: '1.0.0',
    endpoint: external ?? collector.url,
    exportIntervalMs: 2000,
    exportTimeoutMs: 1500,
    spanBatch: { scheduledDelayMs: 1000 },
    circuitBreaker: { enabled: true, maxFailures: 2, recoveryTimeMs: 5000, halfOpenMax: 1 },
  }));
  telemetry.onCircuitStateChange((state, previous) => console.log(`\n>> export circuit breaker: ${previous} -> ${state}`));
  const weather = createWeatherService();
  const weatherUrl = await weather.listen();
  console.log(`weather-service on ${weatherUrl}, exporting to ${external ?? `${collector.url} (embedded collector)`}; Ctrl-C to stop.`);

  const traffic = startTraffic(weatherUrl);
  const view = new LiveView(collector);
  const refresh = setInterval(() => view.render(), refreshMs);
  const outages = collector === undefined ? undefined : startOutages(collector);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    traffic.stop();
    clearInterval(refresh);
    if (outages) clearInterval(outages);
    if (collector && !collector.listening) await collector.start();
    await traffic.drained();
    const lastHealth = telemetry.getHealth();
    await telemetry.shutdown({ timeoutMs: 3000 });
    await weather.close();
    view.render('final (after shutdown flushed)', lastHealth);
    if (collector) await collector.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (Number.isFinite(durationSec)) setTimeout(stop, durationSec * 1000);
}

/** Requests to the weather service: mostly fine, some unknown cities, some upstream timeouts. */
function startTraffic(weatherUrl) {
  const cities = ['berlin', 'lisbon', 'oslo', 'tokyo', 'berlin', 'lisbon', 'atlantis'];
  const inFlight = new Set();
  let stopped = false;
  const timer = setInterval(() => {
    for (let i = 0; i < 8; i++) {
      const city = cities[Math.floor(Math.random() * cities.length)];
      const endpoint = Math.random() < 0.7 ? '/weather/current' : '/weather/forecast';
      const fail = Math.random() < 0.04 ? '&fail=1' : '';
      const request = fetch(`${weatherUrl}${endpoint}?city=${city}${fail}`)
        .then((res) => res.arrayBuffer())
        .catch(() => undefined)
        .finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
  }, 100);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    drained: () => Promise.all([...inFlight]).then(() => stopped),
  };
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

/** The compact view: metrics the collector received, spans per second, and getHealth(). */
class LiveView {
  constructor(collector) {
    this.collector = collector;
    this.lastSpans = 0;
    this.lastAt = Date.now();
  }

  render(title = new Date().toISOString(), health = telemetry.getHealth()) {
    const lines = [`\n== ${title} ==`];
    const collector = this.collector;
    if (collector) {
      const spans = collector.spans().length;
      const now = Date.now();
      const elapsed = now - this.lastAt;
      // A rate over less than a second (the final view right after the last refresh) says nothing.
      const rate = elapsed >= 1000 ? ` (${(((spans - this.lastSpans) * 1000) / elapsed).toFixed(0)} spans/s)` : '';
      this.lastSpans = spans;
      this.lastAt = now;
      lines.push(`collector: ${collector.listening ? 'up' : 'DOWN'}, ${collector.metricRequests.length} metric exports, ` +
        `${spans} spans received${rate}`);
      lines.push(`${'metric'.padEnd(34)} ${'kind'.padEnd(9)} ${'series'.padStart(6)} ${'total'.padStart(10)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}`);
      const fmt = (v) => (v === undefined ? '' : Math.abs(v) < 10 ? v.toFixed(3) : v.toFixed(1));
      for (const row of summarize(collector)) {
        lines.push(`${row.name.padEnd(34)} ${row.kind.padEnd(9)} ${String(row.series).padStart(6)} ${fmt(row.total).padStart(10)} ` +
          `${fmt(row.p50).padStart(8)} ${fmt(row.p95).padStart(8)}`);
      }
    }
    lines.push(`health: circuit=${health.circuitState} emitted=${health.metricsEmitted} dropped=${health.metricsDropped} ` +
      `exportFailures=${health.exportFailures} skipped=${health.exportsSkipped} lastExportAt=${health.lastExportAt ?? '-'}`);
    console.log(lines.join('\n'));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
