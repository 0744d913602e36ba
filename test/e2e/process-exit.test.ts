import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { leftAfterShutdown, runScript, shortScript } from '../support/shortScript';

/** Starts `server` on a random loopback port; returns its URL and a stop function that drops every connection. */
async function serve(server: Server | ReturnType<typeof createTcpServer>): Promise<{ url: string; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const collectors: [string, () => Promise<{ url: string; stop: () => Promise<void> }>][] = [
  ['refuses connections (retries wait between attempts)', async () => {
    const server = await serve(createTcpServer());
    await server.stop();
    return { url: server.url, stop: async () => undefined };
  }],
  ['answers 503 (retries wait between attempts)', () => serve(createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(503).end('busy'));
  }))],
  ['accepts and never answers', () => serve(createServer((req) => req.resume()))],
  ['sends its headers, then drips one byte at a time', () => serve(createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      const drip = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(drip));
    });
  }))],
];

describe('a short script against a collector that misbehaves', () => {
  it.each(collectors)('%s: awaited calls complete, and nothing of ours keeps the process alive after shutdown()', async (_name, start) => {
    const collector = await start();
    try {
      const run = await runScript(shortScript(), { COLLECTOR: collector.url });
      expect(run.stdout).toContain('flushed');
      expect(leftAfterShutdown(run)).toEqual([]);
      expect(run).toMatchObject({ code: 0, signal: null });
      // It said what went wrong, naming the endpoint.
      expect(run.stderr).toContain(`${collector.url}/v1/metrics`);
    } finally {
      await collector.stop();
    }
  });
});
