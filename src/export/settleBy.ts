/**
 * Waits for `work` until `deadlineAt` (ms since epoch, read from `now`): true if it settled in time, false if the
 * deadline came first. The timer is unreferenced, so waiting never keeps the process alive.
 */
export async function settleBy(work: Promise<unknown>, deadlineAt: number, now: () => number = Date.now): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadlineAt - now()));
    timer.unref();
  });
  const settled = work.then(() => true as const, () => true as const);
  try {
    return await Promise.race([settled, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The deadline of a last attempt made before `deadlineAt`: a little earlier, so that the attempt's own timeout
 * fires first and its outcome (the real cause) is recorded before whoever waits on `deadlineAt` gives up.
 */
export function attemptDeadline(deadlineAt: number, now: number): number {
  const remaining = deadlineAt - now;
  return remaining <= 0 ? deadlineAt : deadlineAt - Math.min(100, remaining * 0.1);
}

/**
 * How long past its deadline a shutdown may take to give up what still runs and count it (aborting is immediate;
 * the aborted exports settle within an event-loop turn or two), so that health after shutdown holds the final counts.
 */
export const RELEASE_GRACE_MS = 100;
