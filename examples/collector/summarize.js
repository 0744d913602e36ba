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

/**
 * The latest point of every series received, over every export of every process: series are told apart by the
 * service (resource `service.name` and `service.instance.id`), the metric and the label set, so a second process's
 * series appear beside the first's instead of replacing them.
 */
function latestSeries(collector) {
  const latest = new Map();
  for (const request of collector.metricRequests) {
    const service = `${request.resource['service.name'] ?? ''}/${request.resource['service.instance.id'] ?? ''}`;
    for (const point of request.points) {
      const labels = Object.keys(point.attributes).sort().map((key) => `${key}=${JSON.stringify(point.attributes[key])}`).join(',');
      const key = `${service}|${point.metric}|${labels}`;
      const known = latest.get(key);
      if (known === undefined || BigInt(point.timeUnixNano) >= BigInt(known.point.timeUnixNano)) {
        latest.set(key, { service: request.resource['service.name'], labels, point });
      }
    }
  }
  return [...latest.values()];
}

/** One row per metric over the latest point of every series: kind, series, total (or sum of last values) and p50/p95 for histograms. */
function summarize(collector) {
  const rows = new Map();
  for (const { point: p } of latestSeries(collector)) {
    let row = rows.get(p.metric);
    if (row === undefined) {
      row = { name: p.metric, unit: p.unit, kind: p.kind === 'sum' && p.monotonic === false ? 'updown' : p.kind, series: 0, total: 0, counts: undefined, bounds: p.explicitBounds, min: Infinity, max: -Infinity };
      rows.set(p.metric, row);
    }
    row.series++;
    if (p.kind === 'histogram') {
      row.total += p.count;
      row.counts = row.counts === undefined ? [...p.bucketCounts] : row.counts.map((c, i) => c + (p.bucketCounts[i] ?? 0));
      if (p.min !== undefined) row.min = Math.min(row.min, p.min);
      if (p.max !== undefined) row.max = Math.max(row.max, p.max);
    } else {
      row.total += p.value ?? 0;
    }
  }
  return [...rows.values()].map((row) => ({
    name: row.name,
    unit: row.unit,
    kind: row.kind,
    series: row.series,
    total: row.total,
    p50: row.counts ? quantileFromBuckets(row.bounds, row.counts, 0.5, row.min, row.max) : undefined,
    p95: row.counts ? quantileFromBuckets(row.bounds, row.counts, 0.95, row.min, row.max) : undefined,
  }));
}

/** A value with its unit and four significant digits, so seconds keep their milliseconds: `0.004213 s`, `12.5 ms`. */
function formatValue(value, unit) {
  if (value === undefined || Number.isNaN(value)) return '-';
  const text = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  return unit && unit !== '1' && !unit.startsWith('{') ? `${text} ${unit}` : text;
}

/** Lines describing every series received: per metric (with its unit), each label set and its last value. */
function seriesLines(collector) {
  const byMetric = new Map();
  for (const entry of latestSeries(collector)) {
    const list = byMetric.get(entry.point.metric) ?? [];
    list.push(entry);
    byMetric.set(entry.point.metric, list);
  }
  const lines = [];
  for (const [metric, entries] of [...byMetric].sort(([a], [b]) => a.localeCompare(b))) {
    const { kind, unit } = entries[0].point;
    lines.push(`${metric} (${kind}${unit ? `, ${unit}` : ''}): ${entries.length} series`);
    for (const { service, labels, point } of entries.sort((a, b) => a.labels.localeCompare(b.labels))) {
      const where = `${service ?? '?'} {${labels}}`;
      if (point.kind === 'histogram') {
        const p50 = quantileFromBuckets(point.explicitBounds ?? [], point.bucketCounts ?? [], 0.5, point.min, point.max);
        lines.push(`  ${where} count=${point.count} sum=${formatValue(point.sum, unit)} p50=${formatValue(p50, unit)} max=${formatValue(point.max, unit)}`);
      } else {
        lines.push(`  ${where} ${formatValue(point.value, unit)}`);
      }
    }
  }
  return lines;
}

module.exports = { summarize, quantileFromBuckets, latestSeries, seriesLines, formatValue };
