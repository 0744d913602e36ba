import type { ExportFailure } from './ExportFailure';

/** The least time left for which a request after the first of an export is started. */
const MIN_LEFT_MS = 50;
/** A later request starts only with this many times the slowest answer of the export so far left. */
const SLOWEST_FACTOR = 4;

/**
 * Decides whether an export that takes several requests has time left for the next one. A request started with
 * too little time left is cut off by the deadline while the collector may already have taken it: harmless for
 * cumulative values, which the next export carries again, but a delta it took would then be sent twice. So after
 * the first request, the next starts only with at least four times the slowest answer seen so far left, and never
 * under 50 ms; otherwise the export stops there, and what it did not send goes with the next one.
 */
export class RequestPacer {
  private slowestMs = 0;
  private requests = 0;

  constructor(
    /** The export's deadline (ms since epoch). */
    private readonly deadlineAt: number,
    private readonly now: () => number,
  ) {}

  /** Whether the next request may start. */
  allows(): boolean {
    return this.requests === 0 || this.deadlineAt - this.now() >= Math.max(MIN_LEFT_MS, SLOWEST_FACTOR * this.slowestMs);
  }

  /** Sends one request, timing its answer. */
  async time<T>(send: () => Promise<T>): Promise<T> {
    const startedAt = this.now();
    try {
      return await send();
    } finally {
      this.requests++;
      this.slowestMs = Math.max(this.slowestMs, this.now() - startedAt);
    }
  }

  /** Why the export stopped before its next request, after `sent` items had gone through. */
  stopped(sent: number): ExportFailure {
    return {
      kind: 'timeout',
      retryable: false,
      detail: `only ${Math.max(0, Math.round(this.deadlineAt - this.now()))} ms of the export's time were left, too little to start ` +
        `another request (the slowest answer of this export took ${Math.round(this.slowestMs)} ms; one cut off by the deadline ` +
        `might have been taken and then sent again); ${sent} items of this export went through, the rest go with the next one (timeout)`,
    };
  }
}
