// ESM entry of otel-facade/testing (copied to dist/testing.mjs by the build): re-exports the CommonJS build.
import cjs from './testing.js';

export const { startTestTelemetry } = cjs;
export default cjs;
