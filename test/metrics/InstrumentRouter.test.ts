import {
  BYTE_BUCKETS,
  DEFAULT_BUCKETS,
  MILLISECOND_BUCKETS,
  SECOND_BUCKETS,
  nameSegments,
  routeInstrument,
} from '../../src/metrics/InstrumentRouter';

describe('routeInstrument', () => {
  it.each([
    ['weather.request.duration_ms', 'histogram', 'ms', MILLISECOND_BUCKETS],
    ['http.server.request.duration_seconds', 'histogram', 's', SECOND_BUCKETS],
    ['db.query.latency', 'histogram', '', MILLISECOND_BUCKETS],
    ['queue.time_ms', 'histogram', 'ms', MILLISECOND_BUCKETS],
    ['weather.requests.total', 'counter', '', []],
    ['cache-hit-count', 'counter', '', []],
    ['api/errors', 'counter', '', []],
    ['login.success', 'counter', '', []],
    ['connections.active', 'gauge', '', []],
    ['jobs.inflight', 'gauge', '', []],
    ['cache.size', 'gauge', '', []],
    ['work_queue', 'gauge', '', []],
    ['cpu.gauge', 'gauge', '', []],
    ['temperature.current', 'gauge', '', []],
    ['payload.bytes', 'histogram', 'By', BYTE_BUCKETS],
    ['model.score', 'histogram', '', DEFAULT_BUCKETS],
  ])('emit(%s) -> %s, unit %j', (name, kind, unit, buckets) => {
    expect(routeInstrument(name)).toEqual({ kind, unit, boundaries: buckets });
  });

  it('matches whole segments only', () => {
    expect(routeInstrument('service.uptime').kind).toBe('histogram');
    expect(routeInstrument('service.uptime').boundaries).toEqual(DEFAULT_BUCKETS);
    expect(routeInstrument('accounts.totality').kind).toBe('histogram');
    expect(routeInstrument('activeness').kind).toBe('histogram');
  });

  it('lets the rightmost known segment decide', () => {
    expect(routeInstrument('active.requests.total').kind).toBe('counter');
    expect(routeInstrument('errors.active').kind).toBe('gauge');
    expect(routeInstrument('queue.wait.duration').kind).toBe('histogram');
  });

  it('the function called is the strongest signal; the name still gives unit and buckets', () => {
    expect(routeInstrument('requests.duration_ms', 'counter')).toEqual({ kind: 'counter', unit: 'ms', boundaries: [] });
    expect(routeInstrument('response.size', 'histogram').boundaries).toEqual(BYTE_BUCKETS);
    expect(routeInstrument('requests.total', 'histogram').boundaries).toEqual(DEFAULT_BUCKETS);
    expect(routeInstrument('span.duration_us', 'histogram').boundaries[0]).toBe(1000);
  });

  it('splits on . _ - and /', () => {
    expect(nameSegments('A.b_c-d/e')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
