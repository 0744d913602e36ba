'use strict';
/*
 * GoMind pattern 1, a tool: a weather service that answers requests and records a request counter, an error
 * counter, a latency histogram and an active-connections gauge, with spans through the middleware.
 *
 *   node examples/weather-service.js                  # http://127.0.0.1:8080/weather/current?city=berlin
 *   HOST=0.0.0.0 PORT=8080 node examples/weather-service.js   # reachable from outside (a pod)
 *   PORT=9000 node examples/weather-service.js --duration 30
 *
 * Telemetry goes to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318; run
 * `node examples/collector/run-collector.js` in another terminal to see it).
 */
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const telemetry = require('otel-facade');

const FORECASTS = {
  berlin: { tempC: 11, sky: 'cloudy' },
  lisbon: { tempC: 21, sky: 'sunny' },
  oslo: { tempC: 3, sky: 'snow' },
  tokyo: { tempC: 17, sky: 'rain' },
};
const ROUTES = ['/weather/current', '/weather/forecast'];

/** Builds the service; `listen()` resolves with its URL. */
function createWeatherService() {
  let active = 0;
  const middleware = telemetry.tracingMiddleware({
    getRoute: (req) => ROUTES.find((route) => (req.url ?? '').split('?')[0] === route),
  });
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').startsWith('/ready')) {
      telemetry.healthHandler(req, res);
      return;
    }
    middleware(req, res, () => void handle(req, res));
  });

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://weather');
    const endpoint = ROUTES.includes(url.pathname) ? url.pathname : 'unknown';
    const city = (url.searchParams.get('city') ?? 'berlin').toLowerCase();
    const start = performance.now();
    active++;
    telemetry.gauge('weather.connections.active', active);
    let status = 200;
    try {
      if (endpoint === 'unknown') {
        status = 404;
        return send(res, status, { error: 'no such endpoint' });
      }
      const forecast = await telemetry.withSpan('weather.provider.lookup', async (span) => {
        span.setAttribute('weather.city', city);
        await delay(5 + Math.random() * 40);
        if (url.searchParams.get('fail') === '1') throw new Error('weather provider timed out');
        return FORECASTS[city];
      });
      if (forecast === undefined) {
        status = 404;
        telemetry.recordError('weather.errors.total', 'unknown_city', 'endpoint', endpoint);
        return send(res, status, { error: `no forecast for ${city}` });
      }
      return send(res, status, { city, ...forecast, traceId: telemetry.currentTraceId() ?? null });
    } catch (error) {
      status = 502;
      telemetry.recordError('weather.errors.total', 'upstream_timeout', 'endpoint', endpoint);
      return send(res, status, { error: error.message });
    } finally {
      telemetry.counter('weather.requests.total', 'endpoint', endpoint, 'method', req.method ?? 'GET', 'status', String(status));
      telemetry.histogram('weather.request.duration_ms', performance.now() - start, 'endpoint', endpoint);
      active--;
      telemetry.gauge('weather.connections.active', active);
    }
  }

  return {
    server,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve) => server.listen(port, host, () => resolve(`http://${host}:${server.address().port}`)));
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res, status, body) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads `--name value` from the command line. */
function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

module.exports = { createWeatherService, option };

if (require.main === module) {
  // The profile comes from OTEL_FACADE_PROFILE (development when unset), so the Deployment chooses it.
  telemetry.initialize({ serviceName: 'weather-service' });
  telemetry.installShutdownHooks({ timeoutMs: 3000 });
  const service = createWeatherService();
  // HOST: 127.0.0.1 on a laptop; 0.0.0.0 in a pod (the Deployment sets it), where the kubelet probes the pod's IP.
  service.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1').then((url) => {
    console.log(`weather-service on ${url} (try ${url}/weather/current?city=lisbon); Ctrl-C to stop`);
    const duration = Number(option('duration', 'Infinity'));
    if (Number.isFinite(duration)) {
      setTimeout(async () => {
        await service.close();
        await telemetry.shutdown();
      }, duration * 1000);
    }
  });
}
