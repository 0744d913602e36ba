import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { diag } from '@opentelemetry/api';
import * as telemetry from '../../src/index';
import type { DiagnosticLogger, TelemetryConfig } from '../../src/index';
import { LocalCollector } from '../../examples/collector/local-collector';
import { CapturingLogger } from '../support/CapturingLogger';
import { startTestBed, type TestBed } from '../support/telemetry';
import { eventually, runDueUntil, settled, useFakeClock } from '../support/time';
import { makeTlsFixture, OPENSSL, opensslAvailable, type TlsFixture } from '../support/tls-fixture';

/*
 * Configuration that only shows on the wire: the encoding, TLS, the propagators' headers, OpenTelemetry's own
 * diagnostics, the per-request timeout, the started line, the resource's deployment environment and the span batch
 * size. Everything runs over loopback sockets on 127.0.0.1 and is stopped after each test.
 */

/** One request as a raw server saw it; the body is gunzipped when it came compressed. */
interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** For https: whether the client presented a certificate the server's CA signed. */
  clientAuthorized?: boolean;
  clientSubject?: string;
}

/**
 * A loopback HTTP or HTTPS server that records every request and answers 200 (`{}` to JSON, an empty protobuf
 * answer otherwise). Unlike LocalCollector it decodes nothing, so it takes OTLP/JSON, TLS and plain GETs alike.
 */
class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  /** TLS handshakes the server refused or that the client broke off. */
  readonly tlsErrors: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly scheme: 'http' | 'https', private port = 0) {}

  static async start(tls?: HttpsServerOptions): Promise<RecordingServer> {
    const server = tls === undefined ? createHttpServer() : createHttpsServer(tls);
    const recording = new RecordingServer(server, tls === undefined ? 'http' : 'https');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => recording.handle(req, res));
    server.on('connection', (socket: Socket) => recording.track(socket));
    server.on('tlsClientError', (error: Error) => recording.tlsErrors.push(error.message));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    recording.port = (server.address() as { port: number }).port;
    return recording;
  }

  get url(): string {
    return `${this.scheme}://127.0.0.1:${this.port}`;
  }

  on(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const socket = req.socket as Partial<TLSSocket>;
      const peer = this.scheme === 'https' && typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
      this.requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        clientAuthorized: this.scheme === 'https' ? socket.authorized === true : undefined,
        clientSubject: [peer?.subject?.CN ?? []].flat().join(','),
      });
      const json = req.headers['content-type'] === 'application/json';
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : undefined);
    });
  }
}

/** The parts of an OTLP/JSON request the tests read. */
interface JsonKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: number | string };
}
interface JsonMetricsRequest {
  resourceMetrics: {
    resource: { attributes: JsonKeyValue[] };
    scopeMetrics: {
      scope: { name: string };
      metrics: { name: string; sum?: { dataPoints: { asInt?: number | string; asDouble?: number }[]; isMonotonic?: boolean } }[];
    }[];
  }[];
}
interface JsonTracesRequest {
  resourceSpans: {
    resource: { attributes: JsonKeyValue[] };
    scopeSpans: { scope: { name: string }; spans: { name: string; traceId: string; spanId: string }[] }[];
  }[];
}

const attribute = (list: JsonKeyValue[], key: string): string | undefined => list.find((kv) => kv.key === key)?.value.stringValue;

/** Things a test started, stopped after it whatever happened. */
const toStop: (() => Promise<void>)[] = [];
async function serve(tls?: HttpsServerOptions): Promise<RecordingServer> {
  const server = await RecordingServer.start(tls);
  toStop.push(() => server.stop());
  return server;
}
async function collector(): Promise<LocalCollector> {
  const receiver = await new LocalCollector().start();
  toStop.push(() => receiver.stop());
  return receiver;
}

/** Initializes telemetry with a capturing logger and a long interval (tests flush by hand). */
function boot(config: TelemetryConfig): CapturingLogger {
  const logger = new CapturingLogger();
  telemetry.initialize({ serviceName: 'config-wire', exportIntervalMs: 60_000, exportTimeoutMs: 3000, logger, ...config });
  return logger;
}

