import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** How a child process ended, and what it printed. */
export interface ScriptRun { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/**
 * Runs `script` with `node -e` in the repository, where `require('otel-facade')` is the built package (its own
 * `exports`), as an application would use it; `preload` files are given to `--require`.
 */
export function runScript(script: string, env: Record<string, string>, preload: readonly string[] = []): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const args = [...preload.flatMap((file) => ['--require', file]), '-e', script];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * A short script, as users write them: record, await forceFlush(), await shutdown(), then nothing. It exports to
 * `process.env.COLLECTOR` with `config` (source text of more fields) and prints what it reached and, after shutdown()
 * resolved, the resources still keeping its event loop alive (`after-shutdown [...]`). It must exit by itself.
 */
export function shortScript(config = ''): string {
  return `
  const t = require('otel-facade');
  t.initialize({ serviceName: 'short', endpoint: process.env.COLLECTOR, exportTimeoutMs: 2500, ${config}
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
}

/** The resources that held the event loop after shutdown(), as the short script printed them; undefined if it did not. */
export function leftAfterShutdown(run: ScriptRun): unknown {
  const after = /after-shutdown (.*)/.exec(run.stdout);
  return after === null ? undefined : JSON.parse(after[1]);
}
