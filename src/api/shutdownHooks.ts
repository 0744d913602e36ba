import { shutdown } from './lifecycle';

/** Options of `installShutdownHooks()`. */
export interface ShutdownHookOptions {
  /** Longest time the final flush may take before the process goes on exiting; default 5000 ms. */
  timeoutMs?: number;
  /** Signals to flush on; default SIGTERM and SIGINT. */
  signals?: readonly NodeJS.Signals[];
}

/**
 * Flushes telemetry when the process ends: on SIGTERM and SIGINT (Kubernetes stops pods with SIGTERM) and on
 * `beforeExit` (a script that simply runs out of work). The flush never holds the exit longer than `timeoutMs`.
 * After a signal, if nothing else listens for it, the process exits as the signal would have made it (128 + its
 * number); if the application has its own handler, exiting is left to it. Opt-in; returns the function that
 * removes the hooks.
 *
 * @example installShutdownHooks({ timeoutMs: 3000 });
 */
export function installShutdownHooks(given: ShutdownHookOptions | null = {}): () => void {
  const options: ShutdownHookOptions = given ?? {};
  const timeoutMs = typeof options.timeoutMs === 'number' && options.timeoutMs > 0 && options.timeoutMs < 2 ** 31 ? options.timeoutMs : 5000;
  const signals = Array.isArray(options.signals) ? options.signals : ['SIGTERM', 'SIGINT'];
  let flushing: Promise<void> | undefined;
  const flush = (): Promise<void> => (flushing ??= shutdown({ timeoutMs }));

  const onSignal = (signal: NodeJS.Signals): void => {
    const othersListen = process.listenerCount(signal) > 1;
    // A second signal while flushing means "now": exit at once.
    if (flushing !== undefined && !othersListen) process.exit(128 + signalNumber(signal));
    const hardStop = setTimeout(() => process.exit(128 + signalNumber(signal)), timeoutMs + 250);
    hardStop.unref();
    void flush().then(() => {
      clearTimeout(hardStop);
      if (!othersListen) {
        remove();
        process.exit(128 + signalNumber(signal));
      }
    });
  };
  const onBeforeExit = (code: number): void => {
    if (flushing !== undefined) return;
    const started = Date.now();
    void flush().then(() => {
      // A hung export may keep sockets open after the deadline: do not let it hold the exit.
      if (Date.now() - started >= timeoutMs) process.exit(code);
    });
  };

  for (const signal of signals) process.on(signal, onSignal);
  process.on('beforeExit', onBeforeExit);
  const remove = (): void => {
    for (const signal of signals) process.off(signal, onSignal);
    process.off('beforeExit', onBeforeExit);
  };
  return remove;
}

function signalNumber(signal: NodeJS.Signals): number {
  return (require('node:os') as typeof import('node:os')).constants.signals[signal] ?? 15;
}
