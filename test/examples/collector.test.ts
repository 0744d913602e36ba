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
});
