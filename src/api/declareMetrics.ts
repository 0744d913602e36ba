import { globalSlot } from '../global/GlobalSlot';
import type { MetricDeclarations } from '../metrics/declarations';

const slot = globalSlot();

/**
 * Declares the metrics a module records, so that every module of a service agrees on their kind, unit,
 * description, labels and buckets. May be called at import time, before `initialize()`: declarations are kept
 * across runtimes and applied at once to a running one. A declared type overrides the name heuristics. When two
 * modules declare one name differently, the first declaration wins and the conflict is reported.
 *
 * @example
 * declareMetrics('payments', { metrics: [
 *   { name: 'payments.charge.duration', type: 'histogram', unit: 'ms', labels: ['provider'], buckets: [50, 100, 250, 500, 1000] },
 * ] });
 */
export function declareMetrics(module: string, declarations: MetricDeclarations): void {
  try {
    slot.runtime.declare(module, declarations);
  } catch (error) {
    slot.runtime.internalError(error instanceof Error ? error.message : String(error));
  }
}
