/**
 * Waits for `predicate` by yielding to the event loop (setImmediate, which the tests never fake), so that I/O and
 * promise callbacks run; no timers and no wall-clock limit. Gives up after `maxTurns` turns, which only a bug
 * reaches.
 */
export async function eventually(predicate: () => boolean, what = 'the condition', maxTurns = 200_000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (predicate()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`${what} did not happen within ${maxTurns} turns of the event loop`);
}

/** Fake timers and clock that leave the event loop's own turns (I/O, setImmediate, nextTick) real. */
export function useFakeClock(now = 1_700_000_000_000): void {
  jest.useFakeTimers({ now, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
}

/** Whether a promise has settled, without waiting for it. */
export function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  void promise.then(() => { done = true; }, () => { done = true; });
  return () => done;
}

/** An injected clock: `now()` for the runtime, `advance()` for the test. */
export class ManualClock {
  constructor(private time = 1_700_000_000_000) {}

  /** The current time (ms since epoch). */
  readonly now = (): number => this.time;

  /** Moves time forward. */
  advance(ms: number): void {
    this.time += ms;
  }
}

/**
 * Under fake timers: runs the timers that are due and yields to the event loop, again and again, until `predicate`
 * holds, so that work mixing real I/O and (fake) zero-delay timers can finish. Never advances the clock.
 */
export async function runDueUntil(predicate: () => boolean, what = 'the condition', maxTurns = 100_000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (predicate()) return;
    await jest.advanceTimersByTimeAsync(0);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`${what} did not happen within ${maxTurns} turns of the event loop`);
}

/**
 * Under fake timers: moves the clock forward `stepMs` at a time, with turns of the event loop between steps so that
 * real I/O can schedule the next timers, until `predicate` holds; fails once `maxMs` of fake time have passed.
 */
export async function advanceUntil(predicate: () => boolean, what = 'the condition', stepMs = 50, maxMs = 60_000): Promise<void> {
  for (let elapsed = 0; elapsed <= maxMs; elapsed += stepMs) {
    await runDueUntil(() => true);
    for (let turn = 0; turn < 20 && !predicate(); turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    if (predicate()) return;
    await jest.advanceTimersByTimeAsync(stepMs);
  }
  throw new Error(`${what} did not happen within ${maxMs} ms of fake time`);
}
