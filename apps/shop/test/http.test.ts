/**
 * The orders API end to end: the HTTP server (through fastify's inject) on every service, on a durable embedded log.
 */
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryableStoreTypes } from '@tributary/streams';
import type { Order } from '../src/schemas.js';
import { ORDER_RESERVATIONS_STORE } from '../src/services/inventory.js';
import { startTestShop, tempDir, type TestShop } from './support.js';

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
}

function client(shop: TestShop): (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => Promise<Reply> {
  return async (method, url, payload) => {
    const res = await shop.shop.server.inject({
      method,
      url,
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
    return { status: res.statusCode, body: res.body.startsWith('{') ? (res.json() as Record<string, unknown>) : {}, headers: res.headers };
  };
}

/** Repeats `read` until `done` holds (or 10 s pass) and returns the last answer. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    value = await read();
  }
  return value;
}

let seq = 0;
function newOrder(overrides: Partial<Order> = {}): Omit<Order, 'state'> {
  seq += 1;
  // A customer per order keeps fraud sessions apart.
  return { id: `order-${seq}-${Date.now()}`, customerId: 1000 + seq, product: 'JUMPERS', quantity: 2, price: 10, ...overrides };
}

describe('shop HTTP API', () => {
  const dir = tempDir('http');
  let shop: TestShop;
  let call: ReturnType<typeof client>;

  before(async () => {
    shop = await startTestShop(dir.path);
    call = client(shop);
  });

  /** The inventory service's record of what it decided for an order. */
  const reservation = (orderId: string): { status: string } | null =>
    shop.shop.apps
      .get('inventory')
      ?.store({ storeName: ORDER_RESERVATIONS_STORE, type: QueryableStoreTypes.keyValueStore<string, { status: string }>() })
      .get(orderId) ?? null;

  after(async () => {
    await shop?.close();
    dir.remove();
  });

  it('reports health once every service runs', async () => {
    const res = await call('GET', '/health');
    assert.equal(res.status, 200);
    assert.equal(res.body['status'], 'UP');
    assert.deepEqual(Object.keys(res.body['services'] as object).sort(), ['email', 'fraud', 'inventory', 'order-details', 'orders', 'validations-aggregator']);
  });

  it('sets stock and reads it back with what is reserved', async () => {
    const put = await call('PUT', '/v1/inventory/JUMPERS', { quantity: 10 });
    assert.equal(put.status, 200);
    assert.deepEqual(put.body, { product: 'JUMPERS', quantity: 10, reserved: 0 });
    const get = await call('GET', '/v1/inventory/JUMPERS');
    assert.deepEqual(get.body, { product: 'JUMPERS', quantity: 10, reserved: 0 });
    assert.equal((await call('PUT', '/v1/inventory/HATS', { quantity: 1 })).body['field'], 'product');
    assert.equal((await call('PUT', '/v1/inventory/JUMPERS', { quantity: -1 })).body['field'], 'quantity');
  });

  it('takes an order to VALIDATED and reserves its stock', async () => {
    const order = newOrder({ quantity: 3 });
    const post = await call('POST', '/v1/orders', order);
    assert.equal(post.status, 201);
    assert.equal(post.headers['location'], `/v1/orders/${order.id}`);
    assert.deepEqual(post.body, { ...order, state: 'CREATED' });
    const latest = await call('GET', `/v1/orders/${order.id}?timeout=10000`);
    assert.equal(latest.status, 200);
    assert.equal(latest.body['id'], order.id);
    const validated = await call('GET', `/v1/orders/${order.id}/validated?timeout=20000`);
    assert.equal(validated.status, 200);
    assert.deepEqual(validated.body, { ...order, state: 'VALIDATED' });
    // The reserved figure follows the inventory service's committed changelog: it may trail the outcome a little.
    const stock = await eventually(() => call('GET', '/v1/inventory/JUMPERS'), (r) => r.body['reserved'] === 3);
    assert.deepEqual(stock.body, { product: 'JUMPERS', quantity: 10, reserved: 3 });
    assert.equal(shop.shop.waiters.size, 0);
  });

  it('rejects an invalid body with 400 naming the field', async () => {
    const bad = await call('POST', '/v1/orders', { ...newOrder(), quantity: 'lots' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body['field'], 'quantity');
    assert.match(String(bad.body['error']), /quantity/);
    const missing = await call('POST', '/v1/orders', { id: 'x-1', product: 'JUMPERS', quantity: 1, price: 1 });
    assert.equal(missing.status, 400);
    assert.equal(missing.body['field'], 'customerId');
    const state = await call('POST', '/v1/orders', { ...newOrder(), state: 'VALIDATED' });
    assert.equal(state.body['field'], 'state');
  });

  it('answers 409 for a duplicate id, also while the first is in flight', async () => {
    const order = newOrder();
    const [first, racing] = await Promise.all([call('POST', '/v1/orders', order), call('POST', '/v1/orders', order)]);
    assert.deepEqual([first.status, racing.status].sort(), [201, 409]);
    await call('GET', `/v1/orders/${order.id}/validated?timeout=20000`);
    const again = await call('POST', '/v1/orders', order);
    assert.equal(again.status, 409);
  });

  it('fails an order beyond the stock, without reserving it', async () => {
    const order = newOrder({ quantity: 1000 });
    assert.equal((await call('POST', '/v1/orders', order)).status, 201);
    const outcome = await call('GET', `/v1/orders/${order.id}/validated?timeout=20000`);
    assert.equal(outcome.status, 200);
    assert.equal(outcome.body['state'], 'FAILED');
    assert.equal(reservation(order.id)?.status, 'REJECTED');
  });

  it('fails an order for a product without an inventory record', async () => {
    const order = newOrder({ product: 'STOCKINGS' });
    assert.equal((await call('POST', '/v1/orders', order)).status, 201);
    const outcome = await call('GET', `/v1/orders/${order.id}/validated?timeout=20000`);
    assert.equal(outcome.body['state'], 'FAILED');
    assert.equal((await call('GET', '/v1/inventory/STOCKINGS')).status, 404);
  });

  it('fails an order with a quantity of 0 (order details)', async () => {
    const order = newOrder({ quantity: 0 });
    assert.equal((await call('POST', '/v1/orders', order)).status, 201);
    const outcome = await call('GET', `/v1/orders/${order.id}/validated?timeout=20000`);
    assert.equal(outcome.body['state'], 'FAILED');
  });

  it('releases the reservation of an order that fails another check (fraud)', async () => {
    await call('PUT', '/v1/inventory/UNDERPANTS', { quantity: 5 });
    const order = newOrder({ product: 'UNDERPANTS', quantity: 5, price: 1000 });
    assert.equal((await call('POST', '/v1/orders', order)).status, 201);
    const outcome = await call('GET', `/v1/orders/${order.id}/validated?timeout=20000`);
    assert.equal(outcome.body['state'], 'FAILED');
    // The inventory check passed and reserved 5; the FAILED outcome gives them back.
    assert.equal((await eventually(async () => reservation(order.id), (r) => r?.status === 'RELEASED'))?.status, 'RELEASED');
    const stock = await eventually(() => call('GET', '/v1/inventory/UNDERPANTS'), (r) => r.body['reserved'] === 0);
    assert.equal(stock.body['reserved'], 0);
  });

  it('times out with 504 and leaves no waiter behind', async () => {
    const many = await Promise.all([1, 2, 3].map(() => call('GET', '/v1/orders/never-placed?timeout=100')));
    assert.deepEqual(
      many.map((r) => r.status),
      [504, 504, 504],
    );
    assert.equal(shop.shop.waiters.size, 0);
  });

  it('drops the waiter of a client that disconnects', async () => {
    const address = await shop.shop.server.listen({ port: 0, host: '127.0.0.1' });
    const req = request(`${address}/v1/orders/never-placed-either?timeout=60000`);
    req.on('error', () => undefined);
    req.end();
    assert.equal(await eventually(async () => shop.shop.waiters.size, (n) => n === 1), 1);
    req.destroy();
    assert.equal(await eventually(async () => shop.shop.waiters.size, (n) => n === 0), 0);
  });

  it('serves JSON 404s, 413 for bodies over 64 KiB, and the page', async () => {
    const missing = await call('GET', '/v1/nothing');
    assert.equal(missing.status, 404);
    assert.match(String(missing.body['error']), /nothing/);
    const big = await call('POST', '/v1/orders', { ...newOrder(), padding: 'x'.repeat(70 * 1024) });
    assert.equal(big.status, 413);
    const garbled = await shop.shop.server.inject({ method: 'POST', url: '/v1/orders', headers: { 'content-type': 'application/json' }, payload: '{"id":' });
    assert.equal(garbled.statusCode, 400);
    assert.equal(typeof garbled.json().error, 'string');
    const page = await shop.shop.server.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.body, /\/v1\/orders/);
  });

  it('emails the customer once an order is paid', async () => {
    const customer = await call('POST', '/v1/customers', { id: 77, firstName: 'Grace', lastName: 'H', email: 'grace@example.com', address: 'x', level: 'gold' });
    assert.equal(customer.status, 201);
    // The email service's customers table must hold the customer before the order meets it.
    const customers = shop.shop.apps.get('email')?.store({ storeName: 'customers-store', type: QueryableStoreTypes.keyValueStore<string, unknown>() });
    await eventually(async () => customers?.get('77') ?? null, (c) => c !== null);
    const order = newOrder({ customerId: 77 });
    assert.equal((await call('POST', '/v1/orders', order)).status, 201);
    assert.equal((await call('POST', '/v1/payments', { id: `pay-${order.id}`, orderId: order.id, ccy: 'EUR', amount: 20 })).status, 201);
    const sent = await eventually(
      async () => shop.emails.filter((e) => e.order.id === order.id),
      (list) => list.length > 0,
    );
    assert.deepEqual(
      sent.map((e) => [e.to, e.payment.id]),
      [['grace@example.com', `pay-${order.id}`]],
    );
  });

  it('accepts customers and payments', async () => {
    const customer = await call('POST', '/v1/customers', { id: 5, firstName: 'Ada', lastName: 'L', email: 'ada@example.com', address: 'here' });
    assert.equal(customer.status, 201);
    assert.equal(customer.body['level'], 'bronze');
    const payment = await call('POST', '/v1/payments', { id: 'p1', orderId: 'o1', ccy: 'EUR', amount: 10 });
    assert.equal(payment.status, 201);
    assert.equal((await call('POST', '/v1/payments', { id: 'p1', orderId: 'o1', ccy: 'EUR' })).body['field'], 'amount');
  });
});

describe('shop restart', () => {
  it('keeps orders and their outcomes across a restart on the same data directory', async () => {
    const dir = tempDir('restart');
    try {
      const first = await startTestShop(dir.path);
      const call1 = client(first);
      await call1('PUT', '/v1/inventory/JUMPERS', { quantity: 4 });
      const order = newOrder({ quantity: 4 });
      await call1('POST', '/v1/orders', order);
      assert.equal((await call1('GET', `/v1/orders/${order.id}/validated?timeout=20000`)).body['state'], 'VALIDATED');
      await first.close();

      const second = await startTestShop(dir.path);
      try {
        const call2 = client(second);
        const again = await call2('GET', `/v1/orders/${order.id}/validated?timeout=5000`);
        assert.equal(again.status, 200);
        assert.equal(again.body['state'], 'VALIDATED');
        assert.deepEqual((await call2('GET', '/v1/inventory/JUMPERS')).body, { product: 'JUMPERS', quantity: 4, reserved: 4 });
        assert.equal((await call2('POST', '/v1/orders', order)).status, 409);
        // The restored reservation still counts: nothing is left.
        const next = newOrder({ quantity: 1 });
        await call2('POST', '/v1/orders', next);
        assert.equal((await call2('GET', `/v1/orders/${next.id}/validated?timeout=20000`)).body['state'], 'FAILED');
      } finally {
        await second.close();
      }
    } finally {
      dir.remove();
    }
  });
});
