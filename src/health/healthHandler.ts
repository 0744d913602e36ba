import type { IncomingMessage, ServerResponse } from 'node:http';
import { getHealth } from '../api/lifecycle';
import type { Health } from './Health';

/** How `healthHandler` maps health to an HTTP status. */
export interface HealthHandlerOptions {
  /**
   * GoMind's policy: 503 when telemetry is not initialized or the breaker is open, 206 when more than
   * `failureRatio` of operations failed. Off by default: a collector outage should not take healthy pods out of
   * service.
   */
  strict?: boolean;
  /** Share of dropped calls among all calls above which a strict handler answers 206; default 0.1. */
  failureRatio?: number;
}

/** The JSON body `healthHandler` answers with. */
export interface HealthResponse extends Health {
  /** `ok`, or `degraded` when exports are failing or the breaker is not closed. */
  status: 'ok' | 'degraded';
  /** True when the breaker is open or half-open, or the last metric export failed. */
  degraded: boolean;
}

/** A `(req, res)` handler for `node:http`, Express and Connect. */
export type HealthRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Answers a readiness probe with `getHealth()` as JSON. Used directly, it always answers 200 (with
 * `degraded: true` while exports fail), because telemetry trouble should not fail readiness. Called with options
 * instead of `(req, res)`, it returns a handler: `healthHandler({ strict: true })` reproduces GoMind's policy.
 *
 * @example app.get('/ready', (req, res) => healthHandler(req, res));
 * @example app.get('/ready', healthHandler({ strict: true }));
 */
export function healthHandler(req: IncomingMessage, res: ServerResponse): void;
export function healthHandler(options: HealthHandlerOptions): HealthRequestHandler;
export function healthHandler(
  reqOrOptions: IncomingMessage | HealthHandlerOptions,
  res?: ServerResponse,
): void | HealthRequestHandler {
  if (res === undefined) {
    const options = reqOrOptions as HealthHandlerOptions;
    return (_req, response) => answer(response, options);
  }
  answer(res, {});
}

/** The status code and body the handler answers with, for a given health. */
export function healthStatus(health: Health, options: HealthHandlerOptions = {}): { code: number; body: HealthResponse } {
  const degraded = health.circuitState === 'open' || health.circuitState === 'half-open' ||
    health.consecutiveExportFailures > 0;
  const body: HealthResponse = { status: degraded ? 'degraded' : 'ok', degraded, ...health };
  if (!options.strict) return { code: 200, body };
  if (!health.initialized || health.circuitState === 'open') return { code: 503, body };
  const total = health.metricsEmitted + health.metricsDropped;
  const ratio = options.failureRatio ?? 0.1;
  if (total > 0 && health.metricsDropped / total > ratio) return { code: 206, body };
  return { code: 200, body };
}

function answer(res: ServerResponse, options: HealthHandlerOptions): void {
  let code = 500;
  let payload: string;
  try {
    const result = healthStatus(getHealth(), options);
    code = result.code;
    payload = JSON.stringify(result.body);
  } catch (error) {
    payload = JSON.stringify({ status: 'error', error: error instanceof Error ? error.message : String(error) });
  }
  res.statusCode = code;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(payload);
}