const savedEnv = { ...process.env };
afterEach(async () => {
  jest.useRealTimers();
  jest.restoreAllMocks();
  await telemetry.shutdown({ timeoutMs: 2000 });
  for (const stop of toStop.splice(0).reverse()) await stop();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

describe('protocol: OTLP/HTTP JSON (LocalCollector decodes protobuf only, so a raw server reads these)', () => {
  async function exportBoth(config: TelemetryConfig): Promise<RecordingServer> {
    const server = await serve();
    boot({ endpoint: server.url, ...config });
    telemetry.counter('json.requests.total', 'route', '/current');
    telemetry.startSpan('json.span').end();
    await telemetry.forceFlush();
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 1, exportFailures: 0 });
    expect(telemetry.getHealth().signals.traces).toMatchObject({ exports: 1, exportFailures: 0 });
    return server;
  }

  function expectJsonMetrics(server: RecordingServer): void {
    const [request] = server.on('/v1/metrics');
    expect(request.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request.body.toString('utf8')) as JsonMetricsRequest;
    const [resourceMetrics] = body.resourceMetrics;
    expect(attribute(resourceMetrics.resource.attributes, 'service.name')).toBe('config-wire');
    expect(resourceMetrics.scopeMetrics[0].scope.name).toBe('otel-facade');
    const metric = resourceMetrics.scopeMetrics[0].metrics.find((m) => m.name === 'json.requests.total');
    expect(metric?.sum?.isMonotonic).toBe(true);
    const point = metric?.sum?.dataPoints[0];
    expect(Number(point?.asInt ?? point?.asDouble)).toBe(1);
  }

  function expectJsonTraces(server: RecordingServer): void {
    const [request] = server.on('/v1/traces');
    expect(request.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request.body.toString('utf8')) as JsonTracesRequest;
    const [resourceSpans] = body.resourceSpans;
    expect(attribute(resourceSpans.resource.attributes, 'service.name')).toBe('config-wire');
    const [span] = resourceSpans.scopeSpans[0].spans;
    expect(span.name).toBe('json.span');
    // OTLP/JSON writes ids in hex, not base64 as protobuf's JSON mapping would.
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
  }

  /** A protobuf ExportTraceServiceRequest starts with field 1 (resource_spans), length-delimited: 0x0a. */
  function expectProtobufTraces(server: RecordingServer): void {
    const [request] = server.on('/v1/traces');
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(request.body[0]).toBe(0x0a);
    expect(request.body.includes(Buffer.from('json.span'))).toBe(true);
  }

  it("protocol: 'http/json' sends both signals as OTLP/JSON, gzip-compressed", async () => {
    const server = await exportBoth({ protocol: 'http/json' });
    expect(server.on('/v1/metrics')[0].headers['content-encoding']).toBe('gzip');
    expectJsonMetrics(server);
    expectJsonTraces(server);
  });

  it('OTEL_EXPORTER_OTLP_PROTOCOL=http/json does the same', async () => {
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    const server = await exportBoth({ compression: 'none' });
    expect(server.on('/v1/metrics')[0].headers['content-encoding']).toBeUndefined();
    expectJsonMetrics(server);
    expectJsonTraces(server);
  });

  it("metrics: { protocol: 'http/json' } encodes metrics as JSON while traces stay protobuf", async () => {
    const server = await exportBoth({ metrics: { protocol: 'http/json' } });
    expectJsonMetrics(server);
    expectProtobufTraces(server);
  });

  it('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL is more specific than the shared protocol in the config, and wins for traces only', async () => {
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = 'http/json';
    const server = await exportBoth({ protocol: 'http/protobuf' });
    expect(server.on('/v1/metrics')[0].headers['content-type']).toBe('application/x-protobuf');
    expectJsonTraces(server);
  });

  it('a collector answering 415 to OTLP/JSON gets a hint that names JSON, not protobuf', async () => {
    const receiver = await collector();
    receiver.mode = { kind: 'status', status: 415 };
    const logger = boot({ endpoint: receiver.url, protocol: 'http/json', traces: { exporter: 'none' } });
    telemetry.counter('json.requests.total');
    await telemetry.forceFlush();
    const [failure] = logger.matching(`metrics export to ${receiver.url}/v1/metrics failed:`);
    expect(failure).toContain('HTTP 415');
    expect(failure).toContain('The collector does not take OTLP/HTTP JSON at that URL (try protocol http/protobuf).');
    expect(failure).not.toContain('protobuf at that URL');
  });
});

