import type { Span as OTelSpan } from '@opentelemetry/api';
import type { ResolvedConfig } from '../config/TelemetryConfig';
import { composeHealth, idleSignal, type HealthParts } from '../health/composeHealth';
import type { Health } from '../health/Health';
import type { MetricDeclarations } from '../metrics/declarations';
import type { Recorder } from '../metrics/Recorder';
import { NOOP_SPAN, type Span } from '../tracing/Span';
import type { CarriedState } from './CarriedState';
import { DISABLED_RECORDER } from './DisabledRecorder';
import type { RuntimeHandle, RuntimeState } from './RuntimeHandle';
import type { CircuitStateListener } from '../health/Health';

/**
 * The runtime while none records: before `initialize()`, after `shutdown()` (then it keeps the final health of
 * the runtime that ran, with `initialized: false`), and with `enabled: false` (`disabled`). Recording calls go to
 * the not-initialized recorder, or do nothing at all when disabled; spans are the no-op span.
 */
export class IdleRuntime implements RuntimeHandle {
  readonly baggageLabels: readonly string[] = [];
  readonly instrumentationNames: readonly string[] = [];
  private readonly since: number;

  constructor(
    readonly carried: CarriedState,
    /** The last runtime's health, kept after shutdown() until the next initialize(). */
    private readonly final: HealthParts | undefined = undefined,
    /** The configuration, when initialized with telemetry disabled. */
    private readonly disabledConfig: ResolvedConfig | undefined = undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.since = now();
  }

  get defaultShutdownTimeoutMs(): number {
    return this.disabledConfig?.shutdownTimeoutMs ?? 5000;
  }

  get state(): RuntimeState {
    return this.disabledConfig === undefined ? 'idle' : 'disabled';
  }

  get recorder(): Recorder {
    return this.disabledConfig === undefined ? this.carried.notInitialized : DISABLED_RECORDER;
  }

  health(): Health {
    const notInitialized = this.carried.notInitialized.dropped;
    if (this.final !== undefined) return composeHealth({ ...this.final, initialized: false, notInitialized });
    const config = this.disabledConfig;
    return composeHealth({
      initialized: config !== undefined,
      enabled: false,
      profile: config?.profile,
      serviceName: config?.serviceName,
      signals: { metrics: idleSignal(), traces: idleSignal() },
      counters: undefined,
      store: { metricNames: 0, seriesCount: 0, fullest: 0, evicted: 0 },
      cardinalityMax: config === undefined ? 0 : config.cardinalityLimit + 1,
      uptimeMs: config === undefined ? 0 : this.now() - this.since,
      notInitialized,
    });
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<RuntimeHandle> {
    return this.disabledConfig === undefined ? this : new IdleRuntime(this.carried, undefined, undefined, this.now);
  }

  declare(module: string, declarations: MetricDeclarations): void {
    this.carried.declare(module, declarations, this.carried.diagnostics);
  }

  onCircuitStateChange(listener: CircuitStateListener): () => void {
    this.carried.listeners.add(listener);
    return () => {
      this.carried.listeners.delete(listener);
    };
  }

  startSpan(): Span {
    return NOOP_SPAN;
  }

  startOTelSpan(): OTelSpan | undefined {
    return undefined;
  }

  recordSpanError(): void {}

  lost(): void {}

  internalError(message: string): void {
    this.carried.diagnostics.warnOnce(`internal:${message}`,
      `internal error while recording, the call was dropped: ${message}. Please report this as a bug.`);
  }
}
