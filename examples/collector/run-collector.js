'use strict';
/*
 * A local OTLP collector for trying the examples: listens on 127.0.0.1:4318 (or PORT) for OTLP/HTTP, or with --grpc
 * on 127.0.0.1:4317 for OTLP/gRPC, and prints what it receives, decoded with the official protobuf definitions: every
 * series (per metric and service, with its labels and last value, in its unit), and each span.
 *
 *   node examples/collector/run-collector.js
 *   node examples/collector/run-collector.js --grpc      # then OTEL_EXPORTER_OTLP_PROTOCOL=grpc for the examples
 */
const { LocalCollector } = require('./local-collector.js');
const { seriesLines } = require('./summarize.js');

async function main() {
  const grpc = process.argv.includes('--grpc');
  // Loaded only with --grpc: @grpc/grpc-js is a development dependency.
  const collector = grpc
    ? await new (require('./local-grpc-collector.js').LocalGrpcCollector)().start(Number(process.env.PORT ?? 4317))
    : await new LocalCollector().start(Number(process.env.PORT ?? 4318));
  console.log(`local collector on ${collector.url} (${grpc ? 'OTLP/gRPC: MetricsService and TraceService' : 'POST /v1/metrics, /v1/traces'}); Ctrl-C to stop`);
  let seenMetrics = 0;
  let seenSpans = 0;
  setInterval(() => {
    if (collector.metricRequests.length !== seenMetrics) {
      seenMetrics = collector.metricRequests.length;
      // Every series received, from every process that exported here, with its last value.
      console.log(`\n${seenMetrics} metric exports; every series, last value:`);
      for (const line of seriesLines(collector)) console.log(`  ${line}`);
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
