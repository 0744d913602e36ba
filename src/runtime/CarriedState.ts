import { consoleLogger } from '../config/resolveConfig';
import { Diagnostics } from '../diagnostics/Diagnostics';
import type { CircuitState, CircuitStateListener, SignalName } from '../health/Health';
import { declarationProblem, heldDeclaration, sameDeclaration, type HeldDeclaration, type MetricDeclaration, type MetricDeclarations } from '../metrics/declarations';
import { NotInitializedRecorder } from './NotInitializedRecorder';

/** Most declarations one `declareMetrics()` call is read for. */
const MAX_DECLARATIONS = 10_000;

/**
 * What outlives a runtime and is handed from one to the next: metric declarations, `onCircuitStateChange`
 * listeners, the recorder used while none runs (with its count of dropped calls), and the voice used meanwhile.
 */
export class CarriedState {
  /** Metric declarations by name, from `declareMetrics()`. */
  readonly declarations = new Map<string, HeldDeclaration>();
  /** Listeners of `onCircuitStateChange()`. */
  readonly listeners = new Set<CircuitStateListener>();
  /** Diagnostics for when no runtime runs; it takes the logger of the last configuration. */
  readonly diagnostics = new Diagnostics(consoleLogger);
  /** The recorder while no runtime runs. */
  readonly notInitialized = new NotInitializedRecorder(this.diagnostics);

  /** Tells every listener about a breaker's change; a listener's bug never breaks exporting. */
  notifyCircuit(state: CircuitState, previous: CircuitState, signal: SignalName): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(state, previous, signal);
      } catch {
        // A listener's bug must not break exporting.
      }
    }
  }

  /**
   * Validates and keeps declarations: the first declaration of a name wins and a different one is reported.
   * `accepted` hears each newly kept declaration (an active runtime applies it to its store).
   */
  declare(module: string, declarations: MetricDeclarations, diagnostics: Diagnostics, accepted?: (held: HeldDeclaration) => void): void {
    const list = declarations?.metrics;
    if (!Array.isArray(list)) {
      diagnostics.warnOnce(`declaration:${String(module)}`,
        `declareMetrics('${String(module)}', ...) needs { metrics: [...] }; nothing was declared.`);
      return;
    }
    // By index, and at most 10,000: a sparse array may claim 2^32 - 1 items.
    for (let i = 0, n = Math.min(list.length, MAX_DECLARATIONS); i < n; i++) {
      const declaration = list[i] as MetricDeclaration;
      const problem = declarationProblem(declaration);
      if (problem !== undefined) {
        diagnostics.warnOnce(`declaration:${String(module)}:${String(declaration?.name)}`,
          `module '${String(module)}' declared metric '${String(declaration?.name)}' wrongly and it was ignored: ${problem}.`);
        continue;
      }
      const existing = this.declarations.get(declaration.name);
      if (existing !== undefined) {
        if (!sameDeclaration(existing, declaration)) {
          diagnostics.warnOnce(`conflict:${declaration.name}:${String(module)}`,
            `metric '${declaration.name}' is declared by module '${existing.module}' as a ${existing.type}` +
              `${existing.unit ? ` in ${existing.unit}` : ''} and again, differently, by module '${String(module)}'; ` +
              'the first declaration wins. Agree on one declaration (see the unified metrics for shared names).');
        }
        continue;
      }
      const held = heldDeclaration(declaration, String(module));
      this.declarations.set(held.name, held);
      accepted?.(held);
    }
  }
}
