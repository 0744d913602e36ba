import { join } from 'node:path';
import { LocalCollector } from '../../examples/collector/local-collector';
import { LocalGrpcCollector } from '../../examples/collector/local-grpc-collector';
import { deadPort } from '../support/net';
import { leftAfterShutdown, runScript, shortScript, type ScriptRun } from '../support/shortScript';

const INSTALL = 'npm install @opentelemetry/exporter-metrics-otlp-grpc@0.223.0 @opentelemetry/exporter-trace-otlp-grpc@0.223.0';

/** The last line of stdout, as JSON. */
const result = (run: ScriptRun): Record<string, unknown> => JSON.parse(run.stdout.trim().split('\n').pop() as string) as Record<string, unknown>;

/** Whether the process loaded @grpc/grpc-js or the gRPC exporters' base package. */
const GRPC_LOADED = "Object.keys(require.cache).some((file) => /@grpc[\\\\/]grpc-js|otlp-grpc-exporter-base/.test(file))";

describe('OTLP/gRPC in a process of its own', () => {
  it('without the gRPC exporters installed: initialize() goes on, one line names the install command, health shows the signals failed', async () => {
    const collector = await new LocalGrpcCollector().start();
    try {
      const run = await runScript(`
        const t = require('otel-facade');
        let threw = false;
        try {
          t.initialize({ serviceName: 'no-grpc', protocol: 'grpc', endpoint: process.env.COLLECTOR, logger: { warn: (m) => console.error(m), info() {} } });
        } catch (error) { threw = true; }
        t.counter('orders.total');
        t.startSpan('work').end();
        const atStart = t.getHealth().signals;
        (async () => {
          await t.forceFlush();
          console.error('-- flushed --');
          const health = t.getHealth();
          await t.shutdown({ timeoutMs: 1000 });
          console.log(JSON.stringify({ threw, atStart, after: health.signals, lost: health.lostByReason, grpcLoaded: ${GRPC_LOADED} }));
        })();
      `, { COLLECTOR: collector.url }, [join(__dirname, '..', 'support', 'without-grpc-exporters.js')]);
      expect(run).toMatchObject({ code: 0, signal: null });
      const said = run.stderr.split('-- flushed --')[0].trim().split('\n');
      expect(said).toHaveLength(1);
      expect(said[0]).toBe('otel-facade: metrics and traces are to be sent over OTLP/gRPC (protocol grpc), but ' +
        '@opentelemetry/exporter-metrics-otlp-grpc is not installed, and @opentelemetry/exporter-trace-otlp-grpc is not installed; ' +
        `install the gRPC exporters with: ${INSTALL}. Until then every metrics and traces export fails ` +
        "(getHealth().signals.metrics.lastError says why): metrics keep aggregating in memory, spans are counted as lost ('span_export_failed').");
      const { threw, atStart, after, lost, grpcLoaded } = result(run) as {
        threw: boolean; grpcLoaded: boolean; lost: Record<string, number>;
        atStart: Record<string, { lastError: string; exportFailures: number; consecutiveFailures: number }>;
        after: Record<string, { lastError: string; exportFailures: number }>;
      };
      expect(threw).toBe(false);
      expect(grpcLoaded).toBe(false);
      for (const signal of ['metrics', 'traces']) {
        expect(atStart[signal]).toMatchObject({ exportFailures: 1, consecutiveFailures: 1 });
        expect(atStart[signal].lastError).toBe(`${collector.url}: @opentelemetry/exporter-${signal === 'traces' ? 'trace' : signal}-otlp-grpc ` +
          `is not installed; install the gRPC exporters with: ${INSTALL}`);
        expect(after[signal].exportFailures).toBe(2);
      }
      expect(lost.span_export_failed).toBe(1);
      expect(collector.requestCount).toBe(0);
    } finally {
      await collector.stop();
    }
  });

  it('a process that never chooses gRPC never loads @grpc/grpc-js; one that does, loads it', async () => {
    const http = await new LocalCollector().start();
    const grpc = await new LocalGrpcCollector().start();
    try {
      const script = (protocol: string): string => `
        const t = require('otel-facade');
        t.initialize({ serviceName: 'lazy', protocol: '${protocol}', endpoint: process.env.COLLECTOR, logger: { warn: (m) => console.error(m), info() {} } });
        t.counter('lazy.total');
        t.forceFlush().then(() => t.shutdown()).then(() => console.log(JSON.stringify({ grpcLoaded: ${GRPC_LOADED} })));
      `;
      const overHttp = await runScript(script('http/protobuf'), { COLLECTOR: http.url });
      expect(overHttp.stderr).toBe('');
      expect(result(overHttp)).toEqual({ grpcLoaded: false });
      expect(http.latest('lazy.total')[0].value).toBe(1);
      const overGrpc = await runScript(script('grpc'), { COLLECTOR: grpc.url });
      expect(overGrpc.stderr).toBe('');
      expect(result(overGrpc)).toEqual({ grpcLoaded: true });
      expect(grpc.latest('lazy.total')[0].value).toBe(1);
    } finally {
      await http.stop();
      await grpc.stop();
    }
  });

  it.each([
    ['accepts calls and never answers', async () => {
      const collector = await new LocalGrpcCollector().start();
      collector.mode = { kind: 'hang' };
      return { url: collector.url, stop: () => collector.stop(), calls: () => collector.requestCount };
    }],
    ['refuses connections (retries wait between attempts)', async () => {
      const url = `http://127.0.0.1:${await deadPort()}`;
      return { url, stop: async () => undefined, calls: () => 0 };
    }],
  ])('a collector that %s: shutdown() releases the gRPC channel, and the process exits on its own', async (_name, start) => {
    const collector = await start();
    try {
      const run = await runScript(shortScript("protocol: 'grpc',"), { COLLECTOR: collector.url });
      expect(run.stdout).toContain('flushed');
      expect(leftAfterShutdown(run)).toEqual([]);
      expect(run).toMatchObject({ code: 0, signal: null });
      expect(run.stderr).toContain(`metrics export to ${collector.url} failed`);
    } finally {
      await collector.stop();
    }
  });
});