const describeTls = opensslAvailable() ? describe : describe.skip;
describeTls(opensslAvailable() ? 'TLS with a throwaway CA made by openssl' : `TLS: skipped because ${OPENSSL} is not installed (it makes the test certificates)`, () => {
  let tls: TlsFixture;
  beforeAll(() => {
    tls = makeTlsFixture();
  });
  afterAll(() => tls?.remove());

  const httpsServer = (mutual = false): Promise<RecordingServer> => serve({
    key: tls.serverKey,
    cert: tls.serverCert,
    ...(mutual ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
  });
  /** Short deadlines: a failed handshake is not retried past them. */
  const QUICK = { exportTimeoutMs: 500, spanBatch: { exportTimeoutMs: 500 }, traces: { exporter: 'none' as const } };

  async function exportOnce(): Promise<void> {
    telemetry.counter('tls.requests.total');
    await telemetry.forceFlush();
  }

  it('with certificate: the CA, the export over https succeeds', async () => {
    const server = await httpsServer();
    const logger = boot({ ...QUICK, endpoint: server.url, certificate: tls.caPath });
    await exportOnce();
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 1, exportFailures: 0 });
    const [request] = server.on('/v1/metrics');
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(request.body.includes(Buffer.from('tls.requests.total'))).toBe(true);
    expect(logger.matching('failed')).toEqual([]);
  });

  it('without it: the first failure names the endpoint and says the TLS handshake failed; nothing reaches the server', async () => {
    const server = await httpsServer();
    const logger = boot({ ...QUICK, endpoint: server.url });
    await exportOnce();
    const metricsUrl = `${server.url}/v1/metrics`;
    const failures = logger.matching(`metrics export to ${metricsUrl} failed:`);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    expect(failures[0]).toContain("The collector's certificate is not signed by a CA this process trusts: name its CA's PEM file in certificate (OTEL_EXPORTER_OTLP_CERTIFICATE).");
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 0, exportFailures: 1 });
    expect(server.requests).toEqual([]);
  });

  it('with OTEL_EXPORTER_OTLP_CERTIFICATE: the export succeeds', async () => {
    const server = await httpsServer();
    process.env.OTEL_EXPORTER_OTLP_CERTIFICATE = tls.caPath;
    const logger = boot({ ...QUICK, endpoint: server.url });
    await exportOnce();
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 1, exportFailures: 0 });
    expect(server.on('/v1/metrics')).toHaveLength(1);
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('traces: { certificate } trusts the CA for traces only', async () => {
    const server = await httpsServer();
    boot({ ...QUICK, endpoint: server.url, traces: { certificate: tls.caPath } });
    telemetry.counter('tls.requests.total');
    telemetry.startSpan('tls.span').end();
    await telemetry.forceFlush();
    const health = telemetry.getHealth().signals;
    expect(health.traces).toMatchObject({ exports: 1, exportFailures: 0 });
    expect(health.metrics).toMatchObject({ exports: 0, exportFailures: 1 });
    expect(server.requests.map((request) => request.path)).toEqual(['/v1/traces']);
  });

  it('mutual TLS: with clientKey and clientCertificate the server accepts the client', async () => {
    const server = await httpsServer(true);
    boot({ ...QUICK, endpoint: server.url, certificate: tls.caPath, clientKey: tls.clientKeyPath, clientCertificate: tls.clientCertPath });
    await exportOnce();
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 1, exportFailures: 0 });
    const [request] = server.on('/v1/metrics');
    expect(request.clientAuthorized).toBe(true);
    expect(request.clientSubject).toBe('otel-facade test client');
  });

  it('mutual TLS: without a client certificate the export fails and the server takes no request', async () => {
    const server = await httpsServer(true);
    const logger = boot({ ...QUICK, endpoint: server.url, certificate: tls.caPath });
    await exportOnce();
    expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 0, exportFailures: 1 });
    const failures = logger.matching(`metrics export to ${server.url}/v1/metrics failed:`);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('certificate required');
    expect(server.tlsErrors).toEqual([expect.stringContaining('peer did not return a certificate')]);
    expect(server.requests).toEqual([]);
  });

  it('mutual TLS without a client certificate hints at clientKey and clientCertificate', async () => {
    const server = await httpsServer(true);
    const logger = boot({ ...QUICK, endpoint: server.url, certificate: tls.caPath });
    await exportOnce();
    const [failure] = logger.matching(`metrics export to ${server.url}/v1/metrics failed:`);
    expect(failure).toContain('set clientKey and clientCertificate (OTEL_EXPORTER_OTLP_CLIENT_KEY, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE)');
    expect(failure).not.toContain('use an http:// URL');
  });

  it('a certificate file that does not exist, given in the config, throws TelemetryConfigError at initialize()', () => {
    const missing = `${tls.dir}/no-such-ca.pem`;
    let thrown: unknown;
    try {
      telemetry.initialize({ serviceName: 'config-wire', logger: new CapturingLogger(), certificate: missing });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(telemetry.TelemetryConfigError);
    const error = thrown as telemetry.TelemetryConfigError;
    expect(error.field).toBe('certificate');
    expect(error.value).toBe(missing);
    expect(error.message).toContain('ENOENT');
    expect(telemetry.getHealth().initialized).toBe(false);
  });

  it('the same for clientKey in a per-signal section', () => {
    const missing = `${tls.dir}/no-such-key.pem`;
    expect(() => telemetry.initialize({ serviceName: 'config-wire', logger: new CapturingLogger(), metrics: { clientKey: missing } }))
      .toThrow(expect.objectContaining({ name: 'TelemetryConfigError', field: 'metrics.clientKey' }) as unknown as Error);
    expect(telemetry.getHealth().initialized).toBe(false);
  });

  it('from OTEL_EXPORTER_OTLP_CERTIFICATE it is a warning naming the variable, and ignored: plain-http exports go on', async () => {
    const receiver = await collector();
    const missing = `${tls.dir}/no-such-ca.pem`;
    process.env.OTEL_EXPORTER_OTLP_CERTIFICATE = missing;
    const logger = boot({ ...QUICK, endpoint: receiver.url });
    expect(telemetry.getHealth().initialized).toBe(true);
    const warnings = logger.lines.filter((line) => line.level === 'warn').map((line) => line.message);
    expect(warnings).toEqual([expect.stringContaining(`OTEL_EXPORTER_OTLP_CERTIFICATE=${JSON.stringify(missing)}`)]);
    expect(warnings[0]).toContain('ignored');
    await exportOnce();
    expect(receiver.latest('tls.requests.total')).toHaveLength(1);
  });
});

