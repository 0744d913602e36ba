import { deliver, type Batching, type DeliveryHooks } from '../../src/export/deliver';
import { httpFailure, timeoutFailure } from '../../src/export/ExportFailure';
import type { ExportSink, SinkResult } from '../../src/export/ExportSink';
import { RequestLimit } from '../../src/export/RequestLimit';
import { RequestPacer } from '../../src/export/RequestPacer';

/** Items are byte sizes; a batch is a list of them. */
const BYTES: Batching<number[]> = {
  size: (batch) => batch.length,
  halve: (batch) => [batch.slice(0, batch.length >> 1), batch.slice(batch.length >> 1)],
};

/** A collector in memory: refuses bodies over `maxBytes` with 413 (all of them with `refuseAll`), records the rest. */
class Collector implements ExportSink<number[]> {
  readonly target = 'http://collector:4318/v1/test';
  readonly received: number[] = [];
  requests = 0;
  refusals = 0;
  refuseAll = false;
  failWith: SinkResult | undefined;
  constructor(public maxBytes = Infinity) {}
  encode(batch: number[]): Uint8Array {
    return new Uint8Array(batch.reduce((a, b) => a + b, 0));
  }
  async send(batch: number[], encoded: Uint8Array | undefined): Promise<SinkResult> {
    this.requests++;
    if (this.failWith !== undefined) return this.failWith;
    if (this.refuseAll || (encoded?.byteLength ?? 0) > this.maxBytes) {
      this.refusals++;
      return { ok: false, failure: httpFailure(413, 'Payload Too Large', '') };
    }
    this.received.push(...batch);
    return { ok: true };
  }
  async shutdown(): Promise<void> {}
}

function hooks(): DeliveryHooks<number[]> & { dropped: jest.Mock; tooLarge: jest.Mock } {
  return { tooLarge: jest.fn(), dropped: jest.fn(), rejected: jest.fn() };
}

const items = (n: number, size = 100) => Array.from({ length: n }, () => size);

describe('deliver()', () => {
  it('splits a refused request and learns half its size; requests after it fit without a 413', async () => {
    const collector = new Collector(10_000);
    const limit = new RequestLimit(1_000_000);
    const delivery = await deliver(items(1000), BYTES, collector, limit, Infinity, hooks());
    expect(delivery).toMatchObject({ ok: true, sent: 1000 });
    expect(collector.received).toHaveLength(1000);
    expect(limit.bytes).toBeLessThanOrEqual(10_000);
    const refusals = collector.refusals;
    expect(refusals).toBeGreaterThan(0);
    await deliver(items(1000), BYTES, collector, limit, Infinity, hooks());
    expect(collector.refusals).toBe(refusals); // no 413 the second time
    expect(collector.received).toHaveLength(2000);
  });

  it('drops an item too large alone, ended first, and delivers every other one', async () => {
    const collector = new Collector(10_000);
    const limit = new RequestLimit(1_000_000);
    const h = hooks();
    const delivery = await deliver([50_000, ...items(200)], BYTES, collector, limit, Infinity, h);
    expect(delivery).toMatchObject({ ok: true, sent: 200 });
    expect(h.dropped).toHaveBeenCalledWith([50_000]);
    expect(limit.bytes).toBeGreaterThanOrEqual(5_000); // the outlier alone taught nothing
  });

  it('drops three (or more) items too large alone at the head of a batch, and delivers the rest', async () => {
    const collector = new Collector(10_000);
    const h = hooks();
    const delivery = await deliver([50_000, 60_000, 70_000, ...items(200)], BYTES, collector, new RequestLimit(1_000_000), Infinity, h);
    expect(delivery).toMatchObject({ ok: true, sent: 200 });
    expect(h.dropped).toHaveBeenCalledTimes(3);
  });

  it('fails, in a logarithmic number of requests, when the collector refuses everything, and restores the limit', async () => {
    const collector = new Collector();
    collector.refuseAll = true;
    const limit = new RequestLimit(1_000_000);
    const delivery = await deliver(items(4096), BYTES, collector, limit, Infinity, hooks());
    expect(delivery.ok).toBe(false);
    if (!delivery.ok) expect(delivery.failure.detail).toContain('the collector refused every request as too large, even single items');
    expect(collector.requests).toBeLessThanOrEqual(12 + 3);
    expect(limit.bytes).toBe(1_000_000);
  });

  it('says how far a delivery got when the deadline runs out after some requests', async () => {
    const collector = new Collector(250);
    const limit = new RequestLimit(1_000_000);
    let calls = 0;
    const sink: ExportSink<number[]> = {
      target: collector.target,
      encode: (b) => collector.encode(b),
      send: async (b, e) => (++calls > 3 ? { ok: false, failure: timeoutFailure(2) } : collector.send(b, e)),
      shutdown: async () => undefined,
    };
    const delivery = await deliver(items(8), BYTES, sink, limit, Infinity, hooks());
    expect(delivery.ok).toBe(false);
    if (!delivery.ok) expect(delivery.failure.detail).toMatch(/within 2 ms \(timeout\), after \d+ items of this export had gone through in 3 requests/);
  });
});

