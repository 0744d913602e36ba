import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { hrTime } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ResourceMetrics, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { PrometheusConfig } from '../config/TelemetryConfig';
import type { Diagnostics } from '../diagnostics/Diagnostics';
import type { DropCounters } from '../health/DropCounters';
import type { PrometheusHealth } from '../health/Health';
import type { MetricStore, StoreReader } from '../metrics/MetricStore';
import { isoOrUndefined } from './ExportGuard';
import { MetricChunkBuilder } from './MetricChunkBuilder';
import { SdkMetricsReader } from './SdkMetricsReader';

type Serializer = { serialize(resourceMetrics: ResourceMetrics): string };

/**
 * The `/metrics` endpoint Prometheus scrapes: the store's series plus the MeterProvider's own instruments, in the
 * text format of the official Prometheus exporter's serializer (loaded only when this endpoint is configured).
 * A scrape counts as delivered once its answer has been written in full; only then may the store evict series
 * whose last change it held. Scrapes are answered one at a time.
 */
export class PrometheusEndpoint {
  /** Reads the MeterProvider's own instruments at each scrape; registered with the MeterProvider. */
  readonly sdkReader = new SdkMetricsReader();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly storeReader: StoreReader;
  private readonly serializer: Serializer;
  private chain: Promise<void> = Promise.resolve();
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
    this.serializer = new PrometheusSerializer();
    this.storeReader = store.addReader('prometheus');
    this.address = `http://${config.host}:${config.port}${config.endpoint}`;
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
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
        this.address = `http://${this.config.host}:${address.port}${this.config.endpoint}`;
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
    this.chain = this.chain.then(() => this.scrape(res, req.method === 'HEAD'));
  }

  private async scrape(res: ServerResponse, head: boolean): Promise<void> {
    try {
      const cursor = this.store.beginSnapshot();
      const builder = new MetricChunkBuilder(hrTime());
      cursor.next(Infinity, builder.add);
      const scopeMetrics: ScopeMetrics[] = [{ scope: this.scope, metrics: builder.take() }];
      const sdk = await this.sdkReader.collect();
      scopeMetrics.push(...sdk.resourceMetrics.scopeMetrics);
      const body = this.serializer.serialize({ resource: this.resource, scopeMetrics });
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      // 'close' follows 'finish', or comes alone when the scraper went away; only a finished answer delivered.
      await new Promise<void>((resolve) => {
        res.once('close', () => resolve());
        if (head) res.end();
        else res.end(body);
      });
      if (res.writableFinished) {
        this.store.acknowledge(this.storeReader, cursor.epoch);
        this.scrapes++;
        this.lastScrapeAt = this.now();
      }
    } catch (error) {
      this.lastError = `scrape failed: ${error instanceof Error ? error.message : String(error)}`;
      this.diagnostics.warnOnce(`prometheus_scrape:${this.lastError.slice(0, 200)}`, `the Prometheus endpoint ${this.address} ${this.lastError}.`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`# ${this.lastError}\n`);
    }
  }
}
