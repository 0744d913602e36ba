import * as telemetry from '../../src/index';
import { pipeline } from '../../src/api/pipeline';
import { startTestBed, type TestBed } from '../support/telemetry';

/**
 * The public types accept what the runtime accepts and refuse what it drops. `npm test` type-checks this file, so a
 * `@ts-expect-error` that stops being an error fails the run.
 */
describe('types that match the runtime', () => {
  let bed: TestBed | undefined;
  afterEach(async () => {
    await bed?.stop();
    bed = undefined;
  });

  it('label values may be strings, numbers or booleans, exported with their type', async () => {
    bed = await startTestBed();
    telemetry.counter('http.responses', 'status', 200, 'cached', false);
    telemetry.histogram('http.duration_ms', 12, { status: 404, ok: true, route: '/a' });
    telemetry.recordError('jobs', 'timeout', 'attempt', 3);
    await telemetry.forceFlush();
    expect(bed.receiver.latest('http.responses').map((p) => p.attributes)).toEqual([{ status: 200, cached: false }]);
    expect(bed.receiver.latest('http.duration_ms').map((p) => p.attributes)).toEqual([{ status: 404, ok: true, route: '/a' }]);
    expect(bed.receiver.latest('jobs').map((p) => p.attributes)).toEqual([{ attempt: 3, error_type: 'timeout' }]);
    expect(telemetry.getHealth().droppedByReason).toEqual({});
  });

  it('refuses label values the runtime would drop', () => {
    // @ts-expect-error an object is not a label value
    const wrong = (): void => telemetry.counter('x', 'k', { nested: true });
    // @ts-expect-error null is not a label value
    const alsoWrong = (): void => telemetry.counter('x', { k: null });
    expect(typeof wrong).toBe('function');
    expect(typeof alsoWrong).toBe('function');
  });

  it('pipeline() takes its input type from the first step, or from <T>', async () => {
    const parsed = pipeline('parse', { tracer: telemetry.noopTracer })
      .step('trim', (raw: string) => raw.trim())
      .step('length', (text) => text.length);
    const length: number = await parsed.run('  abc ');
    expect(length).toBe(3);
    // @ts-expect-error the input is a string, from the first step
    expect(() => parsed.run(5)).toBeDefined();
    const typed = pipeline<number>('double', { tracer: telemetry.noopTracer }).step('double', (n) => n * 2);
    expect(await typed.run(21)).toBe(42);
    // @ts-expect-error a typed pipeline's first step takes its type
    pipeline<number>('wrong', { tracer: telemetry.noopTracer }).step('s', (s: string) => s);
  });
});
