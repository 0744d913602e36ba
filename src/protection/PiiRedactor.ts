/** What a redacted label value is replaced with. */
export const REDACTED = '[REDACTED]';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/;
const BEARER = /\b(?:bearer|basic|token)\s+[A-Za-z0-9\-._~+/]{8,}=*/i;
const API_KEY = new RegExp(
  [
    '\\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}', // Stripe-style
    '\\bAKIA[0-9A-Z]{16}\\b', // AWS access key id
    '\\bgh[pousr]_[A-Za-z0-9]{30,}', // GitHub tokens
    '\\bxox[abposr]-[A-Za-z0-9-]{10,}', // Slack tokens
    '\\bAIza[0-9A-Za-z_-]{30,}', // Google API keys
    '\\b(?:api[_-]?key|apikey|secret|token|password|passwd)\\s*[=:]\\s*\\S{6,}', // key=value secrets
  ].join('|'),
  'i',
);
const IPV4 = /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/;
const IPV6 = /(?:^|[^A-Za-z0-9:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}(?:$|[^A-Za-z0-9:])|::(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}/;
const CARD_CANDIDATE = /(?:\d[ -]?){13,19}/g;
/** Most verdicts remembered; the cache starts over past it. */
const MAX_VERDICTS = 10_000;

/**
 * Replaces label values that look like personal data or secrets with `[REDACTED]`. The whole value is replaced,
 * not only the match, so nothing of it leaks. Verdicts are cached per value (bounded), so a repeated value costs a
 * Map lookup; and because recording caches the path of each label combination, a repeated call does not even get
 * here.
 */
export class PiiRedactor {
  private readonly verdicts = new Map<string, boolean>();

  constructor(private readonly custom: readonly RegExp[] = []) {}

  /** The value to record: the value itself, or `[REDACTED]`. */
  redact(value: string): string {
    let redact = this.verdicts.get(value);
    if (redact === undefined) {
      redact = this.looksPersonal(value);
      if (this.verdicts.size >= MAX_VERDICTS) this.verdicts.clear();
      this.verdicts.set(value, redact);
    }
    return redact ? REDACTED : value;
  }

  /** Whether a value matches any built-in or custom pattern. */
  looksPersonal(value: string): boolean {
    if (value.length < 6 || value === REDACTED) return false;
    if (EMAIL.test(value) || JWT.test(value) || BEARER.test(value) || API_KEY.test(value)) return true;
    if (IPV4.test(value) || IPV6.test(value)) return true;
    if (hasCardNumber(value)) return true;
    for (const pattern of this.custom) {
      pattern.lastIndex = 0;
      if (pattern.test(value)) return true;
    }
    return false;
  }
}

function hasCardNumber(value: string): boolean {
  const candidates = value.match(CARD_CANDIDATE);
  if (candidates === null) return false;
  for (const candidate of candidates) {
    const digits = candidate.replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhn(digits)) return true;
  }
  return false;
}

/** The Luhn checksum every payment card number satisfies. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
