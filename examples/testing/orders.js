'use strict';
/* The code under test: it records with the global API, as application code does, and knows nothing of tests. */
const telemetry = require('otel-facade');

/** Places an order: counts it by status, times it, and traces it. */
function placeOrder(order) {
  return telemetry.withSpan('orders.place', (span) => {
    span.setAttribute('order.items', order.items.length);
    const started = performance.now();
    const status = order.items.length > 0 ? 'accepted' : 'rejected';
    telemetry.counter('orders.total', 'status', status);
    telemetry.histogram('orders.place.duration_ms', performance.now() - started, 'status', status);
    return status;
  });
}

module.exports = { placeOrder };
