import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { hrTime, hrTimeToMilliseconds, type InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { DataPointType, type DataPoint, type MetricData, type ResourceMetrics, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { PrometheusConfig } from '../config/TelemetryConfig';
import type { Diagnostics } from '../diagnostics/Diagnostics';
import type { DropCounters } from '../health/DropCounters';
import type { PrometheusHealth } from '../health/Health';
import type { MetricStore, StoreReader } from '../metrics/MetricStore';
import { isoOrUndefined } from './ExportGuard';
import { MetricChunkBuilder, ScopeMetricsSlicer } from './MetricChunkBuilder';
import { nextTurn } from './nextTurn';
import { PrometheusLabels, PrometheusNameClaims, type OwnLabel } from './prometheusNames';
import { SdkMetricsReader } from './SdkMetricsReader';

type Serializer = { serialize(resourceMetrics: ResourceMetrics): string };

/**
 * Data points serialised per turn of the event loop. The official serializer takes about 50 µs per histogram point,
 * so 100 points keep a turn to a few milliseconds (at 2,000, 10,000 histograms blocked the loop for 230-260 ms).
 */
const POINTS_PER_SLICE = 100;
/** What the official serializer writes for a slice with no metrics. */
const NO_METRICS = '# no registered metrics';
/** Scrapes answered at once; more are turned away with 503 (a scraper retries at its next interval). */
const MAX_CONCURRENT_SCRAPES = 4;
/** A scraper that neither sends nor reads for this long is cut off. */
const SOCKET_TIMEOUT_MS = 30_000;
/** The header lines of a metric family: said once, before its first sample. */
const FAMILY_HEADER = /^# (?:HELP|TYPE|UNIT) (\S+)/;

/**
 * The `/metrics` endpoint Prometheus scrapes: the store's series plus the MeterProvider's own instruments, in the
 * text format of the official Prometheus exporter's serializer (loaded only when this endpoint is configured).
 * The answer is built and written a slice of data points at a time, with a turn of the event loop between slices,
 * so a large store never blocks the process for long; a family split across slices keeps its header lines once.
 * A scrape counts as delivered once its answer has been written in full; only then may the store evict series
 * whose last change it held. Scrapes do not wait for each other; at most a few run at once, and a scraper that
 * stops reading is cut off. Label and metric names are made safe for Prometheus on this path only (see
 * `PrometheusLabels` and `PrometheusNameClaims`): no label key or metric name can break the scrape.
 */
export class PrometheusEndpoint {
  /** Reads the MeterProvider's own instruments at each scrape; registered with the MeterProvider. */
  readonly sdkReader = new SdkMetricsReader();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly storeReader: StoreReader;
  /**
   * Serializes the first slice of an answer (with `target_info`), and the rest (without). Neither adds the scope
   * labels: `labels` does, so that a key colliding with them is merged rather than repeated.
   */
  private readonly serializer: Serializer;
  private readonly continuation: Serializer;
  /** Attribute keys to Prometheus label names, the scope labels and merges included. */
  private readonly labels: PrometheusLabels;
  /** Reports a naming problem once (a scrape may meet it every time). */
  private readonly warnOnce = (key: string, message: string): void => {
    this.diagnostics.warnOnce(key, message);
  };
  /** The store's own scope labels, the same for every series. */
  private readonly storeLabels: readonly OwnLabel[];
  /** The resource with its attributes under label names, for `target_info`; made at the first scrape. */
  private labelledResource: Resource | undefined;
  private active = 0;
  private closed = false;
  private address: string;
  private listening = false;
  private scrapes = 0;
  private lastScrapeAt: number | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly config: Required<PrometheusConfig>,
    private readonly store: MetricStore,
    private readonly resource: Resource,
    private readonly scope: { name: string; version: string },
    private readonly counters: DropCounters,
    private readonly diagnostics: Diagnostics,
    private readonly now: () => number = Date.now,
  ) {
    // Loaded here so that services without a scrape endpoint never load it.
    const { PrometheusSerializer } = require('@opentelemetry/exporter-prometheus') as typeof import('@opentelemetry/exporter-prometheus');
    this.serializer = new PrometheusSerializer(undefined, undefined, undefined, false, true);
    this.continuation = new PrometheusSerializer(undefined, undefined, undefined, true, true);
    this.labels = new PrometheusLabels(this.warnOnce);
    this.storeLabels = scopeLabels(scope);
    this.storeReader = store.addReader('prometheus');
    this.address = `http://${hostInUrl(config.host)}:${config.port}${config.endpoint}`;
    this.server = (require('node:http') as typeof import('node:http')).createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.setTimeout(SOCKET_TIMEOUT_MS, () => socket.destroy());
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts listening; a listen error is reported and kept in health, never thrown. */
  start(): void {
    this.server.once('error', (error: NodeJS.ErrnoException) => {
      const message = `${error.message}${error.code !== undefined && !error.message.includes(error.code) ? ` (${error.code})` : ''}`;
      this.lastError = `could not listen: ${message}`;
      this.counters.error(`Prometheus endpoint ${this.address} could not listen: ${message}`);
      this.diagnostics.warn(
        `the Prometheus endpoint ${this.address} could not listen: ${message}. Pick a free port (prometheus.port or ` +
          'OTEL_EXPORTER_PROMETHEUS_PORT) or stop whatever holds it; OTLP export, if configured, is unaffected.',
      );
    });
    this.server.listen(this.config.port, this.config.host, () => {
      const address = this.server.address();
      if (address !== null && typeof address === 'object') {
        this.address = `http://${hostInUrl(this.config.host)}:${address.port}${this.config.endpoint}`;
      }
      this.listening = true;
    });
    this.server.unref();
  }

  /** The URL scraped (with the real port once listening). */
  get url(): string {
    return this.address;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The endpoint's health. */
  health(): PrometheusHealth {
    return {
      url: this.address,
      listening: this.listening,
      scrapes: this.scrapes,
      lastScrapeAt: isoOrUndefined(this.lastScrapeAt),
      lastError: this.lastError,
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== this.config.endpoint) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found; metrics are at ${this.config.endpoint}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (this.closed || this.active >= MAX_CONCURRENT_SCRAPES) {
      res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end(this.closed ? 'shutting down\n' : 'busy\n');
      return;
    }
    this.active++;
    void this.scrape(res, req.method === 'HEAD').finally(() => {
      this.active--;
    });
  }

  private async scrape(res: ServerResponse, head: boolean): Promise<void> {
    if (head) {
      // A HEAD (an uptime probe) serves no values: it walks nothing, and delivers nothing that could be evicted.
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end();
      return;
    }
    let cursor: ReturnType<MetricStore['beginSnapshot']> | undefined;
    try {
      const sdk = await this.sdkReader.collect();
      cursor = this.store.beginSnapshot();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      const families = new Set<string>();
      const claims = new PrometheusNameClaims(this.warnOnce);
      claims.reserve(['target_info'], 'target_info (the resource)');
      const resource = (this.labelledResource ??=
        resourceFromAttributes(this.labels.labels(this.resource.attributes, [], 'target_info')));
      const builder = new MetricChunkBuilder(hrTimeToMilliseconds(hrTime()));
      // The MeterProvider's own instruments follow the store's series, sliced the same way.
      const sdkSlicer = new ScopeMetricsSlicer(sdk.resourceMetrics.scopeMetrics);
      let storeDone = false;
      let first = true;
      for (let more = true; more && !res.destroyed;) {
        const scopeMetrics: ScopeMetrics[] = [];
        if (!storeDone) {
          storeDone = !cursor.next(POINTS_PER_SLICE, builder.add);
          if (builder.points > 0) this.addScope(scopeMetrics, this.scope, this.storeLabels, builder.take(), 'store', claims);
          more = true;
        } else {
          const slice = sdkSlicer.take(POINTS_PER_SLICE);
          for (const scoped of slice) this.addScope(scopeMetrics, scoped.scope, scopeLabels(scoped.scope), scoped.metrics, 'sdk', claims);
          more = slice.length > 0;
        }
        if (scopeMetrics.length === 0 && !first) continue;
        let text = (first ? this.serializer : this.continuation).serialize({ resource, scopeMetrics });
        // The serializer marks a slice without metrics with this comment and no newline, which would run into the
        // next slice's first line.
        if (text.endsWith(NO_METRICS)) text = text.slice(0, -NO_METRICS.length);
        first = false;
        res.write(withoutRepeatedHeaders(text, families));
        if (more) await nextTurn();
      }
      // Only an answer written in full was delivered; `finished` also settles for an answer already torn down.
      res.end();
      await (require('node:stream/promises') as typeof import('node:stream/promises')).finished(res).catch(() => undefined);
      if (res.writableFinished) {
        this.store.acknowledge(this.storeReader, cursor.epoch);
        this.scrapes++;
        this.lastScrapeAt = this.now();
      }
    } catch (error) {
      if (this.closed) {
        res.destroy();
        return;
      }
      this.lastError = `scrape failed: ${error instanceof Error ? error.message : String(error)}`;
      this.diagnostics.warnOnce(`prometheus_scrape:${this.lastError.slice(0, 200)}`, `the Prometheus endpoint ${this.address} ${this.lastError}.`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`# ${this.lastError}\n`);
    }
  }

  /**
   * Adds the metrics of one scope to a slice: each data point with its attributes under Prometheus label names and
   * the scope labels after them; a metric whose Prometheus names another metric took is left out. `source` says
   * whether the metrics are the store's or the MeterProvider's.
   */
  private addScope(
    slice: ScopeMetrics[],
    scope: InstrumentationScope,
    own: readonly OwnLabel[],
    metrics: readonly MetricData[],
    source: 'store' | 'sdk',
    claims: PrometheusNameClaims,
  ): void {
    const kept: MetricData[] = [];
    for (let i = 0; i < metrics.length; i++) {
      const metric = metrics[i];
      const name = metric.descriptor.name;
      // The text exposition has no exponential histograms (Prometheus' native histograms need its protobuf format):
      // left out of the scrape, said once; OTLP carries them.
      if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) {
        this.diagnostics.warnOnce(`prometheus_exponential:${name}`,
          `metric '${name}' is an exponential histogram, which the Prometheus text format cannot carry; it is left out of ` +
            'the scrape (OTLP exports it). Declare it with explicit buckets if Prometheus must scrape it.');
        continue;
      }
      // A metric keeps one id across the slices it is split over: its scope and name (unique within a scope).
      if (!claims.admit(metric, source === 'store' ? `store:${name}` : `sdk:${scope.name}@${scope.version ?? ''}:${name}`)) continue;
      const dataPoints: DataPoint<unknown>[] = [];
      for (const point of metric.dataPoints as DataPoint<unknown>[]) {
        const attributes = this.labels.labels(point.attributes, own, name);
        if (claims.admitSeries(name, attributes)) dataPoints.push({ ...point, attributes });
      }
      if (dataPoints.length > 0) kept.push({ ...metric, dataPoints } as MetricData);
    }
    if (kept.length > 0) slice.push({ scope, metrics: kept });
  }
}

/** The labels the serializer would add for a scope, in its order: name always, schema URL and version when set. */
function scopeLabels(scope: InstrumentationScope): OwnLabel[] {
  const labels: OwnLabel[] = [['otel_scope_name', scope.name]];
  if (scope.schemaUrl) labels.push(['otel_scope_schema_url', scope.schemaUrl]);
  if (scope.version) labels.push(['otel_scope_version', scope.version]);
  return labels;
}

/** Drops the header lines of families already written, so a family split across slices keeps them once. */
function withoutRepeatedHeaders(text: string, families: Set<string>): string {
  const lines = text.split('\n');
  const kept: string[] = [];
  const seenHere = new Set<string>();
  for (const line of lines) {
    const header = FAMILY_HEADER.exec(line);
    if (header !== null) {
      const family = header[1];
      if (families.has(family) && !seenHere.has(family)) continue;
      seenHere.add(family);
    }
    kept.push(line);
  }
  for (const family of seenHere) families.add(family);
  return kept.join('\n');
}

/** A host as a URL writes it: an IPv6 address in brackets. */
export function hostInUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
