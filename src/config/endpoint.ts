import { TelemetryConfigError } from './TelemetryConfigError';

/** An endpoint made usable, with what was changed on the way, for a one-time diagnostic. */
export interface NormalizedEndpoint {
  /** The URL with a scheme, without a trailing slash. */
  url: string;
  /** Warnings to report once, such as a missing scheme. */
  notes: string[];
}

/**
 * Gives a bare `host:port` the `http://` scheme (GoMind's second pitfall). Whether the port fits the protocol (4317
 * is OTLP/gRPC's, 4318 OTLP/HTTP's) is judged per signal, once the protocol is known (`portNote`).
 */
export function normalizeEndpoint(field: string, raw: string): NormalizedEndpoint {
  const notes: string[] = [];
  let text = raw.trim();
  if (text.length > MAX_URL_LENGTH) {
    throw new TelemetryConfigError(field, displayUrl(text.slice(0, 200)), `an http:// or https:// URL of at most ${MAX_URL_LENGTH} characters`);
  }
  const shownRaw = displayUrl(raw);
  // A scheme is letters and a colon before a slash (`collector:4318` is a host and a port, `user:pw@host` has
  // credentials). The URL parser takes `http:/host` and `http:\\host` as `http://host`, so they have one.
  if (!/^[a-z][a-z0-9+.-]{0,30}:[/\\]/i.test(text)) {
    notes.push(`${field} '${shownRaw}' has no scheme; using 'http://${displayUrl(text)}'. Write the full URL to silence this.`);
    text = `http://${text}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new TelemetryConfigError(field, shownRaw, 'an http:// or https:// URL such as http://otel-collector:4318');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TelemetryConfigError(field, shownRaw, 'an http:// or https:// URL (OTLP/HTTP)');
  }
  parsed.hash = ''; // never sent
  return { url: trimTrailingSlashes(parsed.toString()), notes };
}

/**
 * A warning when a signal's URL has the well-known port of the other OTLP transport (4317 is gRPC's, 4318 HTTP's),
 * naming the signals sent there; undefined when the port fits.
 */
export function portNote(origin: string, url: string, grpc: boolean, signals: string): string | undefined {
  const port = new URL(url).port;
  if (!grpc && port === '4317') {
    return `${origin} '${displayUrl(url)}' uses port 4317, the OTLP/gRPC port, but ${signals} are sent over OTLP/HTTP, which collectors ` +
      "serve on 4318. Exports will fail unless that port really speaks OTLP/HTTP; for gRPC set protocol: 'grpc' (OTEL_EXPORTER_OTLP_PROTOCOL=grpc).";
  }
  if (grpc && port === '4318') {
    return `${origin} '${displayUrl(url)}' uses port 4318, the OTLP/HTTP port, but ${signals} are sent over OTLP/gRPC, which collectors ` +
      'serve on 4317. Exports will fail unless that port really speaks OTLP/gRPC.';
  }
  return undefined;
}

/** Longest endpoint URL taken (browsers and proxies commonly stop near 2 K). */
const MAX_URL_LENGTH = 2048;

/**
 * A URL as messages show it, in one linear pass (no regular expression: endpoint text comes from the environment):
 * everything before the last `@` after the scheme (credentials, as the URL parser would read them, even from
 * `http:/user:secret@host`) becomes `***@`, query values become `***`, a fragment becomes `#***`, and the result is
 * cut past 200 characters. Works on text that does not parse as a URL too. Node sends URL credentials as Basic
 * auth, so they are legitimate in an endpoint, and must never reach a log line.
 */
export function displayUrl(text: string): string {
  const scheme = /^\s*[a-z][a-z0-9+.-]{0,30}:(?=[/\\])/i.exec(text);
  let start = scheme === null ? 0 : scheme[0].length;
  while (start < text.length && (text[start] === '/' || text[start] === '\\')) start++;
  const at = Math.max(text.lastIndexOf('@'), text.lastIndexOf('\uff20')); // a full-width @ too: unparsed text may hold one
  let out = at >= start ? `${text.slice(0, start)}***@` : text.slice(0, start);
  let i = at >= start ? at + 1 : start;
  const hash = text.indexOf('#', i);
  const end = hash === -1 ? text.length : hash;
  const query = text.indexOf('?', i);
  if (query === -1 || query > end) {
    out += text.slice(i, end);
  } else {
    out += text.slice(i, query + 1);
    // key=value pairs: keys kept, values masked
    i = query + 1;
    while (i <= end) {
      let next = text.indexOf('&', i);
      if (next === -1 || next > end) next = end;
      const pair = text.slice(i, next);
      const eq = pair.indexOf('=');
      out += eq === -1 ? (pair === '' ? '' : '***') : `${pair.slice(0, eq)}=***`;
      if (next < end) out += '&';
      i = next + 1;
      if (out.length > 400) break;
    }
  }
  if (hash !== -1) out += '#***';
  return out.length > 200 ? `${out.slice(0, 200)}...` : out;
}

/** Appends a signal path (`v1/metrics`) to a base URL's path, keeping its query (`/otlp?tenant=a`). */
export function signalUrl(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = `${trimTrailingSlashes(url.pathname)}/${path}`;
  return url.toString();
}

/** `text` without the slashes it ends with; a loop, since `/\/+$/` is quadratic on a long run of slashes. */
export function trimTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 47) end--;
  return end === text.length ? text : text.slice(0, end);
}
