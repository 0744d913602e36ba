const SEMVER = /^(\d+)\.(\d+)\.(\d+)(-(.+))?$/;

/**
 * Whether a copy of this package at `own` may use a global slot created by a copy at `global`, by the rule of
 * `@opentelemetry/api`: exact matches always; otherwise no prereleases, the same major, and the global's minor at
 * least ours (it has everything we call). Below 1.0 the minor acts as the major and the patch as the minor.
 */
export function isCompatible(own: string, global: string): boolean {
  if (own === global) return true;
  const a = SEMVER.exec(own);
  const b = SEMVER.exec(global);
  if (a === null || b === null || a[4] !== undefined || b[4] !== undefined) return false;
  const [ownMajor, ownMinor, ownPatch] = [Number(a[1]), Number(a[2]), Number(a[3])];
  const [globalMajor, globalMinor, globalPatch] = [Number(b[1]), Number(b[2]), Number(b[3])];
  if (ownMajor !== globalMajor) return false;
  if (ownMajor === 0) return ownMinor === globalMinor && ownPatch <= globalPatch;
  return ownMinor <= globalMinor;
}
