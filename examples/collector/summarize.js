'use strict';
/* Turns what the local collector received into the rows of the demo's live view. */

/** Estimates a quantile from explicit-bucket histogram counts, interpolating inside the bucket. */
function quantileFromBuckets(bounds, counts, q, min, max) {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    if (seen + counts[i] >= rank) {
      const lower = i === 0 ? Math.min(min ?? 0, bounds[0] ?? 0) : bounds[i - 1];
      const upper = i < bounds.length ? bounds[i] : (max ?? lower);
      const within = (rank - seen) / counts[i];
      return Math.min(Math.max(lower + (upper - lower) * within, min ?? -Infinity), max ?? Infinity);
    }
    seen += counts[i];
  }
  return max;
}

/** One row per metric from the latest export: kind, series, total (or last value) and p50/p95 for histograms. */
function summarize(collector) {
  const rows = new Map();
  const latestRequest = collector.metricRequests[collector.metricRequests.length - 1];
  if (latestRequest === undefined) return [];
  for (const p of latestRequest.points) {
    let row = rows.get(p.metric);
    if (row === undefined) {
      row = { name: p.metric, kind: p.kind === 'sum' && p.monotonic === false ? 'updown' : p.kind, series: 0, total: 0, counts: undefined, bounds: p.explicitBounds, min: Infinity, max: -Infinity };
      rows.set(p.metric, row);
    }
    row.series++;
    if (p.kind === 'histogram') {
      row.total += p.count;
      row.counts = row.counts === undefined ? [...p.bucketCounts] : row.counts.map((c, i) => c + p.bucketCounts[i]);
      if (p.min !== undefined) row.min = Math.min(row.min, p.min);
      if (p.max !== undefined) row.max = Math.max(row.max, p.max);
    } else {
      row.total += p.value;
    }
  }
  return [...rows.values()].map((row) => ({
    name: row.name,
    kind: row.kind,
    series: row.series,
    total: row.total,
    p50: row.counts ? quantileFromBuckets(row.bounds, row.counts, 0.5, row.min, row.max) : undefined,
    p95: row.counts ? quantileFromBuckets(row.bounds, row.counts, 0.95, row.min, row.max) : undefined,
  }));
}

module.exports = { summarize, quantileFromBuckets };
