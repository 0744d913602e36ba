import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileName, TelemetryConfig } from './TelemetryConfig';
import { TelemetryConfigError } from './TelemetryConfigError';

/** The bundled profile names, in the order they are listed in errors. */
export const PROFILE_NAMES: readonly ProfileName[] = ['development', 'staging', 'production'];

// dist/config and src/config both sit two levels below the package root, where profiles/ lives.
const PROFILE_DIR = join(__dirname, '..', '..', 'profiles');
const cache = new Map<ProfileName, TelemetryConfig>();

/** True when `name` is one of the bundled profiles. */
export function isProfileName(name: unknown): name is ProfileName {
  return typeof name === 'string' && (PROFILE_NAMES as readonly string[]).includes(name);
}

/** Reads a bundled profile's values; throws a TelemetryConfigError listing the valid names for any other name. */
export function loadProfile(name: unknown): TelemetryConfig {
  if (!isProfileName(name)) {
    throw new TelemetryConfigError('profile', name, `one of ${PROFILE_NAMES.join(', ')}`);
  }
  let profile = cache.get(name);
  if (profile === undefined) {
    profile = JSON.parse(readFileSync(join(PROFILE_DIR, `${name}.json`), 'utf8')) as TelemetryConfig;
    cache.set(name, profile);
  }
  return structuredClone(profile);
}

/**
 * Picks a profile, with overrides that take precedence over everything else.
 * The profile's own values are applied by `initialize()`, under the OTEL_* environment variables.
 *
 * @example initialize(useProfile('production', { serviceName: 'weather' }))
 */
export function useProfile(name: ProfileName, overrides: Partial<TelemetryConfig> = {}): TelemetryConfig {
  if (!isProfileName(name)) {
    throw new TelemetryConfigError('profile', name, `one of ${PROFILE_NAMES.join(', ')}`);
  }
  return { ...overrides, profile: name };
}
