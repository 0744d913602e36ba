import { globalSlot } from '../global/GlobalSlot';
import { declarationProblem, sameDeclaration, type MetricDeclarations } from '../metrics/declarations';

const slot = globalSlot();

/**
 * Declares the metrics a module records, so that every module of a service agrees on their kind, unit,
 * description, labels and buckets. May be called at import time, before `initialize()`: declarations are applied
 * when the registry is created, and at once if it exists. A declared type overrides the name heuristics. When two
 * modules declare one name differently, the first declaration wins and the conflict is reported.
 *
 * @example
 * declareMetrics('payments', { metrics: [
 *   { name: 'payments.charge.duration', type: 'histogram', unit: 'ms', labels: ['provider'], buckets: [50, 100, 250, 500, 1000] },
 * ] });
 */
export function declareMetrics(module: string, declarations: MetricDeclarations): void {
  const diagnostics = slot.lifecycle.state === 'active' ? slot.lifecycle.registry.diagnostics : slot.diagnostics;
  const list = declarations?.metrics;
  if (!Array.isArray(list)) {
    diagnostics.warnOnce('declaration_invalid', `declaration:${String(module)}`,
      `declareMetrics('${String(module)}', ...) needs { metrics: [...] }; nothing was declared.`);
    return;
  }
  for (const declaration of list) {
    const problem = declarationProblem(declaration);
    if (problem !== undefined) {
      diagnostics.warnOnce('declaration_invalid', `declaration:${String(module)}:${String(declaration?.name)}`,
        `module '${String(module)}' declared metric '${String(declaration?.name)}' wrongly and it was ignored: ${problem}.`);
      continue;
    }
    const existing = slot.declarations.get(declaration.name);
    if (existing !== undefined) {
      if (!sameDeclaration(existing, declaration)) {
        diagnostics.warnOnce('declaration_conflict', `conflict:${declaration.name}:${String(module)}`,
          `metric '${declaration.name}' is declared by module '${existing.module}' as a ${existing.type}` +
            `${existing.unit ? ` in ${existing.unit}` : ''} and again, differently, by module '${String(module)}'; ` +
            'the first declaration wins. Agree on one declaration (see the unified metrics for shared names).');
      }
      continue;
    }
    const held = { ...declaration, labels: declaration.labels && [...declaration.labels], buckets: declaration.buckets && [...declaration.buckets], module: String(module) };
    slot.declarations.set(declaration.name, held);
    if (slot.lifecycle.state === 'active') slot.lifecycle.registry.applyDeclaration(held);
  }
}
