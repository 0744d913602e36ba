/** Lets the event loop run (I/O, timers, other callbacks waiting since this turn began), then resumes. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
