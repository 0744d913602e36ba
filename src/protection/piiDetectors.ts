/*
 * What looks like personal data or a secret. Every detector runs in time linear in the length of its input: the
 * regular expressions are anchored by a delimiter or a fixed prefix that cannot recur inside the run they scan, have
 * no nested or overlapping quantifiers, and stop at their first success; the e-mail and card detectors are plain
 * scans. Inputs are normalised first (see `normalizeForMatching`), so full-width and zero-width tricks do not hide a
 * match.
 */

/** One kind of personal data. */
export interface PiiDetector {
  /** For tests and documentation. */
  readonly name: string;
  /** An IP address: infrastructure attributes (`server.address`) may be exempt from these. */
  readonly network: boolean;
  /** Whether the (normalised) value contains this kind of data. */
  test(value: string): boolean;
}

const regex = (name: string, pattern: RegExp, network = false): PiiDetector => ({
  name,
  network,
  test: (value) => {
    pattern.lastIndex = 0;
    return pattern.test(value);
  },
});

/** Word-ish characters of an e-mail's local part: ASCII letters, digits, `._%+-`, and any non-ASCII letter. */
function isLocalChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
    c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || (c >= 0x80 && !isSpace(c));
}

/** Characters of a domain label: ASCII letters, digits, `-`, and any non-ASCII letter (internationalised names). */
function isDomainChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || (c >= 0x80 && !isSpace(c));
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0x80 && !isSpace(c));
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f;
}

/**
 * An e-mail address: for each `@`, up to 64 local-part characters before it and a domain of at least two labels
 * after it (at most 253 characters, the last label two or more letters). Each `@` costs a bounded scan.
 */
export function hasEmail(value: string): boolean {
  for (let at = value.indexOf('@'); at !== -1; at = value.indexOf('@', at + 1)) {
    let local = 0;
    for (let i = at - 1; i >= 0 && local < 64 && isLocalChar(value.charCodeAt(i)); i--) local++;
    if (local === 0) continue;
    let labels = 0;
    let labelLength = 0;
    let labelLetters = true;
    // The last complete label, for a domain that ends in a dot (`jane@example.com.`, end of a sentence).
    let previousLength = 0;
    let previousLetters = false;
    for (let j = at + 1, scanned = 0; j < value.length && scanned < 253; j++, scanned++) {
      const c = value.charCodeAt(j);
      if (isDomainChar(c)) {
        labelLength++;
        if (!isLetter(c)) labelLetters = false;
      } else if (c === 46 && labelLength > 0) {
        labels++;
        previousLength = labelLength;
        previousLetters = labelLetters;
        labelLength = 0;
        labelLetters = true;
      } else {
        break;
      }
    }
    if (labelLength > 0 ? labels >= 1 && labelLength >= 2 && labelLetters : labels >= 2 && previousLength >= 2 && previousLetters) return true;
  }
  return false;
}

/**
 * Separators people write inside card numbers: spaces, dashes, dots, slashes, underscores, the minus sign. Every
 * other Unicode dash is a `-` by the time a value is matched (see `normalizeForMatching`).
 */
function isCardSeparator(c: number): boolean {
  return c === 0x20 || c === 45 || c === 46 || c === 47 || c === 95 || c === 0x2212;
}

/**
 * A payment card number: 13 to 19 digits, in groups separated by up to two separator characters, that pass the
 * Luhn check. Every run of consecutive groups holding 13-19 digits is checked, so a number preceded by another
 * group (`9 4111 1111 1111 1111`) is found too. Digits glued to a letter are part of a word, not a card number
 * written out: a window never starts at a group right after a letter, nor ends at one right before a letter, so the
 * tail of a UUID (`…-8a34-000000000026`: `34` follows `a`) is not taken for a card. One pass over the value; for
 * each group end, the Luhn sum is built leftwards over at most 19 digits, checked at every group start it meets.
 */
