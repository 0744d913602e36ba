import { context, propagation, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { globalSlot } from '../global/GlobalSlot';
import { METRIC_HTTP_CLIENT_DURATION } from '../metrics/unifiedVocabulary';
import { histogram } from './recording';

const slot = globalSlot();

/** The instrumentation of Node's fetch, which does what tracedFetch does. */
const UNDICI_INSTRUMENTATION = '@opentelemetry/instrumentation-undici';

/**
 * `fetch()` with a CLIENT span and W3C propagation: the active trace context (`traceparent`, `tracestate`) and
 * baggage are injected into the request headers, so the called service continues the trace. Records
 * `http.client.request.duration` (seconds). The span's `url.full` leaves out the query string and credentials.
 *
 * @example const res = await tracedFetch('http://inventory:8080/items/42');
 */
export async function tracedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const runtime = slot.runtime;
  if (runtime.state !== 'active') return fetch(input, init);
  // The undici instrumentation traces every fetch already (span, headers, http.client.request.duration): a second
  // span and a second traceparent header would split the trace at the next service.
  if (runtime.instrumentationNames?.includes(UNDICI_INSTRUMENTATION) === true) return fetch(input, init);
  const request = input instanceof Request ? input : undefined;
  const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
  const url = new URL(request?.url ?? String(input));
  const start = performance.now();
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const parent = context.active();
  const span = runtime.startOTelSpan(method, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'url.full': `${url.protocol}//${url.host}${url.pathname}`,
      'server.address': url.hostname,
      'server.port': port,
    },
  }, parent);
  if (span === undefined) return fetch(input, init);
  const ctx = trace.setSpan(parent, span);
  const headers = new Headers(init?.headers ?? request?.headers);
  propagation.inject(ctx, headers, { set: (carrier, key, value) => carrier.set(key, value) });
  let status: number | undefined;
  let errorType = '';
  try {
    const response = await context.with(ctx, () => fetch(input, { ...init, headers }));
    status = response.status;
    span.setAttribute('http.response.status_code', response.status);
    if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
    return response;
  } catch (error) {
    // Through the sanitizer, like every facade span: fetch's messages can quote the URL, credentials included.
    runtime.recordSpanError(span, error);
    // Read without instanceof: fetch's errors may come from another realm (a VM context, a test runner).
    const name = errorName(error);
    errorType = typeof name === 'string' && name.length <= 64 && /^[A-Za-z_$][\w$]*$/.test(name) ? name : 'Error';
    span.setAttribute('error.type', errorType);
    throw error;
  } finally {
    const seconds = (performance.now() - start) / 1000;
    // In the span's context and before it ends, so that a sampled call's duration carries it as its exemplar.
    if (span.isRecording()) context.with(ctx, recordCall, undefined, seconds, method, url.hostname, port, status, errorType);
    else recordCall(seconds, method, url.hostname, port, status, errorType);
    span.end();
  }
}

/**
 * A call's duration. As the semantic conventions have it: the status code an integer, and a request without an
 * answer labelled by `error.type` instead.
 */
function recordCall(seconds: number, method: string, host: string, port: number, status: number | undefined, errorType: string): void {
  if (status !== undefined) {
    histogram(METRIC_HTTP_CLIENT_DURATION, seconds, 'http.request.method', method, 'server.address', host,
      'server.port', port, 'http.response.status_code', status);
  } else {
    histogram(METRIC_HTTP_CLIENT_DURATION, seconds, 'http.request.method', method, 'server.address', host,
      'server.port', port, 'error.type', errorType || 'Error');
  }
}

/** The `name` of a thrown value, read through a guard; undefined when it has none. */
function errorName(error: unknown): unknown {
  try {
    return typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  } catch {
    return undefined;
  }
}
