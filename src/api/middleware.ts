import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, trace, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Context, type Span as OTelSpan } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { globalSlot } from '../global/GlobalSlot';
import { METRIC_HTTP_SERVER_DURATION, METRIC_HTTP_SERVER_COUNT } from '../metrics/unifiedVocabulary';
import { UNTRUSTED_REMOTE_PARENT } from '../tracing/sampler';
import { limitBaggage } from './baggage';
import { counter, histogram } from './recording';

const slot = globalSlot();
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** Options of `tracingMiddleware()`. */
export interface TracingMiddlewareOptions {
  /** Paths not traced nor counted; default `/health`, `/ready`, `/metrics`. */
  excludePaths?: readonly string[];
  /**
   * The route template of a request, for plain `node:http` servers (`/users/:id`); Express's `req.route.path` is
   * used when this is absent or returns undefined. Requests without a route are named `unmatched`, never by URL.
   */
  getRoute?: (req: IncomingMessage) => string | undefined;
  /**
   * Whether an incoming `traceparent`'s `sampled` flag decides the sampling of this service's span (the W3C default,
   * `true`). At public edges set it to `false`: the trace is still continued, but the local sampling rate decides,
   * so a client sending `-01` on every request cannot force its requests to be sampled.
   */
  trustIncomingSampling?: boolean;
}

/** A `(req, res, next)` handler for `node:http`, Express and Connect. */
export type TracingMiddleware = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * Traces incoming HTTP requests: extracts the caller's W3C trace context and baggage, opens a SERVER span named
 * `METHOD route` that handler code sees as active, ends it when the response finishes or the connection closes, and
 * records `http.server.request.duration` (seconds) and `http.server.request.count` labelled by method, route and
 * status code. Routes are templates, so 10,000 distinct URLs make a constant number of series.
 *
 * @example app.use(tracingMiddleware());                                  // Express / Connect
 * @example http.createServer((req, res) => mw(req, res, () => handle(req, res)));  // node:http
 */
export function tracingMiddleware(given: TracingMiddlewareOptions | null = {}): TracingMiddleware {
  const options: TracingMiddlewareOptions = given ?? {};
  const excluded = new Set(Array.isArray(options.excludePaths) ? options.excludePaths : ['/health', '/ready', '/metrics']);
  const trustIncomingSampling = options.trustIncomingSampling !== false;
  installRouteCapture();
  return function otelFacadeTracing(req, res, next) {
    const runtime = slot.runtime;
    const path = pathOf(req.url);
    if (runtime.state !== 'active' || excluded.has(path)) {
      next?.();
      return;
    }
    const start = performance.now();
    const method = KNOWN_METHODS.has(req.method ?? '') ? (req.method as string) : '_OTHER';
    // The HTTP instrumentation's SERVER span for this request, when it runs too (found through the RPC metadata it
    // puts in the request's context, whatever spans a framework instrumentation opened since): the middleware names
    // it by route and records its count, and starts no second span, sampled or not.
    const rpc = rpcMetadataOf(context.active());
    const shared = rpc?.span;
    if (rpc !== null && shared !== undefined) {
      // The instrumentation ends its span when the response finishes (or closes first): ours must run before it.
      // Its RPC metadata is where it reads the route from, for its span's name and its metric's `http.route`.
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        finishRequest(req, res, options, shared, rpc, method, start);
      };
      res.prependListener('finish', finish);
      res.prependListener('close', finish);
      next?.();
      return;
    }
    let parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const incoming = propagation.getBaggage(parent);
    if (incoming !== undefined) parent = propagation.setBaggage(parent, limitBaggage(incoming));
    if (!trustIncomingSampling) parent = parent.setValue(UNTRUSTED_REMOTE_PARENT, true);
    const span = runtime.startOTelSpan(method, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'url.path': path,
        'url.scheme': 'http',
        'user_agent.original': req.headers['user-agent'] || undefined, // none rather than an empty string
        'network.protocol.version': req.httpVersion,
      },
    }, parent);
    if (span === undefined) {
      next?.();
      return;
    }
    // One listener: a response emits 'close' when it completed (after 'finish') and when its connection went away
    // first, and `writableFinished` tells the two apart. `on`, not `once`: the response is dropped after it.
    res.on('close', () => finishRequest(req, res, options, span, undefined, method, start));
    if (typeof next === 'function') context.with(trace.setSpan(parent, span), next);
  };
}

/**
 * At the end of a request: names the span by route, sets its route, status code and, for a span of ours, its status
 * and end; records `http.server.request.duration` and `http.server.request.count`. An unsampled span records
 * nothing: its name and attributes are not even built.
 *
 * A span the HTTP instrumentation started (`shared` holds its RPC metadata) is ended by it, with its own status;
 * the middleware hands it the route through the RPC metadata, as OpenTelemetry's web-framework instrumentations
 * do, so that its span name and its own `http.server.request.duration` carry `http.route`. The middleware then
 * records only its count: two duration histograms of one name would count every request twice.
 */
