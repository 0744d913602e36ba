import { PiiRedactor, REDACTED } from '../../src/protection/PiiRedactor';
import { hasCardNumber, hasEmail, normalizeForMatching } from '../../src/protection/piiDetectors';
import { truncateToBytes, truncateToChars } from '../../src/protection/truncate';

/** Each leaked with redaction on in version 0.1. */
const LEAKED_BEFORE: [string, string][] = [
  ['a full-width e-mail', 'jane＠example．com'],
  ['an e-mail with a zero-width space', 'jane\u200b@exam\u200cple.com'],
  ['an e-mail with a soft hyphen and a BOM', 'ja\u00adne@\ufeffexample.com'],
  ['an internationalised e-mail', 'jörg@exämple.de'],
  ['a card after another group', 'order 9 4111 1111 1111 1111'],
  ['a card with no-break spaces', '4111\u00a01111\u00a01111\u00a01111'],
  ['a card with en dashes', '5500–0000–0000–0004'],
  ['a card with dots', '4111.1111.1111.1111'],
  ['client_secret=', 'client_secret=8f14e45fceea167a5a36'],
  ['access_token=', 'https://api.example.com/cb?access_token=ya29.A0ARrdaM-xyz&state=1'],
  ['x-api-key:', 'x-api-key: 0123456789abcdef'],
  ['an ASIA key', 'ASIAQWERTYUIOPASDFGH'],
  ['a fine-grained GitHub token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz'],
  ['a Slack token', 'xoxb-1234567890-abcdefghij'],
  ['a Slack webhook', 'https://hooks.slack.com/services/T000/B000/XXXXXXXX'],
  ['a PEM private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA'],
  ['an IPv4 with leading zeros', 'from 010.000.000.001'],
];

/** Leaked in 0.2.0 (the attacker trial): sentence punctuation, ideographic full stops, percent-encoding, name variants. */
const LEAKED_IN_0_2: [string, string][] = [
  ['an e-mail ending a sentence', 'contact jane.doe@example.com.'],
  ['an IPv4 ending a sentence', 'blocked request from 203.0.113.7.'],
  ['an e-mail with an ideographic full stop', 'jane.doe@example。com'],
  ['an e-mail with a halfwidth ideographic full stop', 'jane.doe@example｡com'],
  ['a percent-encoded secret', '/login%3Fpassword%3Dhunter2hunter2'],
  ['a percent-encoded e-mail', 'to=jane.doe%40example.com'],
  ['aws_secret_access_key=', 'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG'],
  ['secret_key=', 'secret_key=abc123'],
  ['dbPassword=', 'dbPassword=hunter2'],
  ['userPassword:', 'userPassword: hunter2'],
  ['a JSON password', '{"password": "hunter2"}'],
];

/** Leaked in the third trial: other dashes and invisible characters, more name parts, URL credentials, full-width %. */
const LEAKED_IN_TRIAL_3: [string, string][] = [
  ['a card with two-em dashes', '4111⸺1111⸺1111⸺1111'],
  ['a card with wave dashes', '4111〜1111〜1111〜1111'],
  ['a card with Armenian hyphens', '4111֊1111֊1111֊1111'],
  ['a card with variation selectors', '4111\ufe0f 1111 1111 1111'],
  ['a password with a combining grapheme joiner', 'pass\u034fword=hunter2'],
  ['a password with a variation selector', 'pass\ufe0fword=hunter2'],
  ['an AWS key with a variation selector', 'AKIA\ufe0fIOSFODNN7EXAMPLE'],
  ['password_confirmation=', 'password_confirmation=hunter2'],
  ['token_value=', 'token_value=abc'],
  ['password1=', 'password1=hunter2'],
  ['credentials in a URL to localhost', 'fetch failed: http://admin:hunter2-SECRET@localhost:1/x'],
  ['credentials in a URL to a service name', 'postgres://app:s3cret@db:5432/app'],
  ['a full-width percent-encoded e-mail', 'to=jane％40example.com'],
];

/** Leaked in the fourth trial. */
const LEAKED_IN_TRIAL_4: [string, string][] = [
  ['a Redis URL with an empty user name', 'redis://:s3cr3tpw@cache:6379'],
  ['an AMQP URL with an empty user name', 'amqp://:s3cr3tpw@rabbit:5672/'],
  ['a user name with a percent-encoded @', 'https://a%40b:s3cr3tpw@h/'],
  ['a scheme-relative URL with credentials', '//u:pw1234@host/x'],
  ['a card with an astral dash (U+10EAD)', '4111\u{10EAD}1111\u{10EAD}1111\u{10EAD}1111'],
];

