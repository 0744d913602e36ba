import { PiiRedactor, REDACTED, luhn } from '../../src/protection/PiiRedactor';
import * as telemetry from '../../src/index';
import { startTestBed } from '../support/telemetry';

const PII: [string, string][] = [
  ['e-mail', 'jane.doe+test@example.co.uk'],
  ['e-mail in text', 'login failed for bob@corp.example.com'],
  ['card number', '4111 1111 1111 1111'],
  ['card number with dashes', '5500-0000-0000-0004'],
  ['bearer token', 'Bearer abcdef0123456789abcdef'],
  ['api key (stripe)', 'sk_live_51H8abcdefghijklmnop'],
  ['api key (aws)', 'AKIAIOSFODNN7EXAMPLE'],
  ['api key (github)', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
  ['key=value secret', 'api_key=9f8e7d6c5b4a'],
  ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ['ipv4', '192.168.10.254'],
  ['ipv6', '2001:db8:85a3::8a2e:370:7334'],
];
const CLEAN = ['GET', '/api/users', '200', 'eu-west-1', 'checkout', '1234567890123', '4111 1111 1111 1112', 'v1.2.3', '10.5ms'];

describe('PiiRedactor', () => {
  const redactor = new PiiRedactor([/\bcust-\d{6}\b/]);

  it.each(PII)('redacts %s', (_kind, value) => {
    expect(redactor.redact(value)).toBe(REDACTED);
  });

  it('leaves ordinary label values alone, including digit runs that fail the Luhn check', () => {
    for (const value of CLEAN) expect(redactor.redact(value)).toBe(value);
    expect(luhn('4111111111111111')).toBe(true);
    expect(luhn('4111111111111112')).toBe(false);
  });

  it('takes no UUID for a card: digits glued to a letter are part of a word, a card written out still is one', () => {
    // 1,000 UUIDs whose last group is all digits: before, a tenth of them (those whose `34` + last group passed the
    // Luhn check) were redacted, merging their series.
    const uuids = Array.from({ length: 1000 }, (_, i) => `f3b2c1d4-9e8a-4b7c-8a34-${String(i).padStart(12, '0')}`);
    expect(uuids.filter((id) => redactor.redact(id) === REDACTED)).toEqual([]);
    expect(redactor.redact('order a4111111111111111')).not.toBe(REDACTED); // glued before
    expect(redactor.redact('4111111111111111b')).not.toBe(REDACTED); // glued after
    for (const card of ['card 4111 1111 1111 1111', 'id:4111-1111-1111-1111.', '(4111111111111111)', 'x 4111111111111111']) {
      expect(redactor.redact(card)).toBe(REDACTED);
    }
  });

  it('applies custom patterns', () => {
    expect(redactor.redact('cust-123456')).toBe(REDACTED);
    expect(redactor.redact('cust-12')).toBe('cust-12');
  });
});

describe('PII redaction in recording', () => {
  it('replaces personal data before it reaches the series or the receiver; no raw value is exported', async () => {
    const bed = await startTestBed({ piiRedaction: true, piiPatterns: ['\\bcust-\\d{6}\\b'] });
    try {
      for (const [, value] of PII) telemetry.counter('pii.total', 'who', value, 'route', '/login');
      telemetry.counter('pii.total', 'who', 'cust-654321', 'route', '/login');
      telemetry.counter('pii.total', 'who', 'anonymous', 'route', '/login');
      for (let i = 0; i < 3; i++) telemetry.counter('pii.total', 'who', PII[0][1], 'route', '/login'); // cached path
      await telemetry.forceFlush();
      const points = bed.receiver.latest('pii.total');
      expect(points.map((p) => [p.attributes.who, p.value]).sort()).toEqual([['[REDACTED]', PII.length + 4], ['anonymous', 1]]);
      const wire = JSON.stringify(bed.receiver.metricRequests);
      for (const [, value] of PII) expect(wire).not.toContain(value);
      expect(wire).not.toContain('cust-654321');
      expect(telemetry.getHealth().sanitizedByReason.pii_redacted).toBe(PII.length + 4);
    } finally {
      await bed.stop();
    }
  });

  it('is on in the staging and production profiles, and an invalid pattern fails initialize()', async () => {
    expect(() => telemetry.initialize({ piiRedaction: true, piiPatterns: ['(unclosed'] })).toThrow(/piiPatterns\[0\]/);
    const bed = await startTestBed({ profile: 'production', rateLimit: { enabled: false, callsPerSecond: 1, burst: 1 } });
    try {
      telemetry.counter('prod.total', 'email', 'someone@example.org');
      await telemetry.forceFlush();
      expect(bed.receiver.latest('prod.total')[0].attributes).toEqual({ email: '[REDACTED]' });
    } finally {
      await bed.stop();
    }
  });
});
