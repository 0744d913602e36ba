import { TelemetryConfigError, isTelemetryConfigError } from '../../src/config/TelemetryConfigError';

/** The TelemetryConfigError `fn` throws; fails the test if it throws nothing, or anything else. */
export function configError(fn: () => unknown): TelemetryConfigError {
  try {
    fn();
  } catch (error) {
    expect(isTelemetryConfigError(error)).toBe(true);
    expect(error).toBeInstanceOf(TelemetryConfigError);
    return error as TelemetryConfigError;
  }
  throw new Error('expected a TelemetryConfigError');
}
