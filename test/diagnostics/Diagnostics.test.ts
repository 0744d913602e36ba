import { Diagnostics } from '../../src/diagnostics/Diagnostics';
import { CapturingLogger } from '../support/CapturingLogger';

describe('Diagnostics', () => {
  it('says every distinct warning once, however many share a cause', () => {
    const logger = new CapturingLogger();
    const diagnostics = new Diagnostics(logger, { lines: 50, windowMs: 10_000 }, () => 0);
    for (let i = 0; i < 100; i++) diagnostics.warnOnce('config:a', 'no scheme');
    diagnostics.warnOnce('config:b', 'port 4317');
    diagnostics.warnOnce('config:c', 'no service name');
    expect(logger.lines.map((l) => l.message)).toEqual([
      'otel-facade: no scheme',
      'otel-facade: port 4317',
      'otel-facade: no service name',
    ]);
  });

  it('holds back a flood of distinct warnings, says them when the window has room, and counts what it held', () => {
    const logger = new CapturingLogger();
    let now = 0;
    const diagnostics = new Diagnostics(logger, { lines: 3, windowMs: 1000 }, () => now);
    const said = Array.from({ length: 5 }, (_, i) => diagnostics.warnOnce(`bad:${i}`, `name ${i} is bad`));
    expect(said).toEqual([true, true, true, false, false]);
    expect(logger.lines).toHaveLength(3);
    now = 1000;
    // A held-back problem was not marked as said: when it happens again, it is said.
    expect(diagnostics.warnOnce('bad:3', 'name 3 is bad')).toBe(true);
    expect(logger.lines[3].message).toBe('otel-facade: name 3 is bad (2 other warnings were held back by the flood guard)');
  });

  it('remembers a bounded number of keys and keeps only their first 512 characters', () => {
    const logger = new CapturingLogger();
    const diagnostics = new Diagnostics(logger, { lines: 1_000_000, windowMs: 1 }, () => 0);
    const long = 'k'.repeat(100_000);
    diagnostics.warnOnce(long, 'long key');
    diagnostics.warnOnce(`${long}different tail`, 'long key again');
    expect(logger.lines).toHaveLength(1);
    for (let i = 0; i < 5000; i++) diagnostics.warnOnce(`key:${i}`, `m${i}`);
    // The oldest keys were forgotten first: key:0 may be said again, key:4999 not.
    expect(diagnostics.warnOnce('key:4999', 'again')).toBe(true);
    const before = logger.lines.length;
    diagnostics.warnOnce('key:0', 'said again');
    expect(logger.lines.length).toBe(before + 1);
  });

  it('survives a logger that throws', () => {
    const diagnostics = new Diagnostics({ warn: () => { throw new Error('broken'); }, info: () => undefined });
    expect(() => diagnostics.warnOnce('k', 'm')).not.toThrow();
    expect(() => diagnostics.warn('m')).not.toThrow();
  });

  it('forgets what it said on reset', () => {
    const logger = new CapturingLogger();
    const diagnostics = new Diagnostics(logger);
    diagnostics.warnOnce('k', 'm');
    diagnostics.reset();
    diagnostics.warnOnce('k', 'm');
    expect(logger.lines).toHaveLength(2);
  });
});
