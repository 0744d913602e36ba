'use strict';
/*
 * An Express app with tracingMiddleware and a readiness route:
 *
 *   node examples/express-app.js            # http://127.0.0.1:3000/orders/42 and /ready
 *
 * Spans are named by route template (GET /orders/:id), never by URL; /ready is not traced and answers with
 * getHealth() as JSON (200 even while the collector is down; use healthHandler({ strict: true }) for GoMind's policy).
 */
const express = require('express');
const telemetry = require('otel-facade');

function createApp() {
  const app = express();
  app.use(telemetry.tracingMiddleware());
  app.get('/ready', (req, res) => telemetry.healthHandler(req, res));
  app.get('/orders/:id', async (req, res) => {
    const order = await telemetry.withSpan('orders.load', async (span) => {
      span.setAttribute('order.id', req.params.id);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { id: req.params.id, total: 42.5 };
    });
    telemetry.counter('orders.viewed.total', 'channel', 'web');
    res.json(order);
  });
  return app;
}

module.exports = { createApp };

if (require.main === module) {
  telemetry.initialize({ serviceName: 'orders-web' });
  telemetry.installShutdownHooks();
  const host = process.env.HOST ?? '127.0.0.1'; // 0.0.0.0 in a container
  const server = createApp().listen(Number(process.env.PORT ?? 3000), host, async () => {
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${server.address().port}`;
    console.log(`orders-web on ${url} (try ${url}/orders/42 and ${url}/ready)`);
    if (process.argv.includes('--self-test')) {
      // Exercise the routes once, then stop: what the example's test runs.
      for (const path of ['/orders/42', '/orders/7', '/ready']) console.log(path, (await fetch(`${url}${path}`)).status);
      server.close();
      await telemetry.shutdown();
    }
  });
}
