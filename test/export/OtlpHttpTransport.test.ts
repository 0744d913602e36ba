import { deadPort } from '../support/net';
import { spawn } from 'node:child_process';
import * as diagnostics from 'node:diagnostics_channel';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { OtlpHttpTransport, type RetryPolicy, type TransportOptions } from '../../src/export/OtlpHttpTransport';
import { VERSION } from '../../src/version';
import { eventually, ManualClock, settled, useFakeClock } from '../support/time';

/*
 * The transport against real loopback HTTP servers. Time never passes by itself here: setTimeout and Date are fake
 * (useFakeClock) while socket I/O, setImmediate and nextTick stay real, so a test moves time with
 * jest.advanceTimersByTimeAsync and waits for I/O with promises or `eventually` (turns of the event loop).
 */

const SMALL_RETRY: RetryPolicy = { maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 1000, multiplier: 2, jitter: 0 };
const MAX_RESPONSE_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// A loopback collector

/** One request as the collector received it. */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as it came over the wire (still compressed if it was). */
  readonly body: Buffer;
  readonly res: ServerResponse;
  readonly socket: Socket;
}

type Handler = (request: Received, index: number) => void;

/** An HTTP server on 127.0.0.1 with a random port that records requests and answers with `handler`. */
class Collector {
  readonly received: Received[] = [];
  /** Every connection accepted, in order. */
  readonly connections: Socket[] = [];
  private readonly closedSockets = new Map<Socket, Promise<void>>();
  private readonly server: Server;
  private arrivals: Array<() => void> = [];

  constructor(public handler: Handler) {
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.connections.push(socket);
      this.closedSockets.set(socket, new Promise((resolve) => socket.once('close', () => resolve())));
      this.notify();
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  url(path = '/v1/metrics'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Resolves once `count` requests have been received in full. */
  async requests(count: number): Promise<Received> {
    await this.until(() => this.received.length >= count);
    return this.received[count - 1];
  }

  /** Resolves once `count` connections have been accepted. */
  async accepted(count: number): Promise<Socket> {
    await this.until(() => this.connections.length >= count);
    return this.connections[count - 1];
  }

  /** Resolves when the server side of `socket` has closed. */
  closed(socket: Socket): Promise<void> {
    return this.closedSockets.get(socket) ?? Promise.reject(new Error('not a connection of this collector'));
  }

  /** Whether every accepted connection has closed. */
  allClosed(): Promise<void> {
    return Promise.all([...this.closedSockets.values()]).then(() => undefined);
  }

  async stop(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.allClosed();
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        res,
        socket: req.socket,
      };
      this.received.push(received);
      this.handler(received, this.received.length);
      this.notify();
    });
  }

  private until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (predicate()) resolve();
        else this.arrivals.push(check);
      };
      this.arrivals.push(check);
    });
  }

  private notify(): void {
    const waiting = this.arrivals;
    this.arrivals = [];
    for (const check of waiting) check();
  }
}

const answer = (status: number, body = '', headers: Record<string, string> = {}): Handler => ({ res }) => {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(body);
};
/** Accepts the request and never answers. */
const hang: Handler = () => {};

// ---------------------------------------------------------------------------------------------------------------
// Fixture: collectors, transports, client sockets and timers of each test

let collectors: Collector[] = [];
let transports: OtlpHttpTransport[] = [];

async function collector(handler: Handler): Promise<Collector> {
  const started = await new Collector(handler).start();
  collectors.push(started);
  return started;
}

function transport(url: string, options: Partial<TransportOptions> = {}): OtlpHttpTransport {
  const created = new OtlpHttpTransport({
    url,
    headers: {},
    compression: 'gzip',
    contentType: 'application/x-protobuf',
    retry: SMALL_RETRY,
    ...options,
  });
  transports.push(created);
  return created;
}

