'use strict';
/*
 * GoMind pattern 3, context propagation: a gateway calls an inventory service in another process. One trace spans
 * both, and the tenant set as baggage in the gateway reaches the inventory, which labels its metric with it (an
 * allowlisted baggage key).
 *
 *   node examples/two-services.js
 */
const http = require('node:http');
const { fork } = require('node:child_process');
const telemetry = require('otel-facade');

async function inventory() {
  telemetry.initialize({ serviceName: 'inventory', baggageLabels: ['tenant_id'] });
  const middleware = telemetry.tracingMiddleware({ getRoute: () => '/stock/:sku' });
  const server = http.createServer((req, res) => middleware(req, res, () => {
    telemetry.emitWithContext('inventory.lookups.total', 1, 'warehouse', 'lisbon');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ inStock: 7, tenant: telemetry.getBaggage('tenant_id') ?? null, traceId: telemetry.currentTraceId() }));
  }));
  server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
  process.on('message', async () => {
    server.close();
    await telemetry.shutdown();
    process.exit(0);
  });
}

async function gateway() {
  telemetry.initialize({ serviceName: 'gateway' });
  const child = fork(__filename, ['inventory'], { stdio: 'inherit' });
  const inventoryUrl = await new Promise((resolve) => child.once('message', (m) => resolve(m.url)));
  for (const tenant of ['acme', 'globex']) {
    await telemetry.withSpan('gateway.checkout', async (span) => {
      const answer = await telemetry.withBaggage({ tenant_id: tenant }, async () => {
        const response = await telemetry.tracedFetch(`${inventoryUrl}/stock/sku-${tenant}`);
        return response.json();
      });
      console.log(`gateway trace ${span.traceId}; inventory saw trace ${answer.traceId} and tenant ${answer.tenant}`);
    });
  }
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  await telemetry.shutdown();
}

(process.argv[2] === 'inventory' ? inventory() : gateway()).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
