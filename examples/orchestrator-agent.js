'use strict';
/*
 * GoMind pattern 2, an agent: plans a trip by calling the weather tool for several cities in parallel, with
 * retries, and records workflow metrics and the unified tool-call vocabulary. One trace covers the workflow, its
 * tool calls and the weather service's handling of each.
 *
 *   node examples/orchestrator-agent.js                       # starts a weather service in-process
 *   WEATHER_URL=http://127.0.0.1:8080 node examples/orchestrator-agent.js --workflows 20
 */
const { performance } = require('node:perf_hooks');
const telemetry = require('otel-facade');
const { createWeatherService, option } = require('./weather-service.js');

const { MODULE_ORCHESTRATION } = telemetry;

/** Calls the weather tool for one city, retrying twice on failure. */
async function callWeatherTool(weatherUrl, city, attempt = 0) {
  const start = performance.now();
  try {
    const response = await telemetry.tracedFetch(`${weatherUrl}/weather/current?city=${city}${attempt === 0 && city === 'oslo' ? '&fail=1' : ''}`);
    if (!response.ok) throw new Error(`weather tool answered ${response.status}`);
    const forecast = await response.json();
    telemetry.recordToolCall(MODULE_ORCHESTRATION, 'weather', performance.now() - start, 'ok');
    return forecast;
  } catch (error) {
    telemetry.recordToolCall(MODULE_ORCHESTRATION, 'weather', performance.now() - start, 'error');
    telemetry.recordToolCallError(MODULE_ORCHESTRATION, 'weather', 'http_error');
    if (attempt >= 2) throw error;
    telemetry.recordToolCallRetry(MODULE_ORCHESTRATION, 'weather');
    return callWeatherTool(weatherUrl, city, attempt + 1);
  }
}

/** One workflow: parallel tool calls, then a decision. */
async function planTrip(weatherUrl, cities) {
  const start = performance.now();
  return telemetry.withSpan('agent.plan_trip', async (span) => {
    span.setAttribute('agent.cities', cities.join(','));
    let status = 'ok';
    try {
      const forecasts = await Promise.all(cities.map((city) => callWeatherTool(weatherUrl, city)));
      const best = forecasts.reduce((a, b) => (b.tempC > a.tempC ? b : a));
      telemetry.counter('workflow.steps.total', 'workflow', 'plan_trip', 'step', 'fan_out');
      telemetry.counter('workflow.steps.total', 'workflow', 'plan_trip', 'step', 'decide');
      span.setAttribute('agent.choice', best.city);
      return { city: best.city, traceId: span.traceId };
    } catch (error) {
      status = 'error';
      telemetry.recordRequestError(MODULE_ORCHESTRATION, 'plan_trip', 'tool_failed');
      throw error;
    } finally {
      const ms = performance.now() - start;
      telemetry.histogram('workflow.duration_ms', ms, 'workflow', 'plan_trip', 'status', status);
      telemetry.recordRequest(MODULE_ORCHESTRATION, 'plan_trip', ms, status);
    }
  });
}

async function main() {
  telemetry.initialize({ serviceName: 'trip-agent' });
  let weather;
  let weatherUrl = process.env.WEATHER_URL;
  if (weatherUrl === undefined) {
    weather = createWeatherService();
    weatherUrl = await weather.listen();
  }
  const workflows = Number(option('workflows', '5'));
  for (let i = 0; i < workflows; i++) {
    const { city, traceId } = await planTrip(weatherUrl, ['berlin', 'lisbon', 'oslo', 'tokyo']);
    console.log(`workflow ${i + 1}: go to ${city} (trace ${traceId})`);
  }
  if (weather) await weather.close();
  await telemetry.shutdown();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
