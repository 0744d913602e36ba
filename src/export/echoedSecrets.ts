import { maskAuthTokens, percentDecoded } from '../config/printable';

/** Values a transport sends that must never be quoted back: header values, URL credentials, query values. */
export function knownSecrets(url: URL, headers: Readonly<Record<string, string>>): string[] {
  const found = new Set<string>();
  const add = (value: string): void => {
    if (value.length < 4) return; // too short to be a secret, and would mask common words
    found.add(value);
    found.add(percentDecoded(value));
  };
  for (const value of Object.values(headers)) {
    add(value);
    // `Bearer <token>`, `Basic <base64>`: the token alone may be echoed too
    const space = value.indexOf(' ');
    if (space > 0) add(value.slice(space + 1));
  }
  add(url.password);
  if (url.username !== '' || url.password !== '') {
    // Node sends URL credentials as `Authorization: Basic base64(user:password)`: an echo of that header shows them.
    add(Buffer.from(`${percentDecoded(url.username)}:${percentDecoded(url.password)}`).toString('base64'));
  }
  for (const value of url.searchParams.values()) add(value);
  return [...found].sort((a, b) => b.length - a.length); // longest first, so a token inside a header value goes whole
}

/** `text` with every known secret replaced by `***`, and any `Basic`/`Bearer` token too (one linear pattern). */
export function withoutSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join('***');
  return maskAuthTokens(result);
}