describe('RequestLimit', () => {
  it('stays below the smallest refused size for 10 minutes, then doubles every 4 accepted requests up to the configured size', () => {
    let time = 0;
    const limit = new RequestLimit(1_000_000, 2000, () => time);
    limit.refused(10, 80_000);
    expect(limit.bytes).toBe(40_000);
    for (let i = 0; i < 1000; i++) limit.accepted(); // however many requests get through meanwhile
    expect(limit.bytes).toBe(40_000);
    time += 10 * 60_000;
    for (let i = 0; i < 4 * 5; i++) limit.accepted();
    expect(limit.bytes).toBe(1_000_000);
    expect(limit.items).toBe(2000);
  });

  it('learns nothing from a single item refused alone, and goes back to a mark', () => {
    const limit = new RequestLimit(1_000_000);
    limit.refused(1, 900_000);
    expect(limit.bytes).toBe(1_000_000);
    const mark = limit.mark();
    limit.refused(100, 4000);
    expect(limit.bytes).toBe(2000);
    limit.restore(mark);
    expect(limit.bytes).toBe(1_000_000);
  });

  it('learns in items when sizes are not known (an exporter given by the application)', () => {
    const limit = new RequestLimit(1_000_000);
    limit.refused(512, undefined);
    expect(limit.items).toBe(256);
    expect(limit.bytes).toBe(1_000_000);
  });
});

describe('deliver() with a RequestPacer', () => {
  /** A collector whose every answer takes `answerMs` on a manual clock. */
  class SlowCollector extends Collector {
    constructor(private readonly clock: { t: number }, private readonly answerMs: number) {
      super();
    }
    override async send(batch: number[], encoded: Uint8Array | undefined): Promise<SinkResult> {
      this.clock.t += this.answerMs;
      return super.send(batch, encoded);
    }
  }

  it('starts a later request only with four times the slowest answer left, so none is cut off by the deadline', async () => {
    const clock = { t: 0 };
    const now = () => clock.t;
    const collector = new SlowCollector(clock, 40);
    const pacer = new RequestPacer(200, now);
    const delivery = await deliver(items(10), BYTES, collector, new RequestLimit(1_000_000, 1), 200, hooks(), pacer);
    // t=0 sent (answer at 40), 160 left >= 160: sent (answer at 80), 120 left < 160: stopped.
    expect(collector.requests).toBe(2);
    expect(delivery).toMatchObject({ ok: false, sent: 2, failure: { kind: 'timeout' } });
    expect(delivery.ok ? '' : delivery.failure.detail).toMatch(/only 120 ms of the export's time were left.*slowest answer of this export took 40 ms.*2 items/);
  });

  it('is shared by the requests of one export: a later deliver() of the same export is stopped too', async () => {
    const clock = { t: 0 };
    const collector = new SlowCollector(clock, 30);
    const pacer = new RequestPacer(100, () => clock.t);
    expect(await deliver(items(1), BYTES, collector, new RequestLimit(1_000_000), 100, hooks(), pacer)).toMatchObject({ ok: true });
    // 70 ms left, less than 4 x 30: the next request of this export is not started.
    expect(await deliver(items(1), BYTES, collector, new RequestLimit(1_000_000), 100, hooks(), pacer)).toMatchObject({ ok: false, sent: 0 });
    expect(collector.requests).toBe(1);
  });

  it('never starts a later request with less than 50 ms left, however fast the answers', async () => {
    const clock = { t: 0 };
    const collector = new SlowCollector(clock, 1);
    const delivery = await deliver(items(200), BYTES, collector, new RequestLimit(1_000_000, 1), 100, hooks(), new RequestPacer(100, () => clock.t));
    expect(collector.requests).toBe(51); // t = 0..50 inclusive
    expect(delivery).toMatchObject({ ok: false, sent: 51 });
  });
});
