import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as telemetry from '../../src/index';
import { deadPort } from '../support/net';
import { startTestBed, type TestBed } from '../support/telemetry';

/** What tracedFetch records, by the HTTP semantic conventions. */
describe('tracedFetch and the semantic conventions', () => {
  let bed: TestBed;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  afterEach(() => bed.stop());

  it('labels http.client.request.duration with an integer status code, and a request without an answer with error.type', async () => {
    bed = await startTestBed({ samplingRate: 1 });
    await (await telemetry.tracedFetch(`${url}/found`)).text();
    await (await telemetry.tracedFetch(`${url}/missing`)).text();
    const port = (server.address() as AddressInfo).port;
    const dead = await deadPort();
    await expect(telemetry.tracedFetch(`http://127.0.0.1:${dead}/x`)).rejects.toThrow();
    await telemetry.forceFlush();
    const points = bed.receiver.latest('http.client.request.duration').map((p) => p.attributes);
    expect(points).toEqual(expect.arrayContaining([
      { 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'server.port': port, 'http.response.status_code': 200 },
      { 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'server.port': port, 'http.response.status_code': 404 },
      { 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'server.port': dead, 'error.type': 'TypeError' },
    ]));
    expect(points).toHaveLength(3);
    const spans = bed.receiver.spans().filter((s) => s.kind === 'SPAN_KIND_CLIENT' || s.kind === '3' || s.kind === 'CLIENT');
    expect(spans.map((s) => s.attributes['http.response.status_code']).filter((v) => v !== undefined).sort()).toEqual([200, 404]);
    expect(bed.logger.matching('undeclared')).toEqual([]);
  });
});
