import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ExportStatus } from '../provider/ExportStatus';
import type { CircuitBreaker } from './CircuitBreaker';

/** The error an export gets while the breaker is open: nothing was sent. */
export class CircuitOpenError extends Error {
  constructor(retryAt: number | undefined) {
    super(`otel-facade: export skipped, the circuit breaker is open${retryAt === undefined ? '' : ` until ${new Date(retryAt).toISOString()}`}`);
    this.name = 'CircuitOpenError';
  }
}

/**
 * Runs one export call through the circuit breaker and records its outcome: the breaker's `tryAcquire()` decides
 * whether the network is touched at all, and the exporter's single callback (it retries internally) counts as one
 * success or one failure. Shared by the metric and the span exporter, which face the same collector.
 */
export class ExportGuard {
  constructor(
    /** The breaker shared by every exporter of the process. */
    readonly breaker: CircuitBreaker,
  ) {}

  /**
   * Calls `send` unless the breaker is open, then reports to `status` and the breaker; `onNotSent` hears about
   * exports that failed or were skipped, with the error.
   */
  run(
    status: ExportStatus,
    send: (done: (result: ExportResult) => void) => void,
    resultCallback: (result: ExportResult) => void,
    onNotSent?: (error: Error) => void,
  ): void {
    if (!this.breaker.tryAcquire()) {
      status.skipped++;
      const error = new CircuitOpenError(this.breaker.retryAt);
      onNotSent?.(error);
      resultCallback({ code: ExportResultCode.FAILED, error });
      return;
    }
    let settled = false;
    const settle = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      if (result.code === ExportResultCode.SUCCESS) {
        status.succeeded();
        this.breaker.success();
      } else {
        status.failed(result.error);
        this.breaker.failure();
        onNotSent?.(result.error ?? new Error('export failed'));
      }
      resultCallback(result);
    };
    try {
      send(settle);
    } catch (error) {
      settle({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
}
