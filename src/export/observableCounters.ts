import { InstrumentType, type MeterProvider } from '@opentelemetry/sdk-metrics';

/** How `observableCounters` names an instrument: its scope's name and version and its own name. */
export function instrumentKey(scope: string, version: string | undefined, name: string): string {
  return `${scope}\u0000${version ?? ''}\u0000${name}`;
}

interface Storage { getInstrumentDescriptor?(): { name?: unknown; type?: unknown } }
interface SharedState {
  meterSharedStates?: Map<string, {
    _instrumentationScope?: { name?: unknown; version?: unknown };
    metricStorageRegistry?: { _sharedRegistry?: Map<string, Storage[]>; _perCollectorRegistry?: Map<unknown, Map<string, Storage[]>> };
  }>;
}

/**
 * The observable counters on `provider`, by `instrumentKey`, or undefined when they cannot be told. The SDK's
 * exported points do not say whether a monotonic sum came from an observable counter, which the `lowmemory`
 * temporality preference keeps cumulative; its instrument registry does. That registry is internal to
 * `@opentelemetry/sdk-metrics`, whose exact version is pinned; read defensively, anything unexpected gives undefined.
 */
export function observableCounters(provider: MeterProvider): ReadonlySet<string> | undefined {
  try {
    const states = (provider as unknown as { _sharedState?: SharedState })._sharedState?.meterSharedStates;
    if (!(states instanceof Map)) return undefined;
    const keys = new Set<string>();
    for (const state of states.values()) {
      const scope = state._instrumentationScope;
      const shared = state.metricStorageRegistry?._sharedRegistry;
      const perCollector = state.metricStorageRegistry?._perCollectorRegistry;
      if (typeof scope?.name !== 'string' || !(shared instanceof Map) || !(perCollector instanceof Map)) return undefined;
      // Storages are shared by the readers, or kept per reader when a reader asks its own aggregation.
      for (const storages of [...shared.values(), ...[...perCollector.values()].flatMap((byName) => [...byName.values()])]) {
        for (const storage of storages) {
          const descriptor = storage.getInstrumentDescriptor?.();
          if (typeof descriptor?.name !== 'string') return undefined;
          if (descriptor.type === InstrumentType.OBSERVABLE_COUNTER) {
            keys.add(instrumentKey(scope.name, typeof scope.version === 'string' ? scope.version : undefined, descriptor.name));
          }
        }
      }
    }
    return keys;
  } catch {
    return undefined;
  }
}
