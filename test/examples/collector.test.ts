import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as telemetry from '../../src/index';
import { startTestBed } from '../support/telemetry';
import { LocalCollector } from '../../examples/collector/local-collector';
const { seriesLines, formatValue } = require('../../examples/collector/summarize.js') as {
  seriesLines: (collector: LocalCollector) => string[];
  formatValue: (value: number | undefined, unit: string) => string;
};

describe('run-collector.js: what the local collector prints', () => {
  it('every series of every process, with its labels and last value, in its unit, seconds to four digits', async () => {
    const collector = await new LocalCollector().start();
    try {
      for (const service of ['checkout', 'inventory']) {
        const bed = await startTestBed({ serviceName: service, endpoint: collector.url });
        telemetry.counter('orders.total', 'status', 'ok');
        telemetry.counter('orders.total', 'status', 'ok');
        telemetry.counter('orders.total', 'status', 'failed');
        telemetry.histogram('http.server.request.duration', 0.004213, 'http.route', '/orders');
        await telemetry.forceFlush();
        await telemetry.shutdown({ timeoutMs: 1000 });
        await bed.receiver.stop();
      }
      const lines = seriesLines(collector);
      expect(lines).toContain('orders.total (sum): 4 series');
      expect(lines).toContain('http.server.request.duration (histogram, s): 2 series');
      expect(lines).toEqual(expect.arrayContaining([
        '  checkout {status="ok"} 2',
        '  checkout {status="failed"} 1',
        '  inventory {status="ok"} 2',
        '  inventory {status="failed"} 1',
      ]));
      expect(lines.find((line) => line.startsWith('  checkout {http.route="/orders"}'))).toMatch(/count=1 sum=0\.004213 s p50=0\.004213 s/);
      expect(formatValue(12.54321, 'ms')).toBe('12.54 ms');
      expect(formatValue(3, '{request}')).toBe('3');
    } finally {
      await collector.stop();
    }
  });

  it('--grpc: serves OTLP/gRPC and prints what arrives', async () => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'examples', 'collector', 'run-collector.js'), '--grpc'],
      { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    // Resolves once the collector has printed `text` (checked after each chunk it writes).
    const printed = (text: string): Promise<void> => new Promise((resolve) => {
      const check = (): void => {
        if (!stdout.includes(text)) return;
        child.stdout.off('data', check);
        resolve();
      };
      child.stdout.on('data', check);
      check();
    });
    try {
      await printed('Ctrl-C to stop');
      const url = (/local collector on (\S+) \(OTLP\/gRPC/.exec(stdout) as RegExpExecArray)[1];
      const bed = await startTestBed({ serviceName: 'grpc-demo', endpoint: url, protocol: 'grpc' });
      telemetry.counter('grpc.demo.total', 'status', 'ok');
      await telemetry.forceFlush();
      expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 1, exportFailures: 0 });
      await bed.stop();
      await printed('grpc-demo {status="ok"} 1');
    } finally {
      child.kill();
    }
  });
});
