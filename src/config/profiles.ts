import { FIELDS, PROFILE_NAMES, type ProfileName } from './fields';
import type { TelemetryConfig } from './TelemetryConfig';
import { TelemetryConfigError } from './TelemetryConfigError';
import { thrownMessage } from './printable';

export { PROFILE_NAMES, type ProfileName } from './fields';

/** True when `name` is one of the bundled profiles. */
export function isProfileName(name: unknown): name is ProfileName {
  return typeof name === 'string' && (PROFILE_NAMES as readonly string[]).includes(name);
}

/**
 * A bundled profile's values, as a configuration object, from the field table (`profiles/*.json` are written from
 * the same table and checked against it). Throws a TelemetryConfigError listing the valid names for any other name.
 */
export function loadProfile(name: unknown): TelemetryConfig {
  if (!isProfileName(name)) {
    throw new TelemetryConfigError('profile', name, `one of ${PROFILE_NAMES.join(', ')}`);
  }
  const profile: Record<string, unknown> = {};
  for (const field of FIELDS) {
    if (field.defaults === undefined || field.path === 'profile') continue;
    setPath(profile, field.path, structuredClone(field.defaults[name]));
  }
  return profile as TelemetryConfig;
}

/**
 * Picks a profile, with overrides that take precedence over everything else. The profile's own values are applied
 * by `initialize()`, under the OTEL_* environment variables, and adapt to what you set.
 *
 * @example initialize(useProfile('production', { serviceName: 'weather' }))
 */
export function useProfile(name: ProfileName, overrides: TelemetryConfig = {}): TelemetryConfig {
  if (!isProfileName(name)) {
    throw new TelemetryConfigError('profile', name, `one of ${PROFILE_NAMES.join(', ')}`);
  }
  let copy: TelemetryConfig;
  try {
    copy = { ...overrides };
  } catch (error) {
    throw new TelemetryConfigError('overrides', '[unreadable]', `an object whose fields can be read (reading it threw: ${thrownMessage(error)})`);
  }
  if (copy.profile !== undefined && copy.profile !== name) {
    throw new TelemetryConfigError('profile', copy.profile, `'${name}', the profile useProfile() was given (both were given; make them agree)`);
  }
  return { ...copy, profile: name };
}

/** Sets a dotted path in a nested plain object, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}
