import {
  CLOSED_FAILURE,
  closedFailure,
  DEADLINE_PASSED_FAILURE,
  networkFailure,
  SUPERSEDED_FAILURE,
  timeoutFailure,
  type ExportFailure,
} from './ExportFailure';

/** How failed requests are tried again: exponential backoff with jitter, as the OTLP specification describes. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt. */
  initialBackoffMs: number;
  /** Longest wait between attempts. */
  maxBackoffMs: number;
  /** Growth of the wait per attempt. */
  multiplier: number;
  /** Random share added or taken from each wait, so that many pods do not retry in step. */
  jitter: number;
}

/** The retry policy unless one is given: 5 attempts, 1 s growing 1.5x up to 5 s, ±20%. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, initialBackoffMs: 1000, maxBackoffMs: 5000, multiplier: 1.5, jitter: 0.2 };

/** What one `send()` came to. */
export type SendResult =
  | { readonly ok: true; readonly body: Buffer; readonly attempts: number }
  | { readonly ok: false; readonly failure: ExportFailure; readonly attempts: number };

/** What one attempt came to: the collector's answer, or why there was none. */
export type AttemptResult = { ok: true; body: Buffer } | { ok: false; failure: ExportFailure };

/** Shortest wait before a retry, even when the collector says `Retry-After: 0`. */
const MIN_RETRY_WAIT_MS = 100;

/**
 * What every OTLP transport shares: one `send()` tries again on retryable failures, with the specification's backoff,
 * while the deadline of the whole export leaves time; every attempt and every wait can be given up
 * (`abortInFlight()`, `shutdown()`), and the waits are unreferenced timers, so nothing of it keeps the process
 * alive. A transport says how one attempt goes (`attempt`, keeping what it started with `track` until it is done),
 * how to end one attempt under way (`cancel`, after which it resolves with `abandonedBy`'s failure) and what to
 * release at shutdown. `Call` is what an attempt starts: a request, a gRPC call.
 */
export abstract class RetryingTransport<Call extends object> {
  /** Set by `shutdown()`: later sends fail at once. */
  protected closed = false;
  /** Advanced by `abortInFlight()`: sends begun before it give up. */
  private generation = 0;
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  /** The calls of the attempts under way, and those this transport ended itself. */
  private readonly inFlight = new Set<Call>();
  private readonly aborted = new WeakSet<Call>();

  constructor(
    private readonly retry: RetryPolicy,
    protected readonly now: () => number,
    /** How long one attempt may wait for its answer, within the deadline of the send; unbounded but by it when absent. */
    private readonly requestTimeoutMs: number | undefined,
  ) {}

  /** Where requests go, as messages show it (credentials masked). */
  abstract get target(): string;

  /** The payload sent for `body` (compressed, for HTTP); runs once per send. */
  protected prepare(body: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(body);
  }

  /** One attempt, which gets its answer within `timeoutMs` or fails. Never rejects. */
  protected abstract attempt(payload: Uint8Array, timeoutMs: number): Promise<AttemptResult>;

  /** Ends one call under way; its attempt then resolves with the failure `abandonedBy` gives. */
  protected abstract cancel(call: Call): void;

  /** Keeps a call under way, so that it can be ended; `untrack` it once its attempt is done. */
  protected track(call: Call): void {
    this.inFlight.add(call);
  }

  protected untrack(call: Call): void {
    this.inFlight.delete(call);
  }

  /** Ends the attempts under way. */
  private cancelAttempts(): void {
    for (const call of this.inFlight) {
      this.aborted.add(call);
      this.cancel(call);
    }
    this.inFlight.clear();
  }

  /** Why a call this transport ended itself failed, if it did. */
  protected abandonedBy(call: Call | undefined): ExportFailure | undefined {
    if (this.closed) return this.abandoned();
    return call !== undefined && this.aborted.has(call) ? this.abandoned() : undefined;
  }