/** Short secret values leaked in 0.2.0, whose key=value detector wanted four characters or more. */
const SHORT_SECRETS = ['/cb?access_token=xyz', '?access_token=xyz', 'access_token=xyz', 'token: abc', 'apikey=abc', 'password=pw',
  'client_secret=abc', 'pwd=12'];

const STILL_CLEAN = ['GET', '/api/users/:id', 'v1.2.3.4', 'eu-west-1', '2026-11-22T20:34:12Z', '+1 415 555 0100', 'user@localhost',
  'order-1234567890123-x', 'token expired', 'secret', 'password reset', 'tokens=512', 'secretary=jane', 'cpu at 100%', 'a%zz',
  'release 1.2.3.4.5', 'https://example.com/docs', 'tokens_per_second', 'http://localhost:8080/health', 'ratio 3:4@home'];

describe('redaction that holds', () => {
  const redactor = new PiiRedactor();

  it.each(LEAKED_BEFORE)('redacts %s', (_what, value) => {
    expect(redactor.redact(value)).toBe(REDACTED);
  });

  it.each(LEAKED_IN_0_2)('redacts %s', (_what, value) => {
    expect(redactor.redact(value)).toBe(REDACTED);
  });

  it.each(LEAKED_IN_TRIAL_3)('redacts %s', (_what, value) => {
    expect(redactor.redact(value)).toBe(REDACTED);
  });

  it.each(LEAKED_IN_TRIAL_4)('redacts %s', (_what, value) => {
    expect(redactor.redact(value)).toBe(REDACTED);
  });

  it.each(SHORT_SECRETS)('redacts a key=value secret of any length: %p', (value) => {
    expect(redactor.redact(value)).toBe(REDACTED);
  });

  it.each(STILL_CLEAN)('leaves %p alone', (value) => {
    expect(redactor.redact(value)).toBe(value);
  });

  it('exempts infrastructure keys from IP redaction only, by default and as configured', () => {
    expect(redactor.redact('10.1.2.3', 'server.address')).toBe('10.1.2.3');
    expect(redactor.redact('10.1.2.3', 'network.peer.address')).toBe('10.1.2.3');
    expect(redactor.redact('10.1.2.3', 'client.address')).toBe(REDACTED);
    expect(redactor.redact('jane@example.com', 'server.address')).toBe(REDACTED);
    const custom = new PiiRedactor([], ['gateway.ip']);
    expect(custom.redact('10.1.2.3', 'gateway.ip')).toBe('10.1.2.3');
    expect(custom.redact('10.1.2.3', 'server.address')).toBe(REDACTED);
  });

  it('normalises before matching: NFKC, without invisible characters', () => {
    expect(normalizeForMatching('ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('jane@example.com');
    expect(normalizeForMatching('a\u200bb\u2060c\u00add')).toBe('abcd');
    expect(normalizeForMatching('plain ascii')).toBe('plain ascii');
  });

  it('finds e-mails and cards with bounded work per candidate', () => {
    expect(hasEmail(`${'a'.repeat(100)}@example.com`)).toBe(true); // the local part is read back 64 characters at most
    expect(hasEmail('@@@@@@a@b.cd')).toBe(true);
    expect(hasCardNumber('4111 1111 1111 1112')).toBe(false); // fails Luhn
    expect(hasCardNumber('1'.repeat(5000))).toBe(false); // one long group is no card
  });
});

describe('bounded strings', () => {
  it('cuts to bytes on a character boundary, into a new string', () => {
    expect(truncateToBytes('héllo wörld', 4)).toBe('hél'.slice(0, 3));
    expect(Buffer.byteLength(truncateToBytes('€'.repeat(100), 10))).toBeLessThanOrEqual(10);
    expect(truncateToBytes('€'.repeat(100), 10)).toBe('€€€');
    expect(truncateToBytes('short', 100)).toBe('short');
    expect(truncateToBytes(`${'a'.repeat(9)}😀`, 11)).toBe('a'.repeat(9)); // a 4-byte character is never split
  });

  it('cuts to characters without splitting a surrogate pair', () => {
    expect(truncateToChars('ab😀cd', 3)).toBe('ab');
    expect(truncateToChars('abcdef', 4)).toBe('abcd');
    expect(truncateToChars('ab', 4)).toBe('ab');
  });
});