describe('propagators: the headers tracedFetch sends', () => {
  /** Calls a loopback server from inside a span with baggage; returns the headers it got and the span's trace id. */
  async function call(config: TelemetryConfig): Promise<{ headers: IncomingHttpHeaders; traceId: string }> {
    const server = await serve();
    boot({ exporter: 'none', ...config });
    let traceId = '';
    await telemetry.withBaggage({ tenant: 'acme' }, () => telemetry.withSpan('caller', async () => {
      traceId = telemetry.currentTraceId() ?? '';
      const response = await telemetry.tracedFetch(`${server.url}/downstream`);
      await response.text();
    }));
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const [request] = server.on('/downstream');
    return { headers: request.headers, traceId };
  }

  const W3C = ['traceparent', 'tracestate', 'baggage'];
  const B3 = ['b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled'];

  it('by default: traceparent of the active trace, and the baggage', async () => {
    const { headers, traceId } = await call({});
    expect(headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(headers.baggage).toBe('tenant=acme');
    for (const name of [...B3, 'uber-trace-id']) expect(headers[name]).toBeUndefined();
  });

  it("propagators: ['b3'] sends the single b3 header and no traceparent or baggage", async () => {
    const { headers, traceId } = await call({ propagators: ['b3'] });
    expect(headers.b3).toMatch(new RegExp(`^${traceId}-[0-9a-f]{16}-1$`));
    for (const name of [...W3C, 'x-b3-traceid', 'uber-trace-id']) expect(headers[name]).toBeUndefined();
  });

  it('OTEL_PROPAGATORS=b3multi sends the x-b3-* headers', async () => {
    process.env.OTEL_PROPAGATORS = 'b3multi';
    const { headers, traceId } = await call({});
    expect(headers['x-b3-traceid']).toBe(traceId);
    expect(headers['x-b3-spanid']).toMatch(/^[0-9a-f]{16}$/);
    expect(headers['x-b3-sampled']).toBe('1');
    for (const name of [...W3C, 'b3', 'uber-trace-id']) expect(headers[name]).toBeUndefined();
  });

  it('OTEL_PROPAGATORS=jaeger sends uber-trace-id', async () => {
    process.env.OTEL_PROPAGATORS = 'jaeger';
    const { headers, traceId } = await call({});
    expect(headers['uber-trace-id']).toMatch(new RegExp(`^${traceId}:[0-9a-f]{16}:0:0?1$`));
    for (const name of [...W3C, ...B3]) expect(headers[name]).toBeUndefined();
  });

  it("propagators: ['none'] sends no propagation header at all", async () => {
    const { headers } = await call({ propagators: ['none'] });
    for (const name of [...W3C, ...B3, 'uber-trace-id']) expect(headers[name]).toBeUndefined();
  });

  it('OTEL_PROPAGATORS=tracecontext,b3 sends both, and still no baggage', async () => {
    process.env.OTEL_PROPAGATORS = 'tracecontext,b3';
    const { headers, traceId } = await call({});
    expect(headers.traceparent).toContain(traceId);
    expect(headers.b3).toContain(traceId);
    expect(headers.baggage).toBeUndefined();
  });
});

describe("logLevel / OTEL_LOG_LEVEL: OpenTelemetry's diag through our logger", () => {
  /** Every line of ours starts with `otel-facade: `; OpenTelemetry's own then say so. */
  const PREFIX = 'otel-facade: OpenTelemetry: ';
  const diagLines = (logger: CapturingLogger): string[] => logger.matching(PREFIX);

  it("logLevel: 'debug' passes the SDK's own debug lines and diag.debug() calls to the logger, prefixed", () => {
    const logger = boot({ exporter: 'none', logLevel: 'debug' });
    // The API says so itself when our providers are registered, after the diag logger is set.
    expect(logger.matching(`${PREFIX}@opentelemetry/api: Registered a global for trace`)).toHaveLength(1);
    diag.debug('config-wire probe', { attempt: 1 });
    expect(logger.lines).toContainEqual({ level: 'info', message: `${PREFIX}config-wire probe {"attempt":1}` });
  });

  it('OTEL_LOG_LEVEL=debug does the same', () => {
    process.env.OTEL_LOG_LEVEL = 'debug';
    const logger = boot({ exporter: 'none' });
    diag.debug('config-wire env probe');
    expect(logger.lines).toContainEqual({ level: 'info', message: `${PREFIX}config-wire env probe` });
  });

  it("logLevel: 'warn' passes warnings (as warnings) and holds debug lines back", () => {
    const logger = boot({ exporter: 'none', logLevel: 'warn' });
    diag.debug('config-wire quiet probe');
    diag.warn('config-wire loud probe');
    expect(diagLines(logger)).toEqual([`${PREFIX}config-wire loud probe`]);
    expect(logger.lines.find((line) => line.message.includes('loud probe'))?.level).toBe('warn');
  });

  it("by default ('none') nothing of diag reaches the logger", () => {
    const logger = boot({ exporter: 'none' });
    diag.debug('config-wire default probe');
    diag.error('config-wire default error probe');
    expect(diagLines(logger)).toEqual([]);
  });

  it('shutdown() removes the diag logger', async () => {
    const logger = boot({ exporter: 'none', logLevel: 'all' });
    diag.info('before shutdown');
    expect(logger.matching(`${PREFIX}before shutdown`)).toHaveLength(1);
    await telemetry.shutdown({ timeoutMs: 1000 });
    const count = logger.lines.length;
    diag.error('after shutdown');
    diag.info('after shutdown');
    expect(logger.lines).toHaveLength(count);
  });
});

describe('timeoutMs: the per-request timeout, on fake time', () => {
  /** HTTP requests the process has started (Node's own diagnostics channel), to know when one is on its way. */
  let clientRequests = 0;
  const countRequest = (): void => {
    clientRequests++;
  };
  beforeEach(() => {
    clientRequests = 0;
    subscribe('http.client.request.start', countRequest);
  });
  afterEach(() => {
    unsubscribe('http.client.request.start', countRequest);
  });

  /**
   * Under fake timers: lets every request started reach the hung collector (real I/O, the clock standing still),
   * then jumps to the next timer (a request's timeout, or the wait before a retry), until `done`. Time moves only
   * while nothing but a timer can make progress, so the fake times are exact.
   */
  async function stepThrough(done: () => boolean, receiver: LocalCollector): Promise<void> {
    for (let step = 0; step < 100; step++) {
      await runDueUntil(() => done() || (clientRequests > 0 && receiver.requestCount === clientRequests), 'the requests to reach the collector');
      if (done()) return;
      await jest.advanceTimersToNextTimerAsync();
    }
    throw new Error('the export did not finish within 100 timers');
  }

  it.each([
    ['timeoutMs: 200', {}, { timeoutMs: 200 }],
    ['OTEL_EXPORTER_OTLP_TIMEOUT=200', { OTEL_EXPORTER_OTLP_TIMEOUT: '200' }, {}],
  ] as const)('%s: a collector that never answers is given up after at most 200 ms a request, retried, and reported within the export deadline',
    async (_name, env, config) => {
      Object.assign(process.env, env);
      useFakeClock();
      const receiver = await collector();
      receiver.mode = { kind: 'hang' };
      const logger = boot({ endpoint: receiver.url, compression: 'none', exportTimeoutMs: 3000, traces: { exporter: 'none' }, ...config });
      telemetry.counter('slow.requests.total');
      const startedAt = Date.now();
      const done = settled(telemetry.forceFlush());
      await stepThrough(done, receiver);
      const tookMs = Date.now() - startedAt;

      const failures = logger.matching(`metrics export to ${receiver.url}/v1/metrics failed:`);
      expect(failures).toHaveLength(1);
      const waited = /no complete answer within (\d+) ms \(timeout\)/.exec(failures[0]);
      expect(waited).not.toBeNull();
      // Without the per-request timeout the one request would wait out the whole 3000 ms deadline.
      // A last retry the deadline cut short is not what is reported: the full-length tries' timeout is.
      expect(Number(waited?.[1])).toBe(200);
      expect(failures[0]).toContain('or allow a longer export timeout');
      expect(telemetry.getHealth().signals.metrics).toMatchObject({ exports: 0, exportFailures: 1 });
      // Each request gave up after 200 ms and was tried again (after 1 s, then 1.5 s, jittered by 20%).
      expect(receiver.requestCount).toBeGreaterThanOrEqual(2);
      expect(receiver.requestCount).toBeLessThanOrEqual(3);
      expect(tookMs).toBeLessThanOrEqual(3000);

      receiver.mode = { kind: 'ok' };
      telemetry.counter('slow.requests.total');
      const flushed = settled(telemetry.forceFlush());
      await runDueUntil(flushed, 'the next export');
      expect(receiver.latest('slow.requests.total')).toEqual([expect.objectContaining({ value: 2 })]);
    });


});

describe('the started line', () => {
  /** The prefix of every line the library says. */
  const OURS = 'otel-facade: ';
  it("useProfile('production', ...) says once: service, profile, where both signals go, how often, the sampling", async () => {
    const receiver = await collector();
    const logger = new CapturingLogger();
    telemetry.initialize(telemetry.useProfile('production', { serviceName: 'weather', endpoint: receiver.url, logger }));
    const started = logger.lines.filter((line) => line.message.startsWith(`${OURS}started `));
    expect(started).toHaveLength(1);
    expect(started[0].level).toBe('info');
    const line = started[0].message;
    expect(line.startsWith(`${OURS}started 'weather' (production profile)`)).toBe(true);
    expect(line).toContain(`metrics → otlp ${receiver.url}/v1/metrics every 30 s`);
    expect(line).toContain(`traces → otlp ${receiver.url}/v1/traces, sampling 0.1% of traces`);
  });

  it('goes to the console through the default logger, and a silent logger prints nothing at all', async () => {
    const receiver = await collector();
    const printed: unknown[][] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args);
      });
    }
    telemetry.initialize(telemetry.useProfile('production', { serviceName: 'weather', endpoint: receiver.url }));
    expect(printed.filter((args) => String(args[0]).startsWith(`${OURS}started 'weather' (production profile)`))).toHaveLength(1);
    await telemetry.shutdown({ timeoutMs: 1000 });

    printed.length = 0;
    const silent: DiagnosticLogger = { warn: () => undefined, info: () => undefined };
    telemetry.initialize(telemetry.useProfile('production', { serviceName: 'weather', endpoint: receiver.url, logger: silent, logLevel: 'all' }));
    telemetry.counter('quiet.total');
    diag.info('config-wire silent probe');
    await telemetry.forceFlush();
    await telemetry.shutdown({ timeoutMs: 1000 });
    expect(printed).toEqual([]);
    expect(receiver.latest('quiet.total')).toHaveLength(1);
  });
});

