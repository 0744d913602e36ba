import { TelemetryConfigError } from './TelemetryConfigError';

/** An endpoint made usable, with what was changed on the way, for a one-time diagnostic. */
export interface NormalizedEndpoint {
  /** The URL with a scheme, without a trailing slash. */
  url: string;
  /** Warnings to report once, such as a missing scheme or the gRPC port. */
  notes: string[];
}

/**
 * Gives a bare `host:port` the `http://` scheme (GoMind's second pitfall) and flags port 4317, which speaks
 * OTLP/gRPC, not the OTLP/HTTP this library sends.
 */
export function normalizeEndpoint(field: string, raw: string): NormalizedEndpoint {
  const notes: string[] = [];
  let text = raw.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    notes.push(`${field} '${raw}' has no scheme; using 'http://${text}'. Write the full URL to silence this.`);
    text = `http://${text}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new TelemetryConfigError(field, raw, 'an http:// or https:// URL such as http://otel-collector:4318');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TelemetryConfigError(field, raw, 'an http:// or https:// URL (OTLP/HTTP)');
  }
  if (parsed.port === '4317') {
    notes.push(
      `${field} '${raw}' uses port 4317, the OTLP/gRPC port; this library sends OTLP/HTTP, which collectors ` +
        'serve on 4318. Exports will fail unless that port really speaks OTLP/HTTP.',
    );
  }
  return { url: parsed.toString().replace(/\/+$/, ''), notes };
}

/** Appends a signal path (`v1/metrics`) to a base URL. */
export function signalUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}
