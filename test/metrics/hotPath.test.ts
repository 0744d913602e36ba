import { getHeapSpaceStatistics } from 'node:v8';
import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';

const newSpaceUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? 0;

describe('the hot path', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTestBed();
  });
  afterAll(() => bed.stop());

  it('allocates nothing per call on an existing series (label strings vary, content equal)', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('run jest with node --expose-gc (npm test does)');
    const copies = (text: string) => Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? `${text} `.slice(0, -1) : [...text].join('')));
    const method = copies('GET');
    const route = copies('/current');
    const loop = (n: number) => {
      for (let i = 0; i < n; i++) {
        const p = i & 15;
        telemetry.counter('hot.requests.total', 'method', method[p], 'route', route[p]);
        telemetry.histogram('hot.duration_ms', i & 1023, 'method', method[p], 'route', route[p]);
        telemetry.gauge('hot.active', i, 'route', route[p]);
      }
    };
    loop(200_000); // create the series, warm up and optimize
    // On a loaded machine the optimizing compiler may finish late, and unoptimized code allocates; a real per-call
    // allocation shows in every attempt, so the best of a few attempts is what is checked.
    const growth: number[] = [];
    for (let attempt = 0; attempt < 5 && (growth.length === 0 || Math.min(...growth) >= 256 * 1024); attempt++) {
      gc();
      const before = newSpaceUsed();
      loop(300_000); // 900,000 calls: even 8 bytes a call would be 7 MB
      growth.push(newSpaceUsed() - before);
    }
    expect(Math.min(...growth)).toBeLessThan(256 * 1024);
    expect(telemetry.getHealth().metricsEmitted).toBe(200_000 * 3 + growth.length * 900_000);
  });
});
