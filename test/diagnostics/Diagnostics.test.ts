import { Diagnostics } from '../../src/diagnostics/Diagnostics';
import { CapturingLogger } from '../support/CapturingLogger';

describe('Diagnostics', () => {
  it('says each problem once and each kind at most once per interval, counting what it held back', () => {
    const logger = new CapturingLogger();
    let now = 0;
    const diagnostics = new Diagnostics(logger, 1000, () => now);
    for (let i = 0; i < 100; i++) diagnostics.warnOnce('invalid_value', 'invalid_value:a', 'a is bad');
    diagnostics.warnOnce('invalid_value', 'invalid_value:b', 'b is bad');
    diagnostics.warnOnce('invalid_name', 'invalid_name:x', 'x is bad');
    expect(logger.lines.map((l) => l.message)).toEqual(['otel-facade: a is bad', 'otel-facade: x is bad']);
    now = 1000;
    diagnostics.warnOnce('invalid_value', 'invalid_value:c', 'c is bad');
    expect(logger.lines[2].message).toBe('otel-facade: c is bad (1 similar report held back)');
  });

  it('survives a logger that throws', () => {
    const diagnostics = new Diagnostics({ warn: () => { throw new Error('broken'); }, info: () => undefined });
    expect(() => diagnostics.warnOnce('k', 'k', 'm')).not.toThrow();
  });

  it('forgets what it said on reset', () => {
    const logger = new CapturingLogger();
    const diagnostics = new Diagnostics(logger);
    diagnostics.warnOnce('k', 'k', 'm');
    diagnostics.reset();
    diagnostics.warnOnce('k', 'k', 'm');
    expect(logger.lines).toHaveLength(2);
  });
});