describe('deployment.environment.name on the resource', () => {
  let bed: TestBed | undefined;
  afterEach(async () => {
    await bed?.stop();
    bed = undefined;
  });

  async function exportedResource(config: TelemetryConfig): Promise<{ metrics: Record<string, unknown>; spans: Record<string, unknown> }> {
    bed = await startTestBed(config);
    telemetry.counter('env.requests.total');
    telemetry.startSpan('env.span').end();
    await telemetry.forceFlush();
    const [request] = bed.receiver.metricRequests;
    const [span] = bed.receiver.spans();
    return { metrics: request.resource, spans: span.resource };
  }

  it("is the profile named in the config (useProfile('production'))", async () => {
    // samplingRate 1: production samples 0.1% of traces, and the span must be exported to be read.
    const { metrics, spans } = await exportedResource(telemetry.useProfile('production', { samplingRate: 1 }));
    expect(metrics['deployment.environment.name']).toBe('production');
    expect(spans['deployment.environment.name']).toBe('production');
  });

  it('is the profile named by OTEL_FACADE_PROFILE', async () => {
    process.env.OTEL_FACADE_PROFILE = 'staging';
    const { metrics, spans } = await exportedResource({ samplingRate: 1 });
    expect(metrics['deployment.environment.name']).toBe('staging');
    expect(spans['deployment.environment.name']).toBe('staging');
    expect(telemetry.getHealth().profile).toBe('staging');
  });

  it('is absent when no profile was named (development by default)', async () => {
    const { metrics, spans } = await exportedResource({});
    expect(telemetry.getHealth().profile).toBe('development');
    expect(metrics).not.toHaveProperty(['deployment.environment.name']);
    expect(spans).not.toHaveProperty(['deployment.environment.name']);
    expect(metrics['service.name']).toBe('test-service'); // the resource did arrive
  });
});

