import express from 'express';
import type { AddressInfo } from 'node:net';
import { IncomingMessage, get, type Server } from 'node:http';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode, trace, context } from '@opentelemetry/api';
import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';

describe('tracingMiddleware with Express', () => {
  let bed: TestBed;
  let spans: InMemorySpanExporter;
  let server: Server;
  let url: string;
  let activeInHandler: string | undefined;
  let ownRouteInHandler: PropertyDescriptor | undefined | 'unset' = 'unset';
  const slowResponses: import('node:http').ServerResponse[] = [];
  let slowArrived: (() => void) | undefined;

  beforeAll(async () => {
    // Another copy of the package (here: another module registry) installs the route accessor first; this copy's
    // middleware must still read what it captured (the map is shared through a global symbol).
    delete (IncomingMessage.prototype as { route?: unknown }).route;
    jest.isolateModules(() => {
      (jest.requireActual('../../src/api/middleware') as typeof import('../../src/api/middleware')).tracingMiddleware();
    });
    spans = new InMemorySpanExporter();
    bed = await startTestBed({}, { spanExporter: spans });
    const app = express();
    app.use(telemetry.tracingMiddleware());
    const api = express.Router();
    api.get('/users/:id', (req, res) => {
      activeInHandler = trace.getSpan(context.active())?.spanContext().spanId;
      ownRouteInHandler = Object.getOwnPropertyDescriptor(req, 'route');
      res.json({ ok: true });
    });
    api.get('/crash', () => {
      throw new Error('handler crashed');
    });
    api.get('/slow', (_req, res) => {
      slowResponses.push(res); // answered never: the client goes away first
      slowArrived?.();
    });
    app.use('/api', api);
    app.get('/ready', (req, res) => telemetry.healthHandler(req, res));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await bed.stop();
  });

  it('ends the span with status ERROR when the client closes the connection before the response', async () => {
    spans.reset();
    const controller = new AbortController();
    const arrived = new Promise<void>((resolve) => { slowArrived = resolve; });
    const request = fetch(`${url}/api/slow`, { signal: controller.signal }).catch(() => undefined);
    await arrived;
    const response = slowResponses[slowResponses.length - 1];
    const closed = new Promise((resolve) => response.once('close', resolve)); // after the middleware's own listener
    controller.abort();
    await request;
    await closed;
    await telemetry.forceFlush();
    const [aborted] = spans.getFinishedSpans().filter((s) => s.name === 'GET /api/slow');
    expect(aborted.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'connection closed before the response finished' });
    expect(aborted.attributes['error.type']).toBe('aborted');
    expect(aborted.attributes).not.toHaveProperty('http.response.status_code'); // nothing was answered
    const counted = bed.receiver.latest('http.server.request.count').find((p) => p.attributes['http.route'] === '/api/slow');
    expect(counted?.attributes).toEqual({ 'http.request.method': 'GET', 'http.route': '/api/slow', 'error.type': 'aborted' });
  });

  it('names SERVER spans by the route template (baseUrl + route.path), never the raw URL, and makes them active', async () => {
    spans.reset();
    await fetch(`${url}/api/users/123?x=1`);
    await fetch(`${url}/api/users/456`);
    await fetch(`${url}/api/crash`);
    await fetch(`${url}/no/such/page`);
    await fetch(`${url}/ready`);
    await telemetry.forceFlush();
    // The aborted request of the previous test may still end late; it is not part of this one.
    const list = spans.getFinishedSpans().filter((s) => s.name !== 'GET /api/slow');
    expect(list.map((s) => s.name).sort()).toEqual(['GET /api/crash', 'GET /api/users/:id', 'GET /api/users/:id', 'GET unmatched']);
    const user = list.find((s) => s.name === 'GET /api/users/:id') as (typeof list)[number];
    expect(user.kind).toBe(SpanKind.SERVER);
    expect(user.attributes).toMatchObject({ 'http.route': '/api/users/:id', 'http.response.status_code': 200, 'http.request.method': 'GET' });
    expect(list.map((s) => s.spanContext().spanId)).toContain(activeInHandler);
    // The template was captured without a property of ours on the request: its shape is Express's alone.
    expect(ownRouteInHandler).toBeUndefined();
    expect(list.find((s) => s.name === 'GET /api/crash')?.status.code).toBe(SpanStatusCode.ERROR);
    const counts = bed.receiver.latest('http.server.request.count').filter((p) => p.attributes['http.route'] !== '/api/slow');
    expect(counts.map((p) => [p.attributes['http.route'], p.attributes['http.response.status_code'], p.value]).sort()).toEqual([
      ['/api/crash', 500, 1], ['/api/users/:id', 200, 2], ['unmatched', 404, 1], // integers, as the conventions have them
    ]);
  });

  it('sets user_agent.original only when the request has a User-Agent header', async () => {
    spans.reset();
    await fetch(`${url}/api/users/1`, { headers: { 'user-agent': 'probe/1.0' } });
    await new Promise<void>((resolve, reject) => {
      get(`${url}/api/users/2`, (res) => res.resume().on('end', resolve)).on('error', reject); // node:http sends none
    });
    await telemetry.forceFlush();
    const byPath = new Map(spans.getFinishedSpans().map((s) => [s.attributes['url.path'], s.attributes]));
    expect(byPath.get('/api/users/1')?.['user_agent.original']).toBe('probe/1.0');
    expect(byPath.get('/api/users/2')).toBeDefined();
    expect(byPath.get('/api/users/2')).not.toHaveProperty('user_agent.original');
  });
});