/** Every client socket opened in this process during the test (the transport's: the tests open none of their own). */
let clientSockets: Socket[] = [];
const onClientSocket = (message: unknown): void => {
  clientSockets.push((message as { socket: Socket }).socket);
};
/** Every answer the transport started to receive, with how many body bytes reached it. */
let responses: Array<{ response: IncomingMessage; bytes: number }> = [];
const onResponse = (message: unknown): void => {
  const entry = { response: (message as { response: IncomingMessage }).response, bytes: 0 };
  entry.response.on('data', (chunk: Buffer) => {
    entry.bytes += chunk.length;
  });
  responses.push(entry);
};
diagnostics.subscribe('net.client.socket', onClientSocket);
diagnostics.subscribe('http.client.response.finish', onResponse);
afterAll(() => {
  diagnostics.unsubscribe('net.client.socket', onClientSocket);
  diagnostics.unsubscribe('http.client.response.finish', onResponse);
});

/** The delays of every setTimeout call since the fake clock was installed: the transport's deadlines and waits. */
let timeouts: number[] = [];

/** Installs the fake clock and records the delays the transport asks setTimeout for. */
function fakeClock(): void {
  useFakeClock();
  const fakeSetTimeout = global.setTimeout;
  jest.spyOn(global, 'setTimeout').mockImplementation(((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    timeouts.push(ms ?? 0);
    return fakeSetTimeout(callback, ms, ...args);
  }) as typeof setTimeout);
}

/** Resolves once the transport has set a timer of `ms` (a retry wait) `times` times in all. */
const waitingFor = (ms: number, times = 1): Promise<void> =>
  eventually(() => timeouts.filter((t) => t === ms).length >= times, `a ${ms} ms wait`);

/** Lets pending I/O and callbacks run for a while (turns of the event loop, no time passes). */
async function idle(turns = 50): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

beforeEach(() => {
  collectors = [];
  transports = [];
  clientSockets = [];
  responses = [];
  timeouts = [];
  fakeClock();
});

afterEach(async () => {
  for (const created of transports) created.shutdown();
  jest.restoreAllMocks();
  jest.useRealTimers();
  await Promise.all(collectors.map((c) => c.stop()));
  // So that no test sees the sockets of the one before it still closing.
  await eventually(() => clientSockets.every((socket) => socket.closed), 'the client sockets closed');
});

const payload = (size = 1000): Buffer => Buffer.from(Array.from({ length: size }, (_, i) => (i * 7) % 256));


// ---------------------------------------------------------------------------------------------------------------

describe('OtlpHttpTransport: delivery', () => {
  it('posts the body gzip-compressed with content-encoding gzip, the content-type given and the configured headers, and returns the answer body', async () => {
    const server = await collector(answer(200, 'partial-success-bytes', { 'content-type': 'application/x-protobuf' }));
    const body = payload(5000);
    const sender = transport(server.url('/v1/metrics?tenant=a'), {
      headers: { authorization: 'Bearer abc', 'x-scope-orgid': 'team-7' },
      contentType: 'application/x-protobuf',
    });

    const result = await sender.send(body, Date.now() + 10_000);

    expect(result).toEqual({ ok: true, body: Buffer.from('partial-success-bytes'), attempts: 1 });
    expect(server.received).toHaveLength(1);
    const [request] = server.received;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/metrics?tenant=a');
    expect(request.headers).toMatchObject({
      'content-encoding': 'gzip',
      'content-type': 'application/x-protobuf',
      'content-length': String(request.body.length),
      authorization: 'Bearer abc',
      'x-scope-orgid': 'team-7',
      'user-agent': `otel-facade/${VERSION}`,
    });
    expect(request.body.equals(body)).toBe(false);
    expect(gunzipSync(request.body).equals(body)).toBe(true);
    // the request carries the query; messages show its values masked
    expect(sender.target).toBe(server.url('/v1/metrics?tenant=***'));
  });

  it("with compression 'none' sends the raw bytes and no content-encoding", async () => {
    const server = await collector(answer(200));
    const body = payload(256);
    const result = await transport(server.url(), { compression: 'none', contentType: 'application/json' }).send(body, Date.now() + 10_000);

    expect(result).toEqual({ ok: true, body: Buffer.alloc(0), attempts: 1 });
    const [request] = server.received;
    expect(request.body.equals(body)).toBe(true);
    expect(request.headers['content-encoding']).toBeUndefined();
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['content-length']).toBe('256');
  });

  it('sends the content-type given even when the configured headers name another one (in any case)', async () => {
    const server = await collector(answer(200));
    await transport(server.url(), { headers: { 'Content-Type': 'text/plain', 'x-extra': '1' }, contentType: 'application/json' })
      .send(payload(), Date.now() + 10_000);
    expect(server.received[0].headers['content-type']).toBe('application/json');
    expect(server.received[0].headers['x-extra']).toBe('1');
  });

  it('takes any 2xx, such as 204 with no body, as success', async () => {
    const server = await collector(({ res }) => {
      res.writeHead(204);
      res.end();
    });
    expect(await transport(server.url()).send(payload(), Date.now() + 10_000)).toEqual({ ok: true, body: Buffer.alloc(0), attempts: 1 });
  });

  it('reuses one keep-alive connection for consecutive sends', async () => {
    const server = await collector(answer(200, 'ok'));
    const sender = transport(server.url());
    for (let i = 0; i < 3; i++) expect(await sender.send(payload(), Date.now() + 10_000)).toMatchObject({ ok: true, attempts: 1 });
    expect(server.received).toHaveLength(3);
    expect(server.connections).toHaveLength(1);
    expect(clientSockets).toHaveLength(1);
  });

  it('never rejects, even for a URL it cannot post to (an unsupported protocol), and does not retry that', async () => {
    const result = await transport('ftp://127.0.0.1:1/v1/metrics').send(payload(), Date.now() + 10_000);
    expect(result).toMatchObject({ ok: false, attempts: 1, failure: { kind: 'network', retryable: false } });
    expect(clientSockets).toHaveLength(0);
  });
});