function finishRequest(req: IncomingMessage, res: ServerResponse, options: TracingMiddlewareOptions, span: OTelSpan,
  shared: { route?: string } | null | undefined, method: string, start: number): void {
  const ours = shared === undefined;
  const route = routeOf(req, options) ?? expressRoute(req) ?? 'unmatched';
  // A response whose connection closed before it finished was never answered: no status code, `error.type=aborted`.
  const aborted = !res.writableFinished;
  const status = res.statusCode;
  if (shared !== undefined && shared !== null && route !== 'unmatched') shared.route = route;
  if (span.isRecording()) {
    span.updateName(`${method} ${route}`);
    span.setAttribute('http.route', route);
    if (aborted) {
      span.setAttribute('error.type', 'aborted');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before the response finished' });
    } else if (ours) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
  // The status code as an integer, as the semantic conventions have it; or what went wrong instead.
  const outcome = aborted ? 'error.type' : 'http.response.status_code';
  const value = aborted ? 'aborted' : status;
  const seconds = (performance.now() - start) / 1000;
  // In the span's context and before it ends, so that a sampled request's metrics carry it as their exemplar (the
  // response's listeners run outside the request's context); an unsampled request pays nothing for it.
  if (span.isRecording()) {
    context.with(trace.setSpan(ROOT_CONTEXT, span), recordRequest, undefined, ours, seconds, method, route, outcome, value);
  } else {
    recordRequest(ours, seconds, method, route, outcome, value);
  }
  if (ours) span.end();
}

/** The request's metrics: its duration (when the span is ours, see `finishRequest`) and its count. */
function recordRequest(ours: boolean, seconds: number, method: string, route: string, outcome: string, value: string | number): void {
  if (ours) histogram(METRIC_HTTP_SERVER_DURATION, seconds, 'http.request.method', method, 'http.route', route, outcome, value);
  counter(METRIC_HTTP_SERVER_COUNT, 'http.request.method', method, 'http.route', route, outcome, value);
}

/** The RPC metadata of an HTTP server context (set by the HTTP instrumentation), or null. */
function rpcMetadataOf(active: Context): { route?: string; span?: OTelSpan } | null {
  try {
    const rpc = getRPCMetadata(active);
    return rpc?.type === RPCType.HTTP && typeof rpc.span?.isRecording === 'function' ? rpc : null;
  } catch {
    return null;
  }
}

/** The route template from the `getRoute` option. */
function routeOf(req: IncomingMessage, options: TracingMiddlewareOptions): string | undefined {
  try {
    const custom = typeof options.getRoute === 'function' ? options.getRoute(req) : undefined;
    return typeof custom === 'string' && custom !== '' ? custom : undefined;
  } catch {
    // The application's getRoute threw: the request is named by the other means.
    return undefined;
  }
}

type ExpressRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: unknown };

/** What Express set as `req.route`, and the template `baseUrl + route.path` at that moment. */
type RouteCapture = { route: ExpressRequest['route']; template: string | undefined };

/**
 * The captures, per request. The accessor is installed once per process on a prototype every copy of this package
 * shares, so the map is shared too, through a global symbol: a second copy (or a second module registry, as in a
 * test runner) reads what the first copy's accessor wrote.
 */
const ROUTES_KEY = Symbol.for('otel-facade.expressRoutes.v1');
const expressRoutes: WeakMap<object, RouteCapture> = ((globalThis as Record<symbol, unknown>)[ROUTES_KEY] as WeakMap<object, RouteCapture> | undefined)
  ?? ((globalThis as Record<symbol, unknown>)[ROUTES_KEY] = new WeakMap<object, RouteCapture>()) as WeakMap<object, RouteCapture>;

/**
 * Express sets `req.route` when a route matches, while `req.baseUrl` is the mount path of the router holding it;
 * by the time the response finishes (an error handled by the app, say) `baseUrl` may have been reset. So the
 * template is captured at the moment `req.route` is set, by an accessor installed once on
 * `IncomingMessage.prototype` that keeps the value in a WeakMap: a request object never gets a property of ours,
 * so its hidden class never changes per request (a property defined on each request made every request a new
 * shape, and the garbage collector busy). A `route` the application defines itself shadows the accessor.
 */
function installRouteCapture(): void {
  // node:http is surely loaded by now: a request handler is being set up.
  const prototype = (require('node:http') as typeof import('node:http')).IncomingMessage.prototype as object;
  if (Object.getOwnPropertyDescriptor(prototype, 'route') !== undefined) return;
  Object.defineProperty(prototype, 'route', {
    configurable: true,
    enumerable: false,
    get(this: object) {
      return expressRoutes.get(this)?.route;
    },
    set(this: ExpressRequest, route: ExpressRequest['route']) {
      const path = typeof route === 'object' && route !== null ? route.path : undefined;
      // A router leaving (after an error, say) may set `route` back to nothing: the template matched is kept.
      const template = typeof path === 'string' ? `${typeof this.baseUrl === 'string' ? this.baseUrl : ''}${path}` : expressRoutes.get(this)?.template;
      expressRoutes.set(this, { route, template });
    },
  });
}

/** The route template Express matched for `req`: captured when `req.route` was set, else read now. */
function expressRoute(req: IncomingMessage): string | undefined {
  const captured = expressRoutes.get(req)?.template;
  if (captured !== undefined) return captured;
  const express = req as ExpressRequest;
  const path = express.route?.path;
  return typeof path === 'string' ? `${typeof express.baseUrl === 'string' ? express.baseUrl : ''}${path}` : undefined;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
