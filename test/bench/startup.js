'use strict';
/*
 * Start-up: the time and the modules a fresh process spends on `require('otel-facade')`, against requiring the SDK
 * packages it wraps (the API, core, resources, sdk-metrics, sdk-trace-base, context-async-hooks), each in its own
 * child process, interleaved, median of REPS. Only what `require` loads is measured: exporters, the Prometheus
 * server and the propagators beyond W3C load at initialize(), and only when configured.
 */
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const PROBES = {
  facade: `require(${JSON.stringify(ROOT)});`, // the package's main, as a consumer requires it
  sdk: ['@opentelemetry/api', '@opentelemetry/core', '@opentelemetry/resources', '@opentelemetry/sdk-metrics',
    '@opentelemetry/sdk-trace-base', '@opentelemetry/context-async-hooks'].map((name) => `require(${JSON.stringify(name)});`).join(''),
};

function probe(code) {
  const script = `const t=process.hrtime.bigint();${code}` +
    'process.stdout.write(JSON.stringify({ms:Number(process.hrtime.bigint()-t)/1e6,modules:Object.keys(require.cache).length}))';
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function startupRows(reps = 9) {
  const samples = { facade: [], sdk: [] };
  for (let r = 0; r < reps; r++) for (const name of Object.keys(PROBES)) samples[name].push(probe(PROBES[name]));
  const row = (name) => ({ ms: median(samples[name].map((s) => s.ms)), modules: samples[name][0].modules });
  return { facade: row('facade'), sdk: row('sdk'), reps };
}

module.exports = { startupRows };

if (require.main === module) {
  const rows = startupRows(Number(process.argv[2] ?? 9));
  console.log(`require('otel-facade'): ${rows.facade.ms.toFixed(1)} ms, ${rows.facade.modules} modules`);
  console.log(`the SDK packages:       ${rows.sdk.ms.toFixed(1)} ms, ${rows.sdk.modules} modules`);
  console.log(`ratio ${(rows.facade.ms / rows.sdk.ms).toFixed(2)} (goal <= 1.2)`);
}