describe('OtlpHttpTransport: HTTP failures and retries', () => {
  it('does not retry a 400 and quotes the answer: HTTP 400 Bad Request: <answer text>', async () => {
    const server = await collector(answer(400, 'invalid metric name "a b"'));
    const result = await transport(server.url()).send(payload(), Date.now() + 10_000);

    expect(result).toEqual({
      ok: false,
      attempts: 1,
      failure: { kind: 'http', status: 400, retryable: false, retryAfterMs: undefined, detail: 'HTTP 400 Bad Request: invalid metric name "a b"' },
    });
    await idle();
    expect(server.received).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('quotes only the start of a long answer text, on one line', async () => {
    const long = `first line\n\n  second\tline ${'x'.repeat(5000)}`;
    const server = await collector(answer(400, long));
    const result = await transport(server.url()).send(payload(), Date.now() + 10_000);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    const quoted = `first line second line ${'x'.repeat(5000)}`.slice(0, 200);
    expect(result.failure.detail).toBe(`HTTP 400 Bad Request: ${quoted}...`);
    expect(result.failure.detail).not.toMatch(/[\n\t]/);
  });

  it('quotes a protobuf answer (a Status message) by its printable runs', async () => {
    const status = Buffer.concat([Buffer.from([0x08, 0x03, 0x12, 0x0f]), Buffer.from('bad datapoints!')]);
    const server = await collector(answer(400, status as unknown as string, { 'content-type': 'application/x-protobuf' }));
    const result = await transport(server.url()).send(payload(), Date.now() + 10_000);
    expect(result).toMatchObject({ ok: false, failure: { detail: 'HTTP 400 Bad Request: bad datapoints!' } });
  });

  it.each([500, 401, 404, 413])('does not retry HTTP %i', async (status) => {
    const server = await collector(answer(status, 'no'));
    const result = await transport(server.url()).send(payload(), Date.now() + 10_000);
    expect(result).toMatchObject({ ok: false, attempts: 1, failure: { kind: 'http', status, retryable: false } });
    await idle();
    expect(server.received).toHaveLength(1);
  });

  it('retries a 503 up to maxAttempts with exponential backoff, and the final failure still says HTTP 503', async () => {
    const server = await collector(answer(503, 'collector overloaded'));
    const body = payload();
    const sending = transport(server.url()).send(body, Date.now() + 10_000);

    await server.requests(1);
    await waitingFor(100);
    await jest.advanceTimersByTimeAsync(99);
    await idle();
    expect(server.received).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await server.requests(2);
    await waitingFor(200);
    await jest.advanceTimersByTimeAsync(199);
    await idle();
    expect(server.received).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);

    expect(await sending).toEqual({
      ok: false,
      attempts: 3,
      failure: { kind: 'http', status: 503, retryable: true, retryAfterMs: undefined, detail: 'HTTP 503 Service Unavailable: collector overloaded' },
    });
    expect(server.received).toHaveLength(3);
    for (const request of server.received) expect(gunzipSync(request.body).equals(body)).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it.each([429, 502, 504])('retries HTTP %i and succeeds once the collector recovers', async (status) => {
    const server = await collector((request, index) => answer(index === 1 ? status : 200, index === 1 ? 'later' : 'ok')(request, index));
    const sending = transport(server.url()).send(payload(), Date.now() + 10_000);
    await waitingFor(100);
    await jest.advanceTimersByTimeAsync(100);
    expect(await sending).toEqual({ ok: true, body: Buffer.from('ok'), attempts: 2 });
  });

  it('honours Retry-After: 1 on a 429, trying again after 1000 ms and not before', async () => {
    const server = await collector((request, index) =>
      (index === 1 ? answer(429, 'slow down', { 'retry-after': '1' }) : answer(200, 'ok'))(request, index));
    const sending = transport(server.url()).send(payload(), Date.now() + 10_000);

    await server.requests(1);
    await waitingFor(1000);
    await jest.advanceTimersByTimeAsync(999);
    await idle();
    expect(server.received).toHaveLength(1);
    expect(settled(sending)()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await server.requests(2);

    expect(await sending).toEqual({ ok: true, body: Buffer.from('ok'), attempts: 2 });
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 3000).toUTCString();
    const server = await collector((request, index) =>
      (index === 1 ? answer(503, '', { 'retry-after': at }) : answer(200, 'ok'))(request, index));
    const sending = transport(server.url()).send(payload(), Date.now() + 10_000);

    await waitingFor(3000);
    await jest.advanceTimersByTimeAsync(2999);
    await idle();
    expect(server.received).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(await sending).toEqual({ ok: true, body: Buffer.from('ok'), attempts: 2 });
  });

  it('starts no retry whose backoff would pass the deadline: the result is the real failure, not a vaguer timeout', async () => {
    const server = await collector(answer(503, 'busy'));
    const result = await transport(server.url()).send(payload(), Date.now() + 50);

    expect(result).toEqual({
      ok: false,
      attempts: 1,
      failure: { kind: 'http', status: 503, retryable: true, retryAfterMs: undefined, detail: 'HTTP 503 Service Unavailable: busy' },
    });
    expect(jest.getTimerCount()).toBe(0);
    expect(server.received).toHaveLength(1);
  });

  it('starts no retry when Retry-After would pass the deadline', async () => {
    const server = await collector(answer(429, 'quota', { 'retry-after': '30' }));
    const result = await transport(server.url()).send(payload(), Date.now() + 10_000);

    expect(result).toMatchObject({ ok: false, attempts: 1, failure: { kind: 'http', status: 429, retryAfterMs: 30_000, detail: 'HTTP 429 Too Many Requests: quota' } });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('caps the backoff at maxBackoffMs and applies the jitter', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.75); // +25% with jitter 0.5
    const server = await collector(answer(503));
    const sending = transport(server.url(), {
      retry: { maxAttempts: 4, initialBackoffMs: 400, maxBackoffMs: 1000, multiplier: 2, jitter: 0.5 },
    }).send(payload(), Date.now() + 60_000);

    // 400 * 1.25 = 500, then 800 * 1.25 = 1000, then 1000 (capped) * 1.25 capped to 1000.
    await waitingFor(500);
    await jest.advanceTimersByTimeAsync(500);
    await waitingFor(1000);
    await jest.advanceTimersByTimeAsync(1000);
    await waitingFor(1000, 2);
    await jest.advanceTimersByTimeAsync(1000);
    expect(await sending).toMatchObject({ ok: false, attempts: 4, failure: { status: 503 } });
    expect(server.received).toHaveLength(4);
  });

  it('measures the deadline with the injected clock', async () => {
    const clock = new ManualClock(5_000_000);
    const server = await collector(answer(200));
    const sender = transport(server.url(), { now: clock.now });
    expect(await sender.send(payload(), clock.now() + 1000)).toMatchObject({ ok: true, attempts: 1 });
    // Date.now() is far earlier than the injected clock: a deadline in the injected clock's past has passed.
    expect(await sender.send(payload(), clock.now())).toMatchObject({ ok: false, attempts: 0, failure: { kind: 'timeout' } });
    expect(server.received).toHaveLength(1);
  });
});

describe('OtlpHttpTransport: network failures and the deadline', () => {
  it('names ECONNREFUSED for a port nothing listens on, after retrying it', async () => {
    const port = await deadPort();
    const sending = transport(`http://127.0.0.1:${port}/v1/metrics`).send(payload(), Date.now() + 10_000);

    await waitingFor(100);
    await jest.advanceTimersByTimeAsync(100);
    await waitingFor(200);
    await jest.advanceTimersByTimeAsync(200);
    const result = await sending;

    expect(result).toMatchObject({ ok: false, attempts: 3, failure: { kind: 'network', code: 'ECONNREFUSED', retryable: true } });
    if (result.ok) return;
    expect(result.failure.detail).toContain('ECONNREFUSED');
    expect(result.failure.detail).toContain(String(port));
    expect(clientSockets).toHaveLength(3);
  });

  it('fails at once with a timeout when the deadline has already passed, without connecting', async () => {
    const server = await collector(answer(200));
    const result = await transport(server.url()).send(payload(), Date.now() - 1);
    expect(result).toMatchObject({ ok: false, attempts: 0, failure: { kind: 'timeout', detail: 'the export deadline passed before the request could be sent (timeout)' } });
    expect(clientSockets).toHaveLength(0);
    expect(server.connections).toHaveLength(0);
  });

  it('gives up on a collector that accepts and never answers when the deadline passes, and closes the socket', async () => {
    const server = await collector(hang);
    const sending = transport(server.url()).send(payload(), Date.now() + 2000);
    const isSettled = settled(sending);

    const request = await server.requests(1);
    await jest.advanceTimersByTimeAsync(1999);
    await idle();
    expect(isSettled()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);

    expect(await sending).toEqual({
      ok: false,
      attempts: 1,
      failure: { kind: 'timeout', retryable: true, detail: 'no complete answer within 2000 ms (timeout)' },
    });
    await server.closed(request.socket);
    expect(clientSockets).toHaveLength(1);
    expect(clientSockets[0].destroyed).toBe(true);
    expect(server.received).toHaveLength(1);
  });

  it('cuts off an answer that drips in byte by byte at the deadline, and destroys its socket', async () => {
    const server = await collector(({ res }) => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '100000' });
      res.write('x');
      const drip = setInterval(() => res.write('x'), 100); // the fake clock drives the drip
      res.on('close', () => clearInterval(drip));
    });
    const sending = transport(server.url()).send(payload(), Date.now() + 1000);
    const isSettled = settled(sending);

    await eventually(() => responses.length === 1 && responses[0].bytes >= 1, 'the first byte');
    for (let ms = 100; ms < 1000; ms += 100) {
      await jest.advanceTimersByTimeAsync(100);
      await eventually(() => responses[0].bytes >= 1 + ms / 100, `the byte sent at ${ms} ms`);
      expect(isSettled()).toBe(false);
    }
    await jest.advanceTimersByTimeAsync(100);

    expect(await sending).toEqual({
      ok: false,
      attempts: 1,
      failure: { kind: 'timeout', retryable: true, detail: 'no complete answer within 1000 ms (timeout)' },
    });
    expect(responses[0].bytes).toBeGreaterThanOrEqual(10);
    expect(clientSockets).toHaveLength(1);
    expect(clientSockets[0].destroyed).toBe(true);
    await server.closed(server.connections[0]);
  });

  // Regression: a per-attempt timer above 2^31-1 ms (about 24.8 days, or Infinity) overflows, and Node would fire it
  // after 1 ms; the transport clamps it.
  it('waits for the answer when the deadline is further away than a 32-bit timer reaches (30 days)', async () => {
    const server = await collector(hang);
    const sending = transport(server.url(), { retry: { ...SMALL_RETRY, maxAttempts: 1 } }).send(payload(), Date.now() + 30 * 24 * 3600 * 1000);
    const isSettled = settled(sending);
    await server.requests(1);

    await jest.advanceTimersByTimeAsync(1000);
    await idle();

    expect(isSettled()).toBe(false);
  });

  it('reports a connection the collector drops mid-answer as a network failure (ECONNRESET)', async () => {
    const server = await collector(({ res, socket }) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial', () => socket.destroy());
    });
    const result = await transport(server.url(), { retry: { ...SMALL_RETRY, maxAttempts: 1 } }).send(payload(), Date.now() + 10_000);
    expect(result).toMatchObject({ ok: false, attempts: 1, failure: { kind: 'network', code: 'ECONNRESET', retryable: true } });
  });

  it('retries a connection reset before any answer and succeeds on the next attempt', async () => {
    const server = await collector((request, index) => (index === 1 ? request.socket.destroy() : answer(200, 'ok')(request, index)));
    const sending = transport(server.url()).send(payload(), Date.now() + 10_000);
    await waitingFor(100);
    await jest.advanceTimersByTimeAsync(100);
    expect(await sending).toEqual({ ok: true, body: Buffer.from('ok'), attempts: 2 });
    expect(server.connections).toHaveLength(2);
  });
});

