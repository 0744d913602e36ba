import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Health } from '../health/Health';
import { healthStatus as statusOf, type HealthHandlerOptions, type HealthResponse } from '../health/healthStatus';
import { getHealth } from './lifecycle';

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
    const options = (reqOrOptions ?? {}) as HealthHandlerOptions;
    return (_req, response) => answer(response, options);
  }
  answer(res, {});
}

/**
 * The status code and JSON body a readiness handler answers with, for `health` (`getHealth()` when absent, or when
 * what is given is not a health object).
 *
 * @example const { code, body } = healthStatus(getHealth(), { strict: true });
 */
export function healthStatus(health?: Health, options?: HealthHandlerOptions): { code: number; body: HealthResponse } {
  const given = typeof health === 'object' && health !== null && typeof health.signals === 'object' && health.signals !== null ? health : getHealth();
  return statusOf(given, typeof options === 'object' && options !== null ? options : {});
}

function answer(res: ServerResponse, options: HealthHandlerOptions): void {
  let code = 500;
  let payload: string;
  try {
    const result = statusOf(getHealth(), options);
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
