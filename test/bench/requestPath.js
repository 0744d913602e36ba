'use strict';
/*
 * The request path, end to end: a small node:http service (request-server.js) in a child process under load from
 * another child process (request-load.js), 10 connections. For each variant it reports the server's CPU time per
 * request (user + system, from process.cpuUsage() around the measured load) and the client-side p50/p99 latency.
 * Variants run interleaved, REPS rounds, so the machine's drift touches each alike; each figure is the median over
 * the rounds. What telemetry adds is the median of the per-round differences from the no-telemetry server of the
 * same round (paired: two identical servers measured a minute apart differ by up to 3 µs here, the same round's by
 * much less). A warm-up load runs before each measured one.
 */
const path = require('node:path');
const { spawn } = require('node:child_process');

const VARIANTS = ['none', 'facade-prod', 'facade-dev', 'sdk', 'prom-client'];
const CONNECTIONS = 10;

function startServer(variant) {
  const child = spawn(process.execPath, [path.join(__dirname, 'request-server.js'), variant], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`the ${variant} server exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (message) => {
      child.off('exit', onExit);
      resolve(message);
    });
  });
  return next().then(({ port }) => ({
    port,
    ask: (message) => {
      const answer = next();
      child.send(message);
      return answer;
    },
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill();
    }),
  }));
}

function load(port, requests) {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(process.execPath, [path.join(__dirname, 'request-load.js'), String(port), String(CONNECTIONS), String(requests)],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk) => { out += chunk; });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`the load generator exited (${code})`))));
  });
}

async function measureVariant(variant, requests) {
  const server = await startServer(variant);
  try {
    await load(server.port, Math.min(requests, 10_000)); // warm-up: JIT, sockets, the first series
    await server.ask('start');
    const client = await load(server.port, requests);
    const { cpuUs, requests: served } = await server.ask('stop');
    return { cpuUsPerRequest: cpuUs / served, p50Ms: client.p50Ms, p99Ms: client.p99Ms, perSecond: client.requests / client.seconds };
  } finally {
    await server.stop();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs every variant `reps` times, interleaved; returns the median figures per variant and the raw samples. */
async function requestPathRows({ reps = 5, requests = 20_000 } = {}) {
  const samples = Object.fromEntries(VARIANTS.map((variant) => [variant, []]));
  for (let round = 0; round < reps; round++) {
    for (const variant of VARIANTS) samples[variant].push(await measureVariant(variant, requests));
  }
  const rows = {};
  for (const variant of VARIANTS) {
    const list = samples[variant];
    rows[variant] = {
      cpuUsPerRequest: median(list.map((s) => s.cpuUsPerRequest)),
      addedCpuUs: median(list.map((s, round) => s.cpuUsPerRequest - samples.none[round].cpuUsPerRequest)),
      p50Ms: median(list.map((s) => s.p50Ms)),
      p99Ms: median(list.map((s) => s.p99Ms)),
      perSecond: median(list.map((s) => s.perSecond)),
    };
  }
  return { rows, samples, reps, requests, connections: CONNECTIONS };
}

module.exports = { requestPathRows };

if (require.main === module) {
  requestPathRows({ reps: Number(process.argv[2] ?? 3), requests: Number(process.argv[3] ?? 20_000) }).then((result) => {
    for (const [variant, row] of Object.entries(result.rows)) {
      console.log(`${variant.padEnd(12)} cpu ${row.cpuUsPerRequest.toFixed(1).padStart(6)} µs/req  added ${row.addedCpuUs.toFixed(1).padStart(5)} µs  p50 ${row.p50Ms.toFixed(3)} ms  p99 ${row.p99Ms.toFixed(3)} ms  ${Math.round(row.perSecond)} req/s`);
    }
  });
}