describe('OtlpHttpTransport: bounded answers', () => {
  const big = Buffer.from(Array.from({ length: 5 * 1024 * 1024 }, (_, i) => 0x41 + (i % 26)));

  it('returns at most 64 KB of a 5 MB 2xx answer, its start', async () => {
    const server = await collector(({ res }) => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end(big);
    });
    const result = await transport(server.url()).send(payload(), Date.now() + 10_000);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.body.length).toBe(MAX_RESPONSE_BYTES);
    expect(result.body.equals(big.subarray(0, MAX_RESPONSE_BYTES))).toBe(true);
  });

  it('keeps the failure detail of a 5 MB error answer short', async () => {
    const server = await collector(({ res }) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end(big);
    });
    const result = await transport(server.url(), { retry: { ...SMALL_RETRY, maxAttempts: 1 } }).send(payload(), Date.now() + 10_000);
    expect(result).toMatchObject({ ok: false, failure: { status: 503 } });
    if (result.ok) return;
    expect(result.failure.detail).toBe(`HTTP 503 Service Unavailable: ${big.subarray(0, 200).toString()}...`);
  });

  it('stops reading a 2xx answer that never ends once it has 64 KB: the status decides, the socket is destroyed', async () => {
    const server = await collector(({ res }) => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.write(big); // chunked, never ended
    });
    const result = await transport(server.url()).send(payload(), Date.now() + 1000);
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    if (!result.ok) return;
    expect(result.body.length).toBe(64 * 1024);
    await eventually(() => clientSockets[0].destroyed, 'the client socket destroyed');
  });
});

