import { globalSlot } from '../global/GlobalSlot';
import {
  METRIC_AI_REQUEST_DURATION,
  METRIC_AI_REQUEST_TOTAL,
  METRIC_AI_TOKENS_USED,
  METRIC_REQUEST_DURATION,
  METRIC_REQUEST_ERRORS,
  METRIC_REQUEST_TOTAL,
  METRIC_TOOL_CALL_DURATION,
  METRIC_TOOL_CALL_ERRORS,
  METRIC_TOOL_CALL_RETRIES,
  METRIC_TOOL_CALL_TOTAL,
} from '../metrics/unifiedVocabulary';
import { guard } from './internalError';
import { counter, histogram } from './recording';

/** Records a handled request: its duration and one count, labelled module, operation and status. */
export function recordRequest(module: string, operation: string, durationMs: number, status: string): void {
  histogram(METRIC_REQUEST_DURATION, durationMs, 'module', module, 'operation', operation, 'status', status);
  counter(METRIC_REQUEST_TOTAL, 'module', module, 'operation', operation, 'status', status);
}

/** Counts a failed request, labelled module, operation and error_type. */
export function recordRequestError(module: string, operation: string, errorType: string): void {
  counter(METRIC_REQUEST_ERRORS, 'module', module, 'operation', operation, 'error_type', errorType);
}

/** Records a tool call: its duration and one count, labelled module, tool_name and status. */
export function recordToolCall(module: string, toolName: string, durationMs: number, status: string): void {
  histogram(METRIC_TOOL_CALL_DURATION, durationMs, 'module', module, 'tool_name', toolName, 'status', status);
  counter(METRIC_TOOL_CALL_TOTAL, 'module', module, 'tool_name', toolName, 'status', status);
}

/** Counts a failed tool call, labelled module, tool_name and error_type. */
export function recordToolCallError(module: string, toolName: string, errorType: string): void {
  counter(METRIC_TOOL_CALL_ERRORS, 'module', module, 'tool_name', toolName, 'error_type', errorType);
}

/** Counts a retried tool call, labelled module and tool_name. */
export function recordToolCallRetry(module: string, toolName: string): void {
  counter(METRIC_TOOL_CALL_RETRIES, 'module', module, 'tool_name', toolName);
}

/** Records an AI provider request: its duration and one count, labelled module, provider and status. */
export function recordAIRequest(module: string, provider: string, durationMs: number, status: string): void {
  histogram(METRIC_AI_REQUEST_DURATION, durationMs, 'module', module, 'provider', provider, 'status', status);
  counter(METRIC_AI_REQUEST_TOTAL, 'module', module, 'provider', provider, 'status', status);
}

/** Adds tokens used, labelled module, provider, model and token_type (such as `prompt` or `completion`). */
export function recordAITokens(module: string, provider: string, model: string, tokenType: string, count: number): void {
  guard(() => globalSlot().recorder.add('counter', METRIC_AI_TOKENS_USED, count, 8, 'module', module, 'provider', provider,
    'model', model, 'token_type', tokenType, undefined, undefined, undefined, undefined, undefined, 0));
}
