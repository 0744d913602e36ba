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
