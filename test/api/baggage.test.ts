import { context, propagation } from '@opentelemetry/api';
import * as telemetry from '../../src/index';
import { startTestBed, type TestBed } from '../support/telemetry';

describe('baggage', () => {
  let bed: TestBed;
  beforeEach(async () => {
    bed = await startTestBed({ baggageLabels: ['tenant_id'] });
  });
  afterEach(() => bed.stop());

  it('withBaggage() adds entries for the duration of fn, across awaits; getBaggage() reads them', async () => {
    expect(telemetry.getBaggage('tenant_id')).toBeUndefined();
    await telemetry.withBaggage({ tenant_id: 'acme' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 0)); // across a timer: the baggage must follow
      expect(telemetry.getBaggage('tenant_id')).toBe('acme');
      telemetry.withBaggage({ plan: 'pro' }, () => {
        expect(telemetry.getBaggage('tenant_id')).toBe('acme');
        expect(telemetry.getBaggage('plan')).toBe('pro');
      });
      expect(telemetry.getBaggage('plan')).toBeUndefined();
    });
    expect(telemetry.getBaggage('tenant_id')).toBeUndefined();
  });

  it('setBaggage() serves explicit contexts, with pairs or an object', () => {
    const ctx = telemetry.setBaggage(context.active(), 'tenant_id', 'acme', 'region', 'eu');
    const ctx2 = telemetry.setBaggage(ctx, { region: 'us' });
    expect(propagation.getBaggage(ctx2)?.getEntry('tenant_id')?.value).toBe('acme');
    expect(propagation.getBaggage(ctx2)?.getEntry('region')?.value).toBe('us');
    expect(propagation.getBaggage(ctx)?.getEntry('region')?.value).toBe('eu');
  });

  it('enforces the W3C limits and counts what it drops', () => {
    const many = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, 'v']));
    let ctx = telemetry.setBaggage(context.active(), many);
    expect(propagation.getBaggage(ctx)?.getAllEntries()).toHaveLength(64);
    ctx = telemetry.setBaggage(context.active(), { ['x'.repeat(129)]: 'v', ok: 'y'.repeat(512), tooLong: 'z'.repeat(513) });
    expect(propagation.getBaggage(ctx)?.getAllEntries().map(([k]) => k)).toEqual(['ok']);
    const big = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`key${i}`, 'v'.repeat(500)]));
    ctx = telemetry.setBaggage(context.active(), big);
    const kept = propagation.getBaggage(ctx)?.getAllEntries() ?? [];
    const bytes = kept.reduce((sum, [k, e]) => sum + k.length + e.value.length + 2, 0);
    expect(bytes).toBeLessThanOrEqual(8192 + 1);
    expect(kept.length).toBe(16); // 16 entries of ~506 bytes fit in 8 KB, the 17th does not
    expect(telemetry.getHealth().lostByReason.baggage_limit).toBe(6 + 2 + 4);
  });

  it('emitWithContext() adds allowed baggage entries as labels, and only those', async () => {
    await telemetry.withBaggage({ tenant_id: 'acme', user_id: 'u-1', session: 's-9' }, async () => {
      telemetry.emitWithContext('api.requests.total', 1, 'route', '/orders');
      telemetry.emitWithContext('api.requests.total', 1, { route: '/orders' });
    });
    telemetry.emitWithContext('api.requests.total', 1, 'route', '/orders');
    await telemetry.forceFlush();
    const points = bed.receiver.latest('api.requests.total');
    expect(points.map((p) => [p.attributes, p.value])).toEqual(expect.arrayContaining([
      [{ route: '/orders', tenant_id: 'acme' }, 2],
      [{ route: '/orders' }, 1],
    ]));
    expect(points).toHaveLength(2);
  });

  it('a client cannot explode series through baggage: allowed values still meet the cardinality limiter', async () => {
    await bed.stop();
    bed = await startTestBed({ baggageLabels: ['tenant_id'], cardinalityLimits: { tenant_id: 5 } });
    for (let i = 0; i < 200; i++) {
      telemetry.withBaggage({ tenant_id: `t${i}` }, () => telemetry.emitWithContext('tenant.hits.total', 1));
    }
    await telemetry.forceFlush();
    const points = bed.receiver.latest('tenant.hits.total');
    expect(points).toHaveLength(6);
    expect(points.reduce((s, p) => s + (p.value ?? 0), 0)).toBe(200);
  });
});