  /** Releases sockets or channels for good. */
  protected abstract release(): void;

  /** Why an attempt this transport ended itself failed: telemetry is shutting down, or the send was superseded. */
  protected abandoned(): ExportFailure {
    return this.closed ? CLOSED_FAILURE : SUPERSEDED_FAILURE;
  }

  /**
   * Sends `body`, trying again on retryable failures while time is left before `deadlineAt` (ms since epoch).
   * Never rejects.
   */
  async send(body: Uint8Array, deadlineAt: number): Promise<SendResult> {
    const started = this.now();
    const generation = this.generation;
    let payload: Uint8Array;
    try {
      payload = await this.prepare(body);
    } catch (error) {
      return { ok: false, failure: networkFailure(error), attempts: 0 };
    }
    let backoff = this.retry.initialBackoffMs;
    let retrying: ExportFailure | undefined;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) {
        return { ok: false, failure: attempt === 1 ? CLOSED_FAILURE : closedFailure(retrying, this.now() - started), attempts: attempt - 1 };
      }
      if (generation !== this.generation) return { ok: false, failure: SUPERSEDED_FAILURE, attempts: attempt - 1 };
      const remaining = deadlineAt - this.now();
      if (remaining <= 0) {
        const failure = attempt === 1 ? DEADLINE_PASSED_FAILURE : timeoutFailure(this.now() - started);
        return { ok: false, failure, attempts: attempt - 1 };
      }
      const perRequest = this.requestTimeoutMs ?? Infinity;
      const limit = Math.min(remaining, perRequest);
      const result = await this.attempt(payload, limit);
      if (result.ok) return { ok: true, body: result.body, attempts: attempt };
      if (result.failure === CLOSED_FAILURE) {
        return { ok: false, failure: closedFailure(retrying, this.now() - started), attempts: attempt };
      }
      // A try the export's deadline cut short that timed out after full-length tries timed out says less than they
      // did ("within 95 ms" when the request timeout is 200 ms): theirs is the cause reported.
      const cutShort = result.failure.kind === 'timeout' && retrying?.kind === 'timeout' && limit < perRequest;
      const failure = cutShort ? (retrying as ExportFailure) : result.failure;
      retrying = failure;
      if (!failure.retryable || attempt >= this.retry.maxAttempts || this.closed || generation !== this.generation) {
        return { ok: false, failure, attempts: attempt };
      }
      const jittered = backoff * (1 + (Math.random() * 2 - 1) * this.retry.jitter);
      // A collector's Retry-After is honoured, but `0` is not an invitation to hammer it.
      const wait = failure.retryAfterMs !== undefined ? Math.max(failure.retryAfterMs, MIN_RETRY_WAIT_MS) : Math.min(jittered, this.retry.maxBackoffMs);
      backoff = Math.min(backoff * this.retry.multiplier, this.retry.maxBackoffMs);
      // No time for another full try: report this failure, not a vaguer timeout.
      if (wait >= deadlineAt - this.now()) return { ok: false, failure, attempts: attempt };
      await this.delay(wait);
    }
  }

  /** Ends attempts in flight, cancels retry waits and releases every socket or channel. Later sends fail at once. */
  shutdown(): void {
    this.closed = true;
    this.abortInFlight();
    this.release();
  }

  /**
   * Gives up the sends under way (their attempts ended, their retry waits cut short), which resolve as superseded;
   * the transport stays open for the next send. Used when the last export at shutdown replaces a running one.
   */
  abortInFlight(): void {
    this.generation++;
    this.cancelAttempts();
    for (const wait of this.waits) {
      clearTimeout(wait.timer);
      wait.resolve();
    }
    this.waits.clear();
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wait = {
        timer: setTimeout(() => {
          this.waits.delete(wait);
          resolve();
        }, ms),
        resolve,
      };
      wait.timer.unref();
      this.waits.add(wait);
    });
  }
}