describe('OtlpHttpTransport: shutdown', () => {
  it('resolves a send in flight with kind closed at once, and destroys its socket', async () => {
    const server = await collector(hang);
    const sender = transport(server.url());
    const sending = sender.send(payload(), Date.now() + 10_000);
    const request = await server.requests(1);

    sender.shutdown();

    expect(await sending).toEqual({ ok: false, attempts: 1, failure: { kind: 'closed', retryable: false, detail: 'abandoned at shutdown: no complete answer after 0 ms' } });
    expect(clientSockets).toHaveLength(1);
    expect(clientSockets[0].destroyed).toBe(true);
    await server.closed(request.socket);
    expect(jest.getTimerCount()).toBe(0);
  });

  // Regression: the answer's own 'error' (ECONNRESET "aborted", raised by destroying the request) must read as closed.
  it('resolves a send whose answer is dripping in at once, as closed (not a network failure), and destroys its socket', async () => {
    const server = await collector(({ res }) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('x');
    });
    const sender = transport(server.url());
    const sending = sender.send(payload(), Date.now() + 10_000);
    await eventually(() => responses.length === 1 && responses[0].bytes === 1, 'the first byte of the answer');

    sender.shutdown();

    expect(await sending).toMatchObject({ ok: false, attempts: 1, failure: { kind: 'closed' } });
    expect(clientSockets[0].destroyed).toBe(true);
    await server.closed(server.connections[0]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ends a retry wait at once', async () => {
    const server = await collector(answer(503, 'busy'));
    const sender = transport(server.url(), { retry: { ...SMALL_RETRY, initialBackoffMs: 5000, maxBackoffMs: 5000 } });
    const sending = sender.send(payload(), Date.now() + 60_000);
    await waitingFor(5000);
    expect(jest.getTimerCount()).toBe(1);

    sender.shutdown();

    // The cause it was about to retry is kept, not replaced by the shutdown.
    expect(await sending).toEqual({
      ok: false, attempts: 1, failure: { kind: 'closed', retryable: false, detail: 'abandoned at shutdown while retrying after: HTTP 503 Service Unavailable: busy' },
    });
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(60_000);
    await idle();
    expect(server.received).toHaveLength(1);
  });

  it('fails a send after shutdown at once with kind closed, connecting nowhere; shutting down twice is harmless', async () => {
    const server = await collector(answer(200));
    const sender = transport(server.url());
    sender.shutdown();
    sender.shutdown();

    expect(await sender.send(payload(), Date.now() + 10_000)).toEqual({
      ok: false,
      attempts: 0,
      failure: { kind: 'closed', retryable: false, detail: 'abandoned: telemetry is shutting down' },
    });
    expect(clientSockets).toHaveLength(0);
    expect(server.connections).toHaveLength(0);
  });

  it('closes the idle keep-alive connection of an earlier send', async () => {
    const server = await collector(answer(200, 'ok'));
    const sender = transport(server.url());
    expect(await sender.send(payload(), Date.now() + 10_000)).toMatchObject({ ok: true });
    expect(clientSockets[0].destroyed).toBe(false);

    sender.shutdown();

    expect(clientSockets[0].destroyed).toBe(true);
    await server.closed(server.connections[0]);
  });

  it('resolves every send in flight as closed, and destroys every socket', async () => {
    const server = await collector(hang);
    const sender = transport(server.url());
    const sendings = Array.from({ length: 6 }, () => sender.send(payload(), Date.now() + 10_000));
    await server.requests(6);

    sender.shutdown();

    const results = await Promise.all(sendings);
    for (const result of results) expect(result).toMatchObject({ ok: false, failure: { kind: 'closed' } });
    await eventually(() => clientSockets.every((socket) => socket.destroyed), 'every client socket destroyed');
    await server.allClosed();
  });

  // A capped agent would queue requests and, after shutdown(), open a fresh connection for them when a socket closes;
  // the transport's agent has no cap, so nothing is ever queued.
  it('opens no new connection to the collector after shutdown', async () => {
    const server = await collector(hang);
    const sender = transport(server.url());
    const sendings = Array.from({ length: 6 }, () => sender.send(payload(), Date.now() + 10_000));
    await server.requests(6);
    expect(clientSockets).toHaveLength(6);

    sender.shutdown();
    await Promise.all(sendings);

    expect(clientSockets.length).toBe(6);
  });
});

