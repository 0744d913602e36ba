import { ownString } from '../diagnostics/ownString';

/**
 * `value` cut to at most `maxBytes` bytes of UTF-8, on a character boundary, as a new flat string: a plain `slice`
 * would keep the whole original alive (V8's sliced strings point into their parent), so a 1 MB value truncated to
 * 256 bytes would still cost 1 MB. Returns `value` itself when it fits. Linear in `maxBytes`, not in `value.length`.
 */
export function truncateToBytes(value: string, maxBytes: number): string {
  // Every UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair: 4 bytes for 2 units).
  if (value.length * 3 <= maxBytes) return value;
  const head = value.length > maxBytes ? value.slice(0, maxBytes) : value;
  const bytes = Buffer.from(head, 'utf8');
  if (bytes.length <= maxBytes && head === value) return value;
  let cut = Math.min(maxBytes, bytes.length);
  // Back off continuation bytes (10xxxxxx) so a character is never split.
  while (cut > 0 && cut < bytes.length && (bytes[cut] & 0xc0) === 0x80) cut--;
  return bytes.toString('utf8', 0, cut);
}

/**
 * `value` cut to at most `maxChars` UTF-16 code units (the unit of OpenTelemetry's attribute length limits), never
 * splitting a surrogate pair, as a new flat string that does not keep the original alive. Returns `value` itself
 * when it fits.
 */
export function truncateToChars(value: string, maxChars: number): string {
  if (value.length <= maxChars) return value;
  let cut = maxChars;
  const last = value.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return ownString(value.slice(0, cut));
}
