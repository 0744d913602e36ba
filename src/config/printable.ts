/** C0 and C1 controls, DEL and the Unicode line separators: what could start a new line or an escape in a log. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

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
