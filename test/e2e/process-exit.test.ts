import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * A short script, as users write them: record, await forceFlush(), await shutdown(), then nothing. It prints what it
 * reached and, after shutdown() resolved, the resources still keeping its event loop alive. It must exit by itself.
 */
const SCRIPT = `
  const t = require('otel-facade');
  t.initialize({ serviceName: 'short', endpoint: process.env.COLLECTOR, exportTimeoutMs: 2500,
    spanBatch: { exportTimeoutMs: 2500 }, logger: { warn: (m) => console.error(m), info() {} } });
  t.counter('script.runs.total');
  t.startSpan('script.run').end();
  (async () => {
    await t.forceFlush();
    console.log('flushed');
    await t.shutdown({ timeoutMs: 1500 });
    // Destroyed sockets finish closing on the next turns of the loop; what is left after that holds the process.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const ours = process.getActiveResourcesInfo().filter((r) => !/TTYWrap|PipeWrap|FSReqCallback/.test(r));
    console.log('after-shutdown ' + JSON.stringify(ours));
  })();
`;

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function runScript(collector: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', SCRIPT], { cwd: ROOT, env: { ...process.env, COLLECTOR: collector }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

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
      const run = await runScript(collector.url);
      expect(run.stdout).toContain('flushed');
      const after = /after-shutdown (.*)/.exec(run.stdout);
      expect(after).not.toBeNull();
      expect(JSON.parse((after as RegExpExecArray)[1])).toEqual([]);
      expect(run).toMatchObject({ code: 0, signal: null });
      // It said what went wrong, naming the endpoint.
      expect(run.stderr).toContain(`${collector.url}/v1/metrics`);
    } finally {
      await collector.stop();
    }
  });
});
