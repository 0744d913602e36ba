'use strict';
/*
 * A local OTLP/HTTP collector for trying the examples: listens on 127.0.0.1:4318 (or PORT) and prints what it
 * receives, decoded with the official protobuf definitions.
 *
 *   node examples/collector/run-collector.js
 */
const { LocalCollector } = require('./local-collector.js');
const { summarize } = require('./summarize.js');

async function main() {
  const collector = await new LocalCollector().start(Number(process.env.PORT ?? 4318));
  console.log(`local collector on ${collector.url} (POST /v1/metrics, /v1/traces); Ctrl-C to stop`);
  let seenMetrics = 0;
  let seenSpans = 0;
  setInterval(() => {
    if (collector.metricRequests.length !== seenMetrics) {
      seenMetrics = collector.metricRequests.length;
      console.log(`\n${seenMetrics} metric exports; latest:`);
      for (const row of summarize(collector)) {
        const quantiles = row.p50 === undefined ? '' : ` p50=${row.p50.toFixed(1)} p95=${row.p95.toFixed(1)}`;
        console.log(`  ${row.name} (${row.kind}) series=${row.series} total=${row.total}${quantiles}`);
      }
    }
    const spans = collector.spans();
    if (spans.length !== seenSpans) {
      for (const span of spans.slice(seenSpans)) {
        console.log(`  span ${span.resource['service.name']} ${span.kind.replace('SPAN_KIND_', '')} "${span.name}" trace=${span.traceId}`);
      }
      seenSpans = spans.length;
    }
  }, 1000);
  process.on('SIGINT', async () => {
    await collector.stop();
    process.exit(0);
  });
}

main();
