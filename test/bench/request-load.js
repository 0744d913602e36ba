'use strict';
/*
 * The load generator of the request-path bench, in a process of its own so that it costs the measured server
 * nothing: `node request-load.js <port> <connections> <requests>`. Each connection sends its share of the requests
 * one after another over a kept-alive socket; the latency of each is measured from the write of the request to the
 * end of its answer. Prints one JSON line: { requests, seconds, p50Ms, p99Ms }.
 */
const http = require('node:http');

const [port, connections, total] = process.argv.slice(2).map(Number);
const latencies = new Float64Array(total);
let next = 0;

function connection(agent) {
  return new Promise((resolve, reject) => {
    const one = () => {
      if (next >= total) return resolve();
      const index = next++;
      const started = process.hrtime.bigint();
      const req = http.get({ host: '127.0.0.1', port, path: `/api/items/${index}`, agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          latencies[index] = Number(process.hrtime.bigint() - started) / 1e6;
          one();
        });
      });
      req.on('error', reject);
    };
    one();
  });
}

(async () => {
  const agents = Array.from({ length: connections }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const started = process.hrtime.bigint();
  await Promise.all(agents.map((agent) => connection(agent)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  for (const agent of agents) agent.destroy();
  process.stdout.write(`${JSON.stringify({ requests: total, seconds, p50Ms: at(0.5), p99Ms: at(0.99) })}\n`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
