/**
 * C0 and C1 controls, DEL, the Unicode line separators, and the invisible format characters (bidirectional
 * overrides such as U+202E, zero-width ones, the byte-order mark): what could start a new line, an escape, or
 * visually reorder a log line.
 */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

const escapeControl = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * `text` with every control character written as `\uXXXX`, so that user input quoted in a message or an error
 * (a newline in a service name, an ANSI escape in a field name) cannot forge log lines.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, escapeControl);
}

/** The message of something thrown, read defensively (a throwing getter, a proxy) and cut to 200 characters. */
export function thrownMessage(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? String(error.message) : String(error);
  } catch {
    text = 'an unreadable error';
  }
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/**
 * Text from the environment or the config as a message may quote it, with what could be a secret masked: the
 * value of a `key=value`, the token after `Bearer` or `Basic`, credentials before an `@` after `//`. Each pattern
 * is linear (one character class, then a literal). For values quoted because they were wrong: a mis-pasted Helm
 * value may well be a header line.
 */
export function maskSecrets(text: string): string {
  return maskAuthTokens(text)
    .replace(/=[^,;&\s]*/g, '=***')
    .replace(/\/\/[^/\s@\uff20]*[@\uff20]/g, '//***@');
}

/** `text` with the token after every `Bearer` or `Basic` masked: one linear pattern. */
export function maskAuthTokens(text: string): string {
  return text.replace(/\b(bearer|basic)(\s+)[^\s,;]+/gi, '$1$2***');
}

/** `text` percent-decoded, or as it is when it is not valid percent-encoding. */
export function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * `text` with every unpaired UTF-16 surrogate replaced by U+FFFD, as UTF-8 encoders (OTLP, the Prometheus
 * exposition) write it: two strings that differ only there are one string on the wire. The string itself when it is
 * well formed already.
 */
export function wellFormed(text: string): string {
  const native = text as unknown as { isWellFormed(): boolean; toWellFormed(): string };
  return native.isWellFormed() ? text : native.toWellFormed();
}
