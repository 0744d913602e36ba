import type { BatchObservableResult, Meter } from '@opentelemetry/api';
import type { CircuitState, Health, SignalName } from '../health/Health';

/** The instrumentation scope of the library's own health metrics. */
export const SELF_SCOPE = 'otel-facade/self';

/** `otel.facade.circuit.state` values: 0 closed, 1 half-open, 2 open (3 disabled), so alerts can say `> 0`. */
const CIRCUIT_VALUES: Readonly<Record<CircuitState, number>> = { closed: 0, 'half-open': 1, open: 2, disabled: 3 };

const SIGNALS: readonly SignalName[] = ['metrics', 'traces'];

/**
 * The library's own health as metrics, exported with everything else (and on the Prometheus endpoint), read from the
 * counters `getHealth()` keeps, at collection time only (observable instruments): recording calls pay nothing.
 *
 * | metric | kind | attributes |
 * |---|---|---|
 * | `otel.facade.recording.emitted` | counter | |
 * | `otel.facade.recording.dropped` | counter | `reason` |
 * | `otel.facade.recording.folded` | counter | `reason` |
 * | `otel.facade.recording.sampled_out` | counter | |
 * | `otel.facade.series` | up-down counter | |
 * | `otel.facade.series.evicted` | counter | |
 * | `otel.facade.export.failures` | counter | `signal` |
 * | `otel.facade.export.skipped` | counter | `signal` |
 * | `otel.facade.circuit.state` | gauge (0 closed, 1 half-open, 2 open, 3 disabled) | `signal` |
 * | `otel.facade.lost` | counter (data points and spans given up, as `lostByReason`) | `reason` |
 */
export function registerSelfMetrics(meter: Meter, health: () => Health): void {
  const emitted = meter.createObservableCounter('otel.facade.recording.emitted', { unit: '{call}', description: 'Recording calls recorded.' });
  const dropped = meter.createObservableCounter('otel.facade.recording.dropped', { unit: '{call}', description: 'Recording calls dropped, by reason.' });
  const folded = meter.createObservableCounter('otel.facade.recording.folded', { unit: '{call}', description: 'Recording calls folded into other or the overflow series, by reason.' });
  const sampledOut = meter.createObservableCounter('otel.facade.recording.sampled_out', { unit: '{call}', description: 'Recording calls left out by their sampleRate.' });
  const series = meter.createObservableUpDownCounter('otel.facade.series', { unit: '{series}', description: 'Series held by the store.' });
  const evicted = meter.createObservableCounter('otel.facade.series.evicted', { unit: '{series}', description: 'Idle series evicted.' });
  const failures = meter.createObservableCounter('otel.facade.export.failures', { unit: '{export}', description: 'Failed exports, by signal.' });
  const skipped = meter.createObservableCounter('otel.facade.export.skipped', { unit: '{export}', description: 'Exports skipped while the circuit breaker was open, by signal.' });
  const circuit = meter.createObservableGauge('otel.facade.circuit.state', { unit: '1', description: 'Circuit breaker state by signal: 0 closed, 1 half-open, 2 open, 3 disabled.' });
  const lost = meter.createObservableCounter('otel.facade.lost', { description: 'Data points and spans given up, by reason.' });

  meter.addBatchObservableCallback((result: BatchObservableResult) => {
    const now = health();
    result.observe(emitted, now.metricsEmitted);
    for (const [reason, count] of Object.entries(now.droppedByReason)) result.observe(dropped, count, { reason });
    for (const [reason, count] of Object.entries(now.foldedByReason)) result.observe(folded, count, { reason });
    for (const [reason, count] of Object.entries(now.lostByReason)) result.observe(lost, count, { reason });
    result.observe(sampledOut, now.sampledOut);
    result.observe(series, now.seriesCount);
    result.observe(evicted, now.seriesEvicted);
    for (const signal of SIGNALS) {
      const state = now.signals[signal];
      result.observe(failures, state.exportFailures, { signal });
      result.observe(skipped, state.exportsSkipped, { signal });
      result.observe(circuit, CIRCUIT_VALUES[state.circuitState] ?? 3, { signal });
    }
  }, [emitted, dropped, folded, sampledOut, series, evicted, failures, skipped, circuit, lost]);
}
