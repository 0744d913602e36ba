'use strict';
/*
 * A short-lived script (a cron job) that records and exits without losing its data:
 *
 *   node examples/cron-job.js
 *
 * It awaits shutdown() before it ends, and installShutdownHooks() covers the other ways out: SIGTERM (a
 * Kubernetes CronJob being stopped), SIGINT, and simply running out of work (beforeExit), each within a deadline
 * that never holds the exit longer than it.
 */
const telemetry = require('otel-facade');

async function main() {
  telemetry.initialize(telemetry.useProfile('production', {
    serviceName: 'nightly-report',
    samplingRate: 1, // one run a night: keep its trace (production samples 0.1% of traces otherwise)
  }));
  telemetry.installShutdownHooks({ timeoutMs: 3000 });

  await telemetry.traceOperation('report.build', async (span) => {
    let rows = 0;
    for (const region of ['eu', 'us', 'apac']) {
      const done = telemetry.timeOperation('report.region.duration_ms', 'region', region);
      const count = 100 + Math.floor(Math.random() * 50);
      await new Promise((resolve) => setTimeout(resolve, 10));
      telemetry.counter('report.regions.total', 'region', region);
      telemetry.recordBytes('report.output.bytes', count * 120, 'region', region);
      rows += count;
      done();
    }
    span.setAttribute('report.rows', rows);
    telemetry.gauge('report.rows.last', rows);
  }, 'report', 'nightly');

  // The data is recorded; this flush is what makes it arrive before the process ends.
  await telemetry.shutdown({ timeoutMs: 3000 });
  console.log('nightly-report done; telemetry flushed');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