describe('OTEL_BSP_* set the span batches', () => {
  it('OTEL_BSP_MAX_EXPORT_BATCH_SIZE=2: five spans arrive in requests of at most two spans', async () => {
    process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = '2';
    const bed = await startTestBed({ metrics: { exporter: 'none' } });
    toStop.push(() => bed.stop());
    for (let i = 0; i < 5; i++) telemetry.startSpan(`batched-${i}`).end();
    await telemetry.forceFlush();
    await eventually(() => bed.receiver.spans().length >= 5, 'five spans');
    const perRequest = bed.receiver.traceRequests.map((request) => countSpans(request));
    expect(perRequest.reduce((a, b) => a + b, 0)).toBe(5);
    expect(perRequest.length).toBeGreaterThanOrEqual(3);
    for (const count of perRequest) expect(count).toBeLessThanOrEqual(2);
    expect(bed.receiver.spans().map((span) => span.name).sort()).toEqual(['batched-0', 'batched-1', 'batched-2', 'batched-3', 'batched-4']);
  });
});

/** Spans in one decoded ExportTraceServiceRequest. */
function countSpans(request: Record<string, unknown>): number {
  const resourceSpans = request.resourceSpans as { scopeSpans: { spans: unknown[] }[] }[];
  return resourceSpans.reduce((total, rs) => total + rs.scopeSpans.reduce((sum, ss) => sum + ss.spans.length, 0), 0);
}

describe('credentials in the endpoint URL', () => {
  it('are never shown: not in the started line, the failure warning, or getHealth()', async () => {
    const receiver = await collector();
    receiver.mode = { kind: 'status', status: 401 };
    const endpoint = receiver.url.replace('http://', 'http://ops:pa55w0rd@');
    const logger = boot({ endpoint, traces: { exporter: 'none' } });
    telemetry.counter('creds.requests.total');
    await telemetry.forceFlush();
    const said = logger.lines.map((line) => line.message).join('\n');
    expect(said).toContain(`started 'config-wire'`);
    expect(said).toContain(`metrics export to ${receiver.url.replace('http://', 'http://***@')}/v1/metrics failed: HTTP 401`);
    expect(said).not.toContain('pa55w0rd');
    expect(JSON.stringify(telemetry.getHealth())).not.toContain('pa55w0rd');
    expect(receiver.requestCount).toBeGreaterThan(0);
  });
});
