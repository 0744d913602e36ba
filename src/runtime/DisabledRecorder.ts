import type { Recorder } from '../metrics/Recorder';

/** The recorder when telemetry is disabled (`enabled: false` or OTEL_SDK_DISABLED=true): does nothing at all. */
export class DisabledRecorder implements Recorder {
  add(): void {}
  gauge(): void {}
  histogram(): void {}
  emit(): void {}
  ensureMetric(): void {}
  dropCall(): void {}
  recordList(): void {}
}

/** The one shared disabled recorder. */
export const DISABLED_RECORDER: Recorder = new DisabledRecorder();
