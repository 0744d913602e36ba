import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What `getHealth().otelApi` says about the `@opentelemetry/api` copies in the process. */
export interface ApiVersionReport {
  /** The version of `@opentelemetry/api` this package loads (the peer dependency). */
  version: string;
  /** The version that registered the process-wide OpenTelemetry globals, if any did. */
  globalVersion: string | undefined;
  /** True when they differ: two copies of the API, so the application's OpenTelemetry use and ours do not meet. */
  mismatch: boolean;
}

const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');
let ownVersion: string | undefined;

/** The version of the `@opentelemetry/api` package this module resolves. */
export function apiVersion(): string {
  if (ownVersion === undefined) {
    try {
      // build/src/index.js -> package root
      const entry = require.resolve('@opentelemetry/api');
      ownVersion = (JSON.parse(readFileSync(join(dirname(entry), '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      ownVersion = 'unknown';
    }
  }
  return ownVersion;
}

/** Compares our API copy with the one that owns the globals. */
export function apiVersionReport(): ApiVersionReport {
  const registered = (globalThis as Record<symbol, { version?: unknown } | undefined>)[GLOBAL_KEY];
  const globalVersion = typeof registered?.version === 'string' ? registered.version : undefined;
  const version = apiVersion();
  return { version, globalVersion, mismatch: globalVersion !== undefined && globalVersion !== version };
}
