import { compilePiiPatterns } from '../../src/config/piiPatterns';
import { TelemetryConfigError } from '../../src/config/TelemetryConfigError';
import { PiiRedactor, REDACTED } from '../../src/protection/PiiRedactor';

/** Shapes that take exponential or polynomial time in a backtracking engine: the hostile input, and one that matches. */
const CATASTROPHIC: [string, string, string][] = [
  ['^(\\w|\\d)+$', `${'1'.repeat(5000)}!`, '1'.repeat(5000)], // overlapping alternation under a quantifier (exponential)
  ['(a|a)*b', 'a'.repeat(5000), `${'a'.repeat(5000)}b`], // the same alternative twice (exponential)
  ['\\d*\\d*\\d*\\d*x', '1'.repeat(5000), `${'1'.repeat(5000)}x`], // adjacent quantifiers (polynomial)
  ['(a+)+$', `${'a'.repeat(5000)}!`, 'a'.repeat(5000)], // nested quantifiers (exponential)
];

describe('custom piiPatterns', () => {
  it.each(CATASTROPHIC)('%s is matched in linear time: a 5,000-character hostile value is checked like any other', (pattern, hostile, matching) => {
    const [compiled] = compilePiiPatterns([pattern]);
    // A backtracking engine would take 2^5000 or 5000^4 steps on the hostile value and never finish; finishing at
    // all is the test (no wall-clock limit). The pattern still means what it says.
    expect(compiled.test(hostile)).toBe(false);
    expect(compiled.test(matching)).toBe(true);
  });

  it('keeps the meaning of RegExp flags i, m and s', () => {
    const [insensitive, multiline, dotAll] = compilePiiPatterns([/cust-\d{4}/i, /^secret$/m, /a.b/s]);
    expect(insensitive.test('CUST-1234')).toBe(true);
    expect(multiline.test('x\nsecret\ny')).toBe(true);
    expect(dotAll.test('a\nb')).toBe(true);
    expect(compilePiiPatterns([/a.b/])[0].test('a\nb')).toBe(false);
  });

  it.each([
    ['(a)\\1', /piiPatterns\[0\].*no backreferences/],
    ['(?=a)b', /piiPatterns\[0\].*no lookaround/],
    ['(unclosed', /piiPatterns\[0\].*missing closing \)/],
  ])('refuses %p with a TelemetryConfigError naming its index and why', (pattern, message) => {
    expect(() => compilePiiPatterns([pattern])).toThrow(TelemetryConfigError);
    expect(() => compilePiiPatterns([pattern])).toThrow(message);
  });

  it('refuses what is not a pattern', () => {
    expect(() => compilePiiPatterns('cust-\\d+')).toThrow(/piiPatterns/);
    expect(() => compilePiiPatterns(['ok', ''])).toThrow(/piiPatterns\[1\]/);
    expect(() => compilePiiPatterns([42])).toThrow(/piiPatterns\[0\]/);
  });

  it('redacts through the redactor, on the normalised value', () => {
    const redactor = new PiiRedactor(compilePiiPatterns(['\\bcust-\\d{6}\\b']));
    expect(redactor.redact('order for cust-123456')).toBe(REDACTED);
    expect(redactor.redact('order for ｃｕｓｔ-１２３４５６')).toBe(REDACTED); // full-width, NFKC-normalised first
    expect(redactor.redact('order 7')).toBe('order 7');
  });
});
