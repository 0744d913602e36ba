import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { wellFormed } from '../config/printable';

/** A label the exporter adds to every sample itself, such as `otel_scope_name`: its name and value. */
export type OwnLabel = readonly [name: string, value: string];

/** Names the exposition format gives a meaning of its own: histogram buckets and summary quantiles. */
const RESERVED = new Set(['le', 'quantile']);
/** Label names remembered; past this the cache starts afresh (label keys are few; a flood of them costs only time). */
const MAX_CACHED_NAMES = 4096;
const INVALID = /[^A-Za-z0-9_]/g;
const UNDERSCORES = /_{2,}/g;

/** The Prometheus label name of an attribute key (the rules are `PrometheusLabels`'). Linear in the key's length. */
export function prometheusLabelName(key: string): string {
  const name = key.replace(INVALID, '_').replace(UNDERSCORES, '_');
  if (name === '') return '_';
  const first = name.charCodeAt(0);
  return (first >= 48 && first <= 57) || RESERVED.has(name) ? `_${name}` : name;
}

/**
 * Turns data point attributes into Prometheus labels, on the Prometheus path only (OTLP keeps the original keys),
 * by the "Metric Attributes" rules of the OpenTelemetry specification's Prometheus and OpenMetrics compatibility
 * (stable since v1.56.0): characters outside `[A-Za-z0-9_]` become `_` and runs of `_` one `_`; keys that end up as
 * the same label name, the exporter's own labels (`otel_scope_name`, ...) included, become one label whose value is
 * theirs joined by `;` in the lexicographical order of the original keys. The official serializer replaces the
 * characters but does none of the rest, and a real Prometheus refuses the whole scrape over any one of these. What
 * the specification leaves open is settled as the official .NET exporter does, or explicitly:
 * - a name starting with a digit gets a leading `_` (`5xx` → `_5xx`), as the serializer does for metric names;
 * - `le` and `quantile`, which the exposition format reserves for histogram buckets and summary quantiles, become
 *   `_le` and `_quantile` on every metric (the .NET exporter drops `le` from histograms; renaming keeps apart the
 *   series it told apart, and `promtool` flags `le` and `quantile` on any other metric);
 * - an empty key becomes `_`;
 * - `job` and `instance` are left alone: Prometheus renames them `exported_job` and `exported_instance` itself, or
 *   keeps them under `honor_labels: true`, which is the scraper's choice.
 * Label names are cached (bounded); a merge or a reserved name is reported once; the input is never changed.
 */
export class PrometheusLabels {
  private readonly names = new Map<string, string>();

  constructor(
    /** Reports a problem once per key (the diagnostics' `warnOnce`). */
    private readonly warnOnce: (key: string, message: string) => void,
  ) {}

  /** The labels of one data point of `metric`: its attributes, then `own`, merged where their names collide. */
  labels(attributes: Attributes, own: readonly OwnLabel[], metric: string): Attributes {
    const labels: Attributes = {};
    let collided = false;
    for (const key of Object.keys(attributes)) {
      const name = this.name(key);
      if (Object.hasOwn(labels, name)) collided = true;
      else labels[name] = attributes[key];
    }
    for (const [name, value] of own) {
      if (Object.hasOwn(labels, name)) collided = true;
      else labels[name] = value;
    }
    return collided ? this.merged(attributes, own, metric) : labels;
  }

  private name(key: string): string {
    let name = this.names.get(key);
    if (name === undefined) {
      name = prometheusLabelName(key);
      if (this.names.size >= MAX_CACHED_NAMES) this.names.clear();
      this.names.set(key, name);
      if (RESERVED.has(key)) {
        this.warnOnce(`prometheus_label_reserved:${key}`,
          `the label '${key}' is served to Prometheus as '${name}': the exposition format reserves '${key}' for ` +
            `${key === 'le' ? 'histogram buckets' : 'summary quantiles'}. OTLP keeps '${key}'. Give the label another name.`);
      }
    }
    return name;
  }

  /** The slow path, for attributes with colliding names: each name's values joined in the order of their keys. */
  private merged(attributes: Attributes, own: readonly OwnLabel[], metric: string): Attributes {
    const groups = new Map<string, { key: string; value: AttributeValue | undefined }[]>();
    const add = (name: string, key: string, value: AttributeValue | undefined): void => {
      const group = groups.get(name);
      if (group === undefined) groups.set(name, [{ key, value }]);
      else group.push({ key, value });
    };
    for (const key of Object.keys(attributes)) add(this.name(key), key, attributes[key]);
    // The exporter's own labels take their names as keys, after the attributes (a stable sort keeps that on a tie).
    for (const [name, value] of own) add(name, name, value);
    const labels: Attributes = {};
    for (const [name, group] of groups) {
      if (group.length === 1) {
        labels[name] = group[0].value;
        continue;
      }
      group.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      labels[name] = group.map((member) => labelValue(member.value)).join(';');
      this.warnOnce(`prometheus_label_collision:${metric}:${name}`,
        `metric '${metric}': the keys ${group.map((member) => `'${member.key}'`).join(', ')} all become the ` +
          `Prometheus label '${name}', so the scrape shows one '${name}' with their values joined by ';' (in the ` +
          'order of the keys, as the OpenTelemetry specification says). OTLP keeps them apart. Use keys that stay ' +
          'distinct once characters other than letters, digits and _ become _.');
    }
    return labels;
  }
}

