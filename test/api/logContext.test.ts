import { Writable } from 'node:stream';
import pino from 'pino';
import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';

/** A pino logger writing JSON lines into `lines`, with the README's mixin. */
function pinoInto(lines: Record<string, unknown>[]) {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return pino({ mixin: () => telemetry.logContext() }, stream);
}

describe('logContext()', () => {
  let bed: TestBed;
  afterEach(() => bed.stop());

  it('puts the active span\'s ids into real pino lines, and nothing outside a span', async () => {
    bed = await startTestBed({ samplingRate: 1 });
    const lines: Record<string, unknown>[] = [];
    const log = pinoInto(lines);
    log.info('before');
    const ids = telemetry.withSpan('checkout', () => {
      log.info('inside');
      return telemetry.currentTraceId();
    });
    log.info('after');
    await telemetry.forceFlush();
    expect(lines.map((line) => line.msg)).toEqual(['before', 'inside', 'after']);
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[2]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ trace_id: ids, trace_flags: '01' });
    expect(lines[1].span_id).toMatch(/^[0-9a-f]{16}$/);
    // The ids are those of the span the collector received.
    const span = bed.receiver.spans().find((s) => s.name === 'checkout');
    expect(span?.traceId).toBe(lines[1].trace_id);
    expect(span?.spanId).toBe(lines[1].span_id);
  });

  it('gives the ids of an unsampled span too (trace_flags 00), so logs of unsampled requests still join', async () => {
    bed = await startTestBed({ samplingRate: 0 });
    const context = telemetry.withSpan('quiet', () => telemetry.logContext());
    expect(context.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(context.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(context.trace_flags).toBe('00');
    expect(telemetry.logContext()).toEqual({});
  });

  it('returns {} before initialize() and after shutdown()', async () => {
    bed = await startTestBed();
    await bed.stop();
    expect(telemetry.withSpan('x', () => telemetry.logContext())).toEqual({});
    bed = await startTestBed();
  });
});

describe('logContext() against odd span contexts', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTestBed(); // registers the context manager context.with() needs
  });
  afterAll(() => bed.stop());

  it('lower-cases ids that came in upper case, and never returns a value it did not check', async () => {
    const { context, trace, ROOT_CONTEXT } = await import('@opentelemetry/api');
    const upper = trace.wrapSpanContext({ traceId: 'AB'.repeat(16), spanId: 'CD'.repeat(8), traceFlags: 1 });
    expect(context.with(trace.setSpan(ROOT_CONTEXT, upper), () => telemetry.logContext()))
      .toEqual({ trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8), trace_flags: '01' });
    let reads = 0;
    const shifty = {
      get traceId() {
        reads++;
        return reads === 1 ? 'a'.repeat(32) : 'not-hex\n{"level":"fatal"}';
      },
      spanId: 'b'.repeat(16),
      traceFlags: 0,
    };
    const span = trace.wrapSpanContext(shifty as never);
    const result = context.with(trace.setSpan(ROOT_CONTEXT, span), () => telemetry.logContext());
    expect(result.trace_id === undefined || /^[0-9a-f]{32}$/.test(result.trace_id)).toBe(true);
    const zeros = trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
    expect(context.with(trace.setSpan(ROOT_CONTEXT, zeros), () => telemetry.logContext())).toEqual({});
  });
});
