import { AggregationTemporality, MetricReader } from '@opentelemetry/sdk-metrics';

/**
 * A MetricReader that only collects when asked: the pipelines use it to read the instruments the application (or
 * an OpenTelemetry instrumentation) created on our MeterProvider, and merge them into their own requests.
 * Cumulative, like everything this library exports.
 */
export class SdkMetricsReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }

  protected override async onForceFlush(): Promise<void> {}

  protected override async onShutdown(): Promise<void> {}
}
