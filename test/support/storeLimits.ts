import type { StoreLimits } from '../../src/metrics/MetricStore';

/** Store limits for tests that build a `MetricStore` by hand: roomy, no per-label limits, no rate limit. */
export const TEST_STORE_LIMITS: StoreLimits = {
  cardinalityLimit: 100,
  cardinalityLimits: {},
  labelValueTtlMs: 60_000,
  maxMetricNames: 100,
  maxLabelPairs: 16,
  maxLabelValueLength: 256,
  maxLabelKeyLength: 128,
  rateLimit: { enabled: false, callsPerSecond: 1, burst: 1 },
};