export function hasCardNumber(value: string): boolean {
  /** Digit values of the current run, and where each of its groups starts (indices into `digits`). */
  const digits: number[] = [];
  const starts: number[] = [];
  /** Whether each group of `starts` follows a letter directly. */
  const glued: boolean[] = [];
  let separators = 0;
  const windowEndingHere = (): boolean => {
    // Luhn from the right end of the run: the last digit is not doubled, the one before is, and so on.
    let sum = 0;
    let startIndex = starts.length - 1;
    for (let i = digits.length - 1, length = 1; i >= 0 && length <= 19; i--, length++) {
      let d = digits[i];
      if (length % 2 === 0) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      while (startIndex >= 0 && starts[startIndex] > i) startIndex--;
      if (length >= 13 && startIndex >= 0 && starts[startIndex] === i && !glued[startIndex] && sum % 10 === 0) return true;
    }
    return false;
  };
  let inGroup = false;
  for (let i = 0; i <= value.length; i++) {
    const c = i < value.length ? value.charCodeAt(i) : -1;
    if (c >= 48 && c <= 57) {
      if (!inGroup) {
        starts.push(digits.length);
        glued.push(i > 0 && isAsciiLetter(value.charCodeAt(i - 1)));
      }
      inGroup = true;
      digits.push(c - 48);
      separators = 0;
      continue;
    }
    if (inGroup && !isAsciiLetter(c) && windowEndingHere()) return true;
    inGroup = false;
    if (c !== -1 && isCardSeparator(c) && digits.length > 0 && separators < 2) {
      separators++;
      continue;
    }
    digits.length = 0;
    starts.length = 0;
    glued.length = 0;
    separators = 0;
  }
  return false;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
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

/**
 * An IPv4 address, leading zeros allowed, each part at most 255; not inside a longer dotted number or a word, but
 * found before a full stop that ends a sentence.
 */
export function hasIpv4(value: string): boolean {
  const pattern = /(?:^|[^0-9A-Za-z.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![0-9]|\.[0-9])/g;
  for (let match = pattern.exec(value); match !== null; match = pattern.exec(value)) {
    if (Number(match[1]) <= 255 && Number(match[2]) <= 255 && Number(match[3]) <= 255 && Number(match[4]) <= 255) return true;
    pattern.lastIndex = match.index + 1;
  }
  return false;
}

/** The built-in detectors, cheapest and most common first. */
export const PII_DETECTORS: readonly PiiDetector[] = [
  { name: 'email', network: false, test: hasEmail },
  regex('bearer', /(?:^|[^a-z0-9])(?:bearer|basic)\s{1,8}[a-z0-9\-._~+/]{8,}/i),
  // A secret's name anywhere (`client_secret`, `dbPassword`, `password1`), up to three `_`- or `-`-separated name
  // parts after it (`aws_secret_access_key`, `password_confirmation`), then `=` or `:` and a value. The name is a
  // literal and its parts end at a separator, so each start costs a bounded look.
  regex('key-value secret',
    /(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|private[_-]?key)[0-9]{0,3}(?:[_-][a-z0-9]{1,16}){0,3}["']?\s{0,4}[=:]\s{0,4}["']?[^\s"'&;,]/i),
  regex('jwt', /(?:^|[^a-z0-9_-])eyJ[a-z0-9_-]{5,}\.[a-z0-9_-]{5,}\.[a-z0-9_-]*/i),
  regex('aws key', /(?:^|[^A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])/),
  regex('github token', /(?:^|[^a-z0-9_])(?:gh[pousr]_[a-z0-9]{30,}|github_pat_[a-z0-9_]{22,})/i),
  regex('slack token', /(?:^|[^a-z0-9])xox[abposr]-[a-z0-9-]{10,}/i),
  regex('slack webhook', /hooks\.slack\.com\/services\/[a-z0-9]/i),
  regex('stripe key', /(?:^|[^a-z0-9_])(?:sk|pk|rk)_(?:live|test)_[a-z0-9]{10,}/i),
  regex('google api key', /(?:^|[^a-z0-9_-])AIza[0-9a-z_-]{30,}/i),
  regex('private key', /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----/),
  // Credentials in a URL (`http://user:password@host`, `redis://:password@cache`, scheme-relative `//u:p@h`), whatever
  // the host: `localhost` or a service name too. Each `//` starts a scan of at most 512 characters.
  regex('url credentials', /\/\/[^/\s:]{0,256}:[^/\s@]{1,256}@/),
  { name: 'card number', network: false, test: hasCardNumber },
  { name: 'ipv4', network: true, test: hasIpv4 },
  regex('ipv6', /(?:^|[^A-Za-z0-9:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}(?:$|[^A-Za-z0-9:])|::(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}/, true),
];

/** Printable ASCII only: nothing to normalise. */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;
/**
 * Characters that show nothing: format characters (zero-width space and joiners, soft hyphen, bidi controls) and the
 * rest of Unicode's default-ignorable code points (the combining grapheme joiner, variation selectors, Hangul fillers).
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * The form values are matched in: NFKC (full-width `＠` becomes `@`, a no-break space a space) without invisible
 * characters, ideographic full stops read as `.` and every Unicode dash as `-`, then percent-encoded ASCII decoded (`%40` is `@`, and a full-width
 * `％40` too), so `jane\u200b@example。com` and `to=jane%40example.com` are e-mails. Plain ASCII without `%` is
 * returned as it is.
 */
export function normalizeForMatching(value: string): string {
  // NFKC first, so that a full-width `％40` is a `%40` by the time percent-encoding is decoded.
  const plain = PLAIN_ASCII.test(value)
    ? value
    : value.normalize('NFKC').replace(INVISIBLE, '').replace(FULL_STOPS, '.').replace(DASHES, '-');
  return plain.includes('%') ? plain.replace(PERCENT_ASCII, decodePercent) : plain;
}

/** A percent-encoded ASCII character (`%40` is `@`, `%3D` is `=`), as in URLs and form bodies. */
const PERCENT_ASCII = /%([0-7][0-9A-Fa-f])/g;
const decodePercent = (_match: string, hex: string): string => String.fromCharCode(parseInt(hex, 16));
/** Full stops NFKC leaves as they are: ideographic (。) and halfwidth ideographic (｡, which NFKC turns into 。). */
const FULL_STOPS = /[\u3002\uff61]/g;
/** Every Unicode dash (general category Pd), astral ones too, read as `-`. */
const DASHES = /\p{Pd}/gu;