/** A label value as the serializer writes it: strings as they are, anything else as JSON. */
function labelValue(value: AttributeValue | undefined): string {
  return typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
}

/**
 * The names one metric takes in the exposition, as the official serializer derives them: its family name (the
 * name with `_total` for a counter) and the names of its samples (`_count`, `_sum` and `_bucket` for a histogram).
 * Empty when the serializer writes nothing for it.
 */
function prometheusMetricNames(metric: MetricData): string[] {
  let name = metric.descriptor.name.replace(INVALID, '_').replace(UNDERSCORES, '_');
  if (name === '' || name === '_') return [];
  const first = name.charCodeAt(0);
  if (first >= 48 && first <= 57) name = `_${name}`;
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic && !name.endsWith('_total')) name += '_total';
  return metric.dataPointType === DataPointType.HISTOGRAM ? [name, `${name}_count`, `${name}_sum`, `${name}_bucket`] : [name];
}

/**
 * The names taken in one scrape. Two metrics whose names meet after translation (`a.b` and `a_b`, a counter `x` and
 * a gauge `x.total`, a histogram `h` and a gauge `h.count`, a gauge `target.info`) would give one family two TYPE
 * lines or one series two values; the specification asks to drop the entire metric instead. The first metric to
 * take a name keeps it (the store's metrics, in their order, then the MeterProvider's instruments); a later one is
 * left out of the scrape (not of OTLP) and reported once.
 */
export class PrometheusNameClaims {
  /** Family or sample name → the id of what took it, and how a message names that. */
  private readonly holders = new Map<string, { id: string; described: string }>();

  constructor(
    /** Reports a problem once per key (the diagnostics' `warnOnce`). */
    private readonly warnOnce: (key: string, message: string) => void,
  ) {}

  /** Takes `names` for what `described` says (e.g. `target_info` for the resource), before any metric. */
  reserve(names: readonly string[], described: string): void {
    for (const name of names) this.holders.set(name, { id: `reserved:${name}`, described });
  }

  /**
   * Whether the metric may be written: its names are free or already its own. `id` tells metrics of the same name
   * apart (a store metric split across slices keeps its id, so it is admitted in each).
   */
  admit(metric: MetricData, id: string): boolean {
    const names = prometheusMetricNames(metric);
    for (const name of names) {
      const holder = this.holders.get(name);
      if (holder !== undefined && holder.id !== id) {
        const own = metric.descriptor.name;
        this.warnOnce(`prometheus_name:${own}`,
          `metric '${own}' is left out of the Prometheus scrape: the name '${name}' it needs there is already ` +
            `taken by ${holder.described}, and one name cannot carry two metrics. OTLP export is unaffected. Give ` +
            'one of them a name that stays distinct once . and other characters become _ (counters gain _total, ' +
            'histograms _count, _sum and _bucket).');
        return false;
      }
    }
    for (const name of names) this.holders.set(name, { id, described: `metric '${metric.descriptor.name}'` });
    return true;
  }

  /**
   * Whether a data point may be written: no earlier point of the same metric in this scrape has the same labels once
   * translated. Two series that differ only in a key Prometheus cannot tell apart (`http.route` and `http_route`)
   * would otherwise give one series two samples, of which Prometheus keeps one. The first is kept; a later one is
   * left out of the scrape (not of OTLP) and reported once. Remembers at most 200,000 label sets per scrape.
   */
  admitSeries(metric: string, labels: Attributes): boolean {
    if (this.series.size >= MAX_SERIES_REMEMBERED) return true;
    // Length-prefixed, so that no characters inside a key or value can make two label sets read as one; and as
    // the exposition's UTF-8 writes them (unpaired surrogates as U+FFFD), so that two that read as one there do.
    const keys = Object.keys(labels).sort();
    let id = `${metric.length}:${metric}`;
    for (const key of keys) {
      const value = wellFormed(labelValue(labels[key]));
      id += `;${key.length}:${key}=${value.length}:${value}`;
    }
    if (!this.series.has(id)) {
      this.series.add(id);
      return true;
    }
    this.warnOnce(`prometheus_series:${metric}`,
      `metric '${metric}' has series that differ only in label keys Prometheus cannot tell apart (such as http.route ` +
        'and http_route); in the scrape, the first of each such group is kept and the others left out. OTLP export is ' +
        'unaffected. Use one spelling of each label key.');
    return false;
  }

  private readonly series = new Set<string>();
}

/** Translated label sets one scrape remembers to find duplicate series; past it, duplicates are not looked for. */
const MAX_SERIES_REMEMBERED = 200_000;
