import type { HeldDeclaration } from './declarations';
import { MILLISECOND_BUCKETS, SECOND_BUCKETS } from './InstrumentRouter';

/** `module` label of agents. */
export const MODULE_AGENT = 'agent';
/** `module` label of orchestration. */
export const MODULE_ORCHESTRATION = 'orchestration';
/** `module` label of core framework code. */
export const MODULE_CORE = 'core';
/** `module` label of AI provider calls. */
export const MODULE_AI = 'ai';

/** Duration of handled requests, ms. */
export const METRIC_REQUEST_DURATION = 'request.duration_ms';
/** Handled requests. */
export const METRIC_REQUEST_TOTAL = 'request.total';
/** Failed requests, by error type. */
export const METRIC_REQUEST_ERRORS = 'request.errors';
/** Duration of tool calls, ms. */
export const METRIC_TOOL_CALL_DURATION = 'tool.call.duration_ms';
/** Tool calls. */
export const METRIC_TOOL_CALL_TOTAL = 'tool.call.total';
/** Failed tool calls, by error type. */
export const METRIC_TOOL_CALL_ERRORS = 'tool.call.errors';
/** Retried tool calls. */
export const METRIC_TOOL_CALL_RETRIES = 'tool.call.retries';
/** Duration of AI provider requests, ms. */
export const METRIC_AI_REQUEST_DURATION = 'ai.request.duration_ms';
/** AI provider requests. */
export const METRIC_AI_REQUEST_TOTAL = 'ai.request.total';
/** Tokens used, by provider, model and token type. */
export const METRIC_AI_TOKENS_USED = 'ai.tokens.used';

/** Duration of HTTP requests served (OpenTelemetry semantic conventions), seconds. */
export const METRIC_HTTP_SERVER_DURATION = 'http.server.request.duration';
/** HTTP requests served. */
export const METRIC_HTTP_SERVER_COUNT = 'http.server.request.count';
/** Duration of outgoing HTTP requests (OpenTelemetry semantic conventions), seconds. */
export const METRIC_HTTP_CLIENT_DURATION = 'http.client.request.duration';

// The labels are documented, not enforced: applications may use these common names with labels of their own.
const histogramOf = (name: string, unit: string, description: string, _labels: string[], buckets: readonly number[]): HeldDeclaration =>
  ({ name, type: 'histogram', unit, description, buckets, module: 'otel-facade' });
const ms = (name: string, description: string, labels: string[]): HeldDeclaration =>
  histogramOf(name, 'ms', description, labels, MILLISECOND_BUCKETS);
const count = (name: string, description: string, _labels: string[], unit = '{call}'): HeldDeclaration =>
  ({ name, type: 'counter', unit, description, module: 'otel-facade' });

/** The shared vocabulary, declared like any module's metrics (a user declaration of the same name wins). */
export const UNIFIED_DECLARATIONS: ReadonlyMap<string, HeldDeclaration> = new Map([
  ms(METRIC_REQUEST_DURATION, 'Duration of handled requests', ['module', 'operation', 'status']),
  count(METRIC_REQUEST_TOTAL, 'Handled requests', ['module', 'operation', 'status'], '{request}'),
  count(METRIC_REQUEST_ERRORS, 'Failed requests', ['module', 'operation', 'error_type'], '{request}'),
  ms(METRIC_TOOL_CALL_DURATION, 'Duration of tool calls', ['module', 'tool_name', 'status']),
  count(METRIC_TOOL_CALL_TOTAL, 'Tool calls', ['module', 'tool_name', 'status']),
  count(METRIC_TOOL_CALL_ERRORS, 'Failed tool calls', ['module', 'tool_name', 'error_type']),
  count(METRIC_TOOL_CALL_RETRIES, 'Retried tool calls', ['module', 'tool_name']),
  ms(METRIC_AI_REQUEST_DURATION, 'Duration of AI provider requests', ['module', 'provider', 'status']),
  count(METRIC_AI_REQUEST_TOTAL, 'AI provider requests', ['module', 'provider', 'status'], '{request}'),
  count(METRIC_AI_TOKENS_USED, 'Tokens used by AI requests', ['module', 'provider', 'model', 'token_type'], '{token}'),
  histogramOf(METRIC_HTTP_SERVER_DURATION, 's', 'Duration of HTTP server requests',
    ['http.request.method', 'http.route', 'http.response.status_code', 'error.type'], SECOND_BUCKETS),
  count(METRIC_HTTP_SERVER_COUNT, 'HTTP server requests', ['http.request.method', 'http.route', 'http.response.status_code', 'error.type'], '{request}'),
  histogramOf(METRIC_HTTP_CLIENT_DURATION, 's', 'Duration of HTTP client requests',
    ['http.request.method', 'server.address', 'server.port', 'http.response.status_code', 'error.type'], SECOND_BUCKETS),
].map((d) => [d.name, d]));

