import { consoleLogger } from '../config/resolveConfig';
import { Diagnostics } from '../diagnostics/Diagnostics';
import type { CircuitState, CircuitStateListener, SignalName } from '../health/Health';
import { declarationProblem, heldDeclaration, readDeclaration, sameDeclaration, type HeldDeclaration, type MetricDeclarations } from '../metrics/declarations';
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
    let moduleName: string;
    let list: unknown;
    let length: number;
    try {
      moduleName = typeof module === 'string' ? module : String(module);
      list = declarations?.metrics;
      length = Array.isArray(list) ? list.length : -1;
    } catch {
      diagnostics.warnOnce('declaration:unreadable', 'declareMetrics() was given something that cannot be read (a proxy or a getter that throws); nothing was declared.');
      return;
    }
    if (length < 0) {
      diagnostics.warnOnce(`declaration:${moduleName}`,
        `declareMetrics('${moduleName.slice(0, 80)}', ...) needs { metrics: [...] }; nothing was declared.`);
      return;
    }
    // By index, and at most 10,000: a sparse array may claim 2^32 - 1 items.
    for (let i = 0, n = Math.min(length, MAX_DECLARATIONS); i < n; i++) {
      let raw: unknown;
      try {
        raw = (list as unknown[])[i];
      } catch {
        raw = undefined;
      }
      const declaration = readDeclaration(raw);
      const problem = declaration === undefined ? 'it cannot be read' : declarationProblem(declaration);
      if (declaration === undefined || problem !== undefined) {
        const name = typeof declaration?.name === 'string' ? declaration.name.slice(0, 80) : `#${i}`;
        diagnostics.warnOnce(`declaration:${moduleName}:${name}`,
          `module '${moduleName.slice(0, 80)}' declared metric '${name}' wrongly and it was ignored: ${problem}.`);
        continue;
      }
      const existing = this.declarations.get(declaration.name);
      if (existing !== undefined) {
        if (!sameDeclaration(existing, declaration)) {
          diagnostics.warnOnce(`conflict:${declaration.name}:${moduleName}`,
            `metric '${declaration.name}' is declared by module '${existing.module}' as a ${existing.type}` +
              `${existing.unit ? ` in ${existing.unit}` : ''} and again, differently, by module '${moduleName.slice(0, 80)}'; ` +
              'the first declaration wins. Agree on one declaration (see the unified metrics for shared names).');
        }
        continue;
      }
      const held = heldDeclaration(declaration, moduleName);
      this.declarations.set(held.name, held);
      accepted?.(held);
    }
  }

}
