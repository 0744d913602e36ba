import type { PiiPattern } from '../config/piiPatterns';
import { normalizeForMatching, PII_DETECTORS } from './piiDetectors';
import { truncateToChars } from './truncate';
import { ownKey } from '../diagnostics/ownString';

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Attribute and label keys that name infrastructure, whose values are exempt from IP-address redaction by default,
 * so that calls made by IP do not all collapse into one `[REDACTED]` series. `client.address` is not among them:
 * a client's address is personal data.
 */
export const DEFAULT_IP_EXEMPT_KEYS: readonly string[] = [
  'server.address', 'network.peer.address', 'network.local.address', 'destination.address', 'net.peer.name', 'net.host.name',
  'url.full',
];

/**
 * How much of what follows a cut value is looked at when judging it: enough for the rest of an e-mail domain or of a
 * card number cut in the middle, so that a cut does not leave most of it behind, unrecognisable.
 */
const CUT_LOOKAHEAD = 256;

/** Most verdicts remembered, and most characters of remembered values; the cache starts over past either. */
const MAX_VERDICTS = 10_000;
const MAX_CACHED_CHARS = 1_000_000;

/**
 * Replaces values that look like personal data or secrets with `[REDACTED]`: e-mail addresses, payment card numbers,
 * bearer and basic credentials, `key=value` secrets, JWTs, AWS, GitHub, Slack, Stripe and Google keys, Slack webhooks,
 * PEM private keys, IPv4 and IPv6 addresses, and matches of the custom patterns. The whole value is replaced, not
 * only the match, so nothing of it leaks. Values are matched after NFKC normalisation without invisible characters.
 *
 * Callers pass values already truncated to their limit, so every detector (linear in its input) and every custom
 * pattern runs on a bounded string. Verdicts are cached by value within a character budget.
 */
export class PiiRedactor {
  private readonly verdicts = new Map<string, boolean>();
  private readonly networkExemptVerdicts = new Map<string, boolean>();
  private cachedChars = 0;
  private readonly exemptKeys: ReadonlySet<string>;

  constructor(
    private readonly custom: readonly PiiPattern[] = [],
    /** Keys whose values are not checked for IP addresses. */
    ipExemptKeys: readonly string[] = DEFAULT_IP_EXEMPT_KEYS,
  ) {
    this.exemptKeys = new Set(ipExemptKeys);
  }

  /** The value to record: the value itself, or `[REDACTED]`. `key` (the label or attribute key) may exempt it from IP checks. */
  redact(value: string, key?: string): string {
    const network = key === undefined || !this.exemptKeys.has(key);
    const verdicts = network ? this.verdicts : this.networkExemptVerdicts;
    let redact = verdicts.get(value);
    if (redact === undefined) {
      redact = this.looksPersonal(value, network);
      if (verdicts.size >= MAX_VERDICTS || this.cachedChars + value.length > MAX_CACHED_CHARS) {
        this.verdicts.clear();
        this.networkExemptVerdicts.clear();
        this.cachedChars = 0;
      }
      // An owned copy as the key: `value` may be a slice of a much larger string (a request body), which a cached
      // verdict must not keep alive.
      verdicts.set(ownKey(value), redact);
      this.cachedChars += value.length;
    }
    return redact ? REDACTED : value;
  }

  /**
   * The value to record for `cut`, the start of `original` kept by a length limit: `cut` itself, or `[REDACTED]` when
   * the cut, with up to 256 characters of what followed it, looks personal. The judged window is a copy, so the
   * verdict cache never holds on to `original`.
   */
  redactTruncated(cut: string, original: string, key?: string): string {
    if (cut.length === original.length) return this.redact(cut, key);
    return this.redact(truncateToChars(original, cut.length + CUT_LOOKAHEAD), key) === REDACTED ? REDACTED : cut;
  }

  /** Whether a value matches any built-in detector (IP detectors only with `network`) or custom pattern. */
  looksPersonal(value: string, network = true): boolean {
    if (value.length < 6 || value === REDACTED) return false;
    const normalized = normalizeForMatching(value);
    for (const detector of PII_DETECTORS) {
      if ((network || !detector.network) && detector.test(normalized)) return true;
    }
    for (const pattern of this.custom) {
      if (pattern.test(normalized)) return true;
    }
    return false;
  }
}

export { luhn } from './piiDetectors';
