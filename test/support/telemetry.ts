import { initializeWith, shutdown } from '../../src/api/lifecycle';
import type { TelemetryConfig } from '../../src/config/TelemetryConfig';
import type { RuntimeOptions } from '../../src/runtime/Runtime';
import { CapturingLogger } from './CapturingLogger';
import { LocalCollector } from '../../examples/collector/local-collector';
import { LocalGrpcCollector, type GrpcCollectorOptions } from '../../examples/collector/local-grpc-collector';

/** A receiver plus telemetry initialized against it, with a capturing logger; `stop()` undoes both. */
export interface TestBed {
  receiver: LocalCollector;
  logger: CapturingLogger;
  stop(): Promise<void>;
}

/**
 * Starts a loopback receiver and initializes telemetry to export to it (long interval: tests flush by hand).
 * `beforeInitialize` sees the receiver's URL first, for tests that configure through environment variables.
 */
export async function startTestBed(config: TelemetryConfig = {}, options: RuntimeOptions = {},
  beforeInitialize?: (url: string) => void): Promise<TestBed> {
  return startWith(await new LocalCollector().start(), config, options, beforeInitialize);
}

/**
 * The same over OTLP/gRPC: a loopback gRPC receiver (a real @grpc/grpc-js server, built with `collector`'s options)
 * and telemetry initialized to send both signals to it with `protocol: 'grpc'`.
 */
export async function startGrpcTestBed(config: TelemetryConfig = {}, collector: GrpcCollectorOptions = {},
  beforeInitialize?: (url: string) => void): Promise<TestBed> {
  return startWith(await new LocalGrpcCollector(collector).start(), { protocol: 'grpc', ...config }, {}, beforeInitialize);
}

async function startWith(receiver: LocalCollector, config: TelemetryConfig, options: RuntimeOptions,
  beforeInitialize: ((url: string) => void) | undefined): Promise<TestBed> {
  beforeInitialize?.(receiver.url);
  const logger = new CapturingLogger();
  initializeWith({
    serviceName: 'test-service',
    endpoint: receiver.url,
    exportIntervalMs: 60000,
    exportTimeoutMs: 5000,
    logger,
    // Off unless a test asks (`runtimeMetrics: undefined` gives the default, on): tests count points and scopes.
    runtimeMetrics: false,
    selfMetrics: false,
    ...config,
  }, options);
  return {
    receiver,
    logger,
    async stop() {
      await shutdown({ timeoutMs: 2000 });
      await receiver.stop();
    },
  };
}
