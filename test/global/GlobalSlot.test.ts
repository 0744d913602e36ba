import { MAJOR_VERSION, VERSION } from '../../src/version';

/*
 * Each jest test file runs in a context of its own, so this file can place a slot on globalThis before any copy of
 * the package is loaded, as another copy of another version would have.
 */
const KEY = Symbol.for(`otel-facade.api.v${MAJOR_VERSION}`);
type Copy = typeof import('../../src/index');

function loadCopy(): Copy {
  let copy: Copy | undefined;
  jest.isolateModules(() => {
    copy = require('../../src/index') as Copy;
  });
  return copy as Copy;
}

describe('a copy of another, incompatible version owns the slot', () => {
  const calls: string[] = [];
  const otherRecorder = new Proxy({}, { get: (_t, method) => () => calls.push(String(method)) });
  const other = { version: '0.99.0', recorder: otherRecorder, runtime: { state: 'active' } };
  const warnings: string[] = [];
  let warn: jest.SpyInstance;

  beforeAll(() => {
    Object.defineProperty(globalThis, KEY, { value: other, writable: false, configurable: false });
    warn = jest.spyOn(console, 'warn').mockImplementation((line: string) => {
      warnings.push(line);
    });
  });
  afterAll(() => warn.mockRestore());

  it('keeps the other copy\'s slot untouched and gives this copy a recorder that stands aside, with one warning', async () => {
    const copy = loadCopy();
    expect(() => {
      copy.counter('a.total', 'k', 'v');
      copy.histogram('b.duration_ms', 3);
      copy.gauge('c.current', 1);
      copy.emit('d.total', 1);
      copy.recordLatency('e.latency', 3, 'k', 'v');
      copy.emitWithOptions('f.total', 1, { labels: { k: 'v' } });
      copy.counter(undefined as never);
    }).not.toThrow();
    expect(calls).toEqual([]);
    expect((globalThis as Record<symbol, unknown>)[KEY]).toBe(other);
    const said = warnings.filter((line) => line.includes('not compatible'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`this copy of otel-facade (${VERSION}) found otel-facade 0.99.0 already loaded`);
    expect(said[0]).toContain('npm dedupe');

    // initialize() does nothing (the other copy owns telemetry), throws nothing, and says nothing new.
    expect(() => copy.initialize({ serviceName: 'second-copy' })).not.toThrow();
    const health = copy.getHealth();
    expect(health).toMatchObject({ initialized: false, enabled: false });
    expect(health.droppedByReason.not_initialized).toBe(7);
    expect(copy.startSpan('x').isRecording()).toBe(false);
    await expect(copy.forceFlush()).resolves.toBeUndefined();
    await expect(copy.shutdown()).resolves.toBeUndefined();
    expect(warnings.filter((line) => line.includes('not compatible'))).toHaveLength(1);
  });

  it('a second copy of this version sees the same incompatible slot and stands aside too', () => {
    const copy = loadCopy();
    expect(() => copy.counter('again.total')).not.toThrow();
    expect(calls).toEqual([]);
  });
});
