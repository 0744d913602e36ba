'use strict';
/*
 * Unit tests of orders.js with node:test and otel-facade/testing: `node --test examples/testing/`. The same three
 * calls work under jest and vitest (see README, "Testing code that records telemetry").
 */
const { test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { startTestTelemetry } = require('otel-facade/testing');
const { placeOrder } = require('./orders');

let t;
beforeEach(() => {
  t = startTestTelemetry();
});
afterEach(() => t.stop());

test('counts an accepted order and times it', () => {
  assert.equal(placeOrder({ items: ['book'] }), 'accepted');
  assert.equal(t.value('orders.total', { status: 'accepted' }), 1);
  assert.equal(t.value('orders.total', { status: 'rejected' }), undefined);
  assert.equal(t.histogram('orders.place.duration_ms', { status: 'accepted' }).count, 1);
});

test('traces each order, with its item count', () => {
  placeOrder({ items: ['a', 'b'] });
  const [span] = t.spans();
  assert.equal(span.name, 'orders.place');
  assert.equal(span.attributes['order.items'], 2);
});

test('starts from nothing in every test', () => {
  assert.equal(t.value('orders.total', { status: 'accepted' }), undefined);
  placeOrder({ items: [] });
  assert.equal(t.value('orders.total', { status: 'rejected' }), 1);
});