describe('OtlpHttpTransport: nothing of it keeps the process alive after shutdown', () => {
  const count = (type: string): number => process.getActiveResourcesInfo().filter((t) => t === type).length;

  beforeEach(async () => {
    jest.restoreAllMocks();
    jest.useRealTimers();
    // A connection destroyed while connecting (as by shutdown() in an earlier test) leaves its handle until the connect
    // completes; the counts below start from none. This test process opens no TCP socket of its own.
    await eventually(() => count('ConnectWrap') === 0 && count('TCPSocketWrap') === 0, 'the sockets of earlier tests gone');
  });

  /** Records the timers the code under test sets (real timers), to check that none of them is referenced. */
  function recordTimers(): Array<{ ms: number; timer: NodeJS.Timeout }> {
    const timers: Array<{ ms: number; timer: NodeJS.Timeout }> = [];
    const realSetTimeout = global.setTimeout;
    jest.spyOn(global, 'setTimeout').mockImplementation(((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const timer = realSetTimeout(callback, ms, ...args);
      timers.push({ ms: ms ?? 0, timer });
      return timer;
    }) as typeof setTimeout);
    return timers;
  }

  it('leaves no socket or timer among the active resources after a send in flight is shut down', async () => {
    const server = await collector(hang);
    const timers = recordTimers();
    const baseline = { sockets: count('TCPSocketWrap'), timeouts: count('Timeout') };
    const sender = transport(server.url());
    const sending = sender.send(payload(), Date.now() + 600_000);
    const request = await server.requests(1);
    // In flight: the client socket (and the server's side of it) keep the loop alive; the deadline timer does not.
    expect(count('TCPSocketWrap')).toBeGreaterThanOrEqual(baseline.sockets + 2);
    expect(count('Timeout')).toBeLessThanOrEqual(baseline.timeouts);
    expect(timers.map(({ ms, timer }) => ({ ms, referenced: timer.hasRef() }))).toEqual([{ ms: expect.any(Number), referenced: false }]);

    sender.shutdown();

    expect(await sending).toMatchObject({ ok: false, failure: { kind: 'closed' } });
    await server.closed(request.socket);
    await eventually(() => count('TCPSocketWrap') <= baseline.sockets, 'the sockets gone from the active resources');
    expect(count('Timeout')).toBeLessThanOrEqual(baseline.timeouts);
  });

  it('holds no active timer during a retry wait, and none after shutdown ends it', async () => {
    const server = await collector(answer(503));
    const timers = recordTimers();
    const baseline = count('Timeout');
    const sender = transport(server.url(), { retry: { ...SMALL_RETRY, initialBackoffMs: 300_000, maxBackoffMs: 300_000 } });
    const sending = sender.send(payload(), Date.now() + 600_000);
    await eventually(() => timers.some(({ ms }) => ms === 300_000), 'the retry wait');
    expect(count('Timeout')).toBeLessThanOrEqual(baseline);
    expect(timers.every(({ timer }) => !timer.hasRef())).toBe(true);

    sender.shutdown();

    expect(await sending).toMatchObject({ ok: false, attempts: 1, failure: { kind: 'closed' } });
    await server.allClosed();
    expect(count('Timeout')).toBeLessThanOrEqual(baseline);
  });

  /** Runs the transport (from src, through ts-node) in a child process that exits only when nothing keeps it alive. */
  function runChild(url: string, mode: 'in-flight' | 'retry-wait'): { exited: Promise<{ code: number | null; stdout: string; stderr: string }>; shutdown: () => void } {
    const root = resolvePath(__dirname, '../..');
    const script = `
      require(${JSON.stringify(resolvePath(root, 'node_modules/ts-node'))}).register({ transpileOnly: true, project: ${JSON.stringify(resolvePath(root, 'tsconfig.json'))} });
      const { OtlpHttpTransport } = require(${JSON.stringify(resolvePath(root, 'src/export/OtlpHttpTransport.ts'))});
      const [url, mode] = process.argv.slice(1);
      const realSetTimeout = setTimeout;
      global.setTimeout = (callback, ms, ...args) => {
        if (ms === 300000) process.send('waiting');
        return realSetTimeout(callback, ms, ...args);
      };
      const transport = new OtlpHttpTransport({
        url, headers: {}, compression: 'gzip', contentType: 'application/x-protobuf',
        retry: { maxAttempts: 5, initialBackoffMs: 300000, maxBackoffMs: 300000, multiplier: 1, jitter: 0 },
      });
      const sending = transport.send(Buffer.from('payload'), Date.now() + 600000);
      process.once('message', () => {
        transport.shutdown();
        sending.then((result) => {
          process.stdout.write(JSON.stringify(result));
          process.disconnect();
        });
      });
    `;
    const child = spawn(process.execPath, ['-e', script, url, mode], { cwd: root, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.once('exit', (code) => resolve({ code, stdout, stderr })));
    const waiting = new Promise<void>((resolve) => child.once('message', () => resolve()));
    return {
      exited,
      shutdown: () => {
        if (mode === 'retry-wait') void waiting.then(() => child.send('shutdown'));
        else child.send('shutdown');
      },
    };
  }

  it('lets a process with a send in flight to a hanging collector exit on its own after shutdown()', async () => {
    const server = await collector(hang);
    const child = runChild(server.url(), 'in-flight');
    const request = await server.requests(1);
    expect(request.headers['content-encoding']).toBe('gzip');

    child.shutdown();

    const { code, stdout, stderr } = await child.exited;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, attempts: 1, failure: { kind: 'closed' } });
    await server.closed(request.socket);
  });

  it('lets a process waiting to retry exit on its own after shutdown()', async () => {
    const server = await collector(answer(503, 'busy'));
    const child = runChild(server.url(), 'retry-wait');
    await server.requests(1);

    child.shutdown();

    const { code, stdout, stderr } = await child.exited;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, attempts: 1, failure: { kind: 'closed' } });
    await server.allClosed();
  });
});
