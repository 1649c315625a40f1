/**
 * The shop end to end: every service and the HTTP API started together, driven only through HTTP (fastify's
 * inject, and a real socket for the disconnecting client), once per backend: the embedded log always, Apache Kafka
 * when KAFKA_BOOTSTRAP_SERVERS is set. Results are checked through HTTP and, where HTTP cannot show them, through
 * the services' stores, the email sink and the topics.
 *
 * On Kafka the shop's topics (fixed names) outlive the suite and may hold earlier runs' records, so every order,
 * payment and customer id is unique to the run, and stock is set relative to what is already reserved.
 */
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryableStoreTypes, type Backend } from '@tributary/streams';
import type { Order, Product } from '../src/schemas.js';
import { ORDER_HOLDS_STORE } from '../src/inventory/command-processor.js';
import { TOPICS } from '../src/topics.js';
import { emailsInFile, runId, shopTargets, startTestShop, tempDir, uniqueCustomerId, type TestShop } from './support.js';

/** How long a test waits for an outcome or a side effect; generous for a loaded 2-core CI machine. */
const WAIT_MS = 60_000;

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
}

type Call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => Promise<Reply>;

function client(shop: TestShop): Call {
  return async (method, url, payload) => {
    const res = await shop.shop.server.inject({
      method,
      url,
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
    return { status: res.statusCode, body: res.body.startsWith('{') ? (res.json() as Record<string, unknown>) : {}, headers: res.headers };
  };
}

/** Repeats `read` until `done` holds (or WAIT_MS pass) and returns the last answer. */
async function eventually<T>(read: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    value = await read();
  }
  return value;
}

let seq = 0;
/** A valid order with an id and a customer of its own (which keeps fraud sessions apart). */
function newOrder(overrides: Partial<Order> = {}): Omit<Order, 'state'> {
  seq += 1;
  return { id: `order-${runId}-${seq}`, customerId: uniqueCustomerId(), product: 'JUMPERS', quantity: 2, price: 10, ...overrides };
}

function newCustomer(level: string): { id: number; firstName: string; lastName: string; email: string; address: string; level: string } {
  const id = uniqueCustomerId();
  return { id, firstName: 'Grace', lastName: 'H', email: `c${id}@example.com`, address: 'x', level };
}

interface TopicRecord {
  readonly key: string;
  readonly value: Record<string, unknown>;
}

/** Reads `topic` from its beginning through the backend until `done` holds for what was read (or WAIT_MS pass). */
async function readTopic(backend: Backend, topic: string, done: (records: TopicRecord[]) => boolean): Promise<TopicRecord[]> {
  const admin = backend.admin();
  const partitions = (await admin.describeTopics([topic])).get(topic) ?? 0;
  await admin.close();
  assert.ok(partitions > 0, `topic ${topic} exists`);
  const consumer = await backend.createConsumer({ clientId: `shop-test-reader-${runId}`, isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  const records: TopicRecord[] = [];
  try {
    await consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: -1 })));
    const deadline = Date.now() + WAIT_MS;
    while (!done(records) && Date.now() < deadline) {
      for (const record of await consumer.poll(500, 100)) {
        if (record.key === null || record.value === null) continue;
        records.push({ key: record.key.toString('utf8'), value: JSON.parse(record.value.toString('utf8')) as Record<string, unknown> });
      }
    }
  } finally {
    await consumer.close();
  }
  return records;
}

for (const target of shopTargets()) {
  describe(`shop end to end on ${target.name}`, { timeout: 300_000 }, () => {
    const dir = tempDir(`e2e-${target.name}`);
    let shop: TestShop;
    let call: Call;
    /**
     * What the inventory service holds reserved per product, as this suite expects it. Starts from what the view
     * shows (on a broker earlier runs may have reserved stock). The view's figure follows the inventory service's
     * committed changelog, so it may trail, and an order that reserves and then releases shows as a passing blip:
     * a test waits for the view only for a figure the product's changelog has not shown before.
     */
    const held = new Map<Product, number>();

    const outcome = async (id: string): Promise<Reply> => call('GET', `/v1/orders/${encodeURIComponent(id)}/validated?timeout=${WAIT_MS}`);

    /** Sets the product's stock to what is held plus `free`, so exactly `free` more can be reserved. */
    const setFree = async (product: Product, free: number): Promise<void> => {
      const reserved = held.get(product) ?? 0;
      const put = await call('PUT', `/v1/inventory/${product}`, { quantity: reserved + free });
      assert.equal(put.status, 200);
      assert.equal(put.body['product'], product);
      assert.equal(put.body['quantity'], reserved + free);
    };

    /** Waits until the view shows `reserved` for the product (a figure new to it), then expects that from now on. */
    const expectReserved = async (product: Product, reserved: number): Promise<void> => {
      const stock = await eventually(() => call('GET', `/v1/inventory/${product}`), (r) => r.body['reserved'] === reserved);
      assert.equal(stock.body['reserved'], reserved, `reserved ${product}`);
      held.set(product, reserved);
    };

    /** The inventory service's record of what it decided for an order (its store; HTTP does not show it). */
    const reservation = (orderId: string): string | null => {
      try {
        const store = shop.shop.apps
          .get('inventory')
          ?.app.store({ storeName: ORDER_HOLDS_STORE, type: QueryableStoreTypes.keyValueStore<string, { status: string }>() });
        return store?.get(orderId)?.status ?? null;
      } catch {
        // Not queryable for a moment (e.g. while partitions move): read again.
        return null;
      }
    };

    /** Waits until the email service's customers table holds the customer: an order joined before that is dropped. */
    const customerKnown = async (id: number): Promise<void> => {
      const read = (): unknown => {
        try {
          return (
            shop.shop.apps.get('email')?.app.store({ storeName: 'customers-store', type: QueryableStoreTypes.keyValueStore<string, unknown>() }).get(String(id)) ??
            null
          );
        } catch {
          return null;
        }
      };
      assert.notEqual(await eventually(read, (c) => c !== null), null, `customer ${id} reached the email service`);
    };

    before(async () => {
      shop = await target.start(dir.path);
      call = client(shop);
      for (const product of ['JUMPERS', 'UNDERPANTS'] as const) {
        const stock = await call('GET', `/v1/inventory/${product}`);
        held.set(product, stock.status === 200 ? Number(stock.body['reserved']) : 0);
      }
      // Nothing in this suite stocks STOCKINGS: it is the product without an inventory record.
      assert.equal(
        (await call('GET', '/v1/inventory/STOCKINGS')).status,
        404,
        'STOCKINGS must have no inventory record on this log (a broker reused by something that stocked it cannot run this suite)',
      );
    });

    after(async () => {
      await shop?.close();
      dir.remove();
    });

    it('reports health once every service runs', async () => {
      const res = await call('GET', '/health');
      assert.equal(res.status, 200);
      assert.equal(res.body['status'], 'UP');
      assert.deepEqual(Object.keys(res.body['services'] as object).sort(), [
        'catalog-pipeline',
        'catalog-view',
        'command-views',
        'email',
        'fraud',
        'inventory',
        'order-details',
        'orders',
        'registrations',
        'validations-aggregator',
      ]);
    });

    it('sets stock and reads it back with what is reserved', async () => {
      await setFree('JUMPERS', 10);
      const reserved = held.get('JUMPERS') ?? 0;
      // Nothing has been ordered yet: the figure the suite started from is settled.
      const get = await call('GET', '/v1/inventory/JUMPERS');
      assert.equal(get.status, 200);
      assert.deepEqual(get.body, { product: 'JUMPERS', quantity: reserved + 10, reserved, available: 10 });
      const unknown = await call('PUT', '/v1/inventory/HATS', { quantity: 1 });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body['field'], 'product');
      const negative = await call('PUT', '/v1/inventory/JUMPERS', { quantity: -1 });
      assert.equal(negative.status, 400);
      assert.equal(negative.body['field'], 'quantity');
    });

    it('takes an order to VALIDATED, answering every waiter, and reserves its stock', async () => {
      await setFree('JUMPERS', 10);
      const order = newOrder({ quantity: 3 });
      // Waiters registered before the order exists: any number per id, each answered once, none left behind.
      const waiting = [1, 2, 3].map(() => outcome(order.id));
      const post = await call('POST', '/v1/orders', order);
      assert.equal(post.status, 201);
      assert.equal(post.headers['location'], `/v1/orders/${order.id}`);
      assert.deepEqual(post.body, { ...order, state: 'CREATED' });
      const latest = await call('GET', `/v1/orders/${order.id}?timeout=${WAIT_MS}`);
      assert.equal(latest.status, 200);
      assert.equal(latest.body['id'], order.id);
      for (const validated of await Promise.all(waiting)) {
        assert.equal(validated.status, 200);
        assert.deepEqual(validated.body, { ...order, state: 'VALIDATED' });
      }
      assert.deepEqual((await outcome(order.id)).body, { ...order, state: 'VALIDATED' });
      assert.equal(shop.shop.waiters.size, 0);
      // The reserved figure follows the inventory service's committed changelog: it may trail the outcome a little.
      await expectReserved('JUMPERS', (held.get('JUMPERS') ?? 0) + 3);
    });

    it('validates 10 orders that exhaust the stock and fails the next one', async () => {
      await setFree('JUMPERS', 10);
      const reserved = held.get('JUMPERS') ?? 0;
      const orders = Array.from({ length: 10 }, () => newOrder({ quantity: 1 }));
      for (const posted of await Promise.all(orders.map((o) => call('POST', '/v1/orders', o)))) assert.equal(posted.status, 201);
      const outcomes = await Promise.all(orders.map((o) => outcome(o.id)));
      assert.deepEqual(
        outcomes.map((r) => [r.status, r.body['state']]),
        orders.map(() => [200, 'VALIDATED']),
      );
      await expectReserved('JUMPERS', reserved + 10);

      const oneMore = newOrder({ quantity: 1 });
      assert.equal((await call('POST', '/v1/orders', oneMore)).status, 201);
      const failed = await outcome(oneMore.id);
      assert.equal(failed.status, 200);
      assert.deepEqual(failed.body, { ...oneMore, state: 'FAILED' });
      assert.equal(reservation(oneMore.id), 'REJECTED');
      assert.deepEqual((await call('GET', '/v1/inventory/JUMPERS')).body, { product: 'JUMPERS', quantity: reserved + 10, reserved: reserved + 10, available: 0 });
    });

    it('rejects an invalid body with 400 naming the field', async () => {
      const bad = await call('POST', '/v1/orders', { ...newOrder(), quantity: 'lots' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body['field'], 'quantity');
      assert.match(String(bad.body['error']), /quantity/);
      const missing = await call('POST', '/v1/orders', { id: `x-${runId}`, product: 'JUMPERS', quantity: 1, price: 1 });
      assert.equal(missing.status, 400);
      assert.equal(missing.body['field'], 'customerId');
      const state = await call('POST', '/v1/orders', { ...newOrder(), state: 'VALIDATED' });
      assert.equal(state.status, 400);
      assert.equal(state.body['field'], 'state');
      const price = await call('POST', '/v1/orders', { ...newOrder(), price: '10' });
      assert.equal(price.status, 400);
      assert.equal(price.body['field'], 'price');
      // None of them was written: the ids are still free.
      assert.equal((await call('GET', `/v1/orders/x-${runId}?timeout=0`)).status, 504);
    });

    it('accepts business-invalid orders and FAILS them (quantity 0, negative price, unknown product)', async () => {
      await setFree('UNDERPANTS', 10);
      const reserved = held.get('UNDERPANTS') ?? 0;
      const orders = [newOrder({ product: 'UNDERPANTS', quantity: 0 }), newOrder({ product: 'UNDERPANTS', price: -1 }), newOrder({ product: 'HATS' })];
      for (const posted of await Promise.all(orders.map((o) => call('POST', '/v1/orders', o)))) assert.equal(posted.status, 201);
      const outcomes = await Promise.all(orders.map((o) => outcome(o.id)));
      assert.deepEqual(
        outcomes.map((r) => r.body),
        orders.map((o) => ({ ...o, state: 'FAILED' })),
      );
      // Stock was free, so the negative-price order passed the inventory check: order details failed it, and its
      // FAILED outcome gave the stock back.
      assert.equal(await eventually(() => reservation(orders[1]?.id ?? ''), (s) => s === 'RELEASED'), 'RELEASED');
      assert.equal(reservation(orders[0]?.id ?? ''), 'REJECTED');
      held.set('UNDERPANTS', reserved);
    });

    it('FAILS an order whose customer reaches the fraud threshold and releases its reservation', async () => {
      await setFree('UNDERPANTS', 4);
      const reserved = held.get('UNDERPANTS') ?? 0;
      // 4 x 500 = 2000: the threshold itself fails.
      const order = newOrder({ product: 'UNDERPANTS', quantity: 4, price: 500 });
      assert.equal((await call('POST', '/v1/orders', order)).status, 201);
      assert.deepEqual((await outcome(order.id)).body, { ...order, state: 'FAILED' });
      // The inventory check passed and reserved all 4; the FAILED outcome gave them back ...
      assert.equal(await eventually(() => reservation(order.id), (s) => s === 'RELEASED'), 'RELEASED');
      // ... so another customer can have 3 of them (3: a figure the view has not shown for this product yet).
      const next = newOrder({ product: 'UNDERPANTS', quantity: 3, price: 1 });
      assert.equal((await call('POST', '/v1/orders', next)).status, 201);
      assert.deepEqual((await outcome(next.id)).body, { ...next, state: 'VALIDATED' });
      await expectReserved('UNDERPANTS', reserved + 3);
    });

    it('FAILS an order for a product without an inventory record', async () => {
      const order = newOrder({ product: 'STOCKINGS' });
      assert.equal((await call('POST', '/v1/orders', order)).status, 201);
      // Otherwise valid (known product, 2 x 10): only the inventory check can fail it.
      assert.deepEqual((await outcome(order.id)).body, { ...order, state: 'FAILED' });
      assert.equal(reservation(order.id), 'REJECTED');
      assert.equal((await call('GET', '/v1/inventory/STOCKINGS')).status, 404);
    });

    it('emails the customer once for an order and its payment', async () => {
      const customer = newCustomer('silver');
      assert.equal((await call('POST', '/v1/customers', customer)).status, 201);
      await customerKnown(customer.id);
      const order = newOrder({ customerId: customer.id });
      const payment = { id: `pay-${order.id}`, orderId: order.id, ccy: 'EUR', amount: 20 };
      assert.equal((await call('POST', '/v1/orders', order)).status, 201);
      assert.equal((await call('POST', '/v1/payments', payment)).status, 201);
      const sent = await eventually(
        () => shop.emails.filter((e) => e.order.id === order.id),
        (list) => list.length > 0,
      );
      assert.deepEqual(
        sent.map((e) => [e.to, e.order.id, e.payment]),
        [[customer.email, order.id, payment]],
      );
      // The default file sink got the same email.
      assert.deepEqual(
        emailsInFile(shop)
          .filter((e) => e.order.id === order.id)
          .map((e) => [e.to, e.subject, e.payment.id]),
        [[customer.email, `Your order ${order.id}`, payment.id]],
      );
    });

    it("routes an order's OrderEnriched record to its customer's level topic", async () => {
      const gold = newCustomer('gold');
      const bronze = newCustomer('bronze');
      for (const c of [gold, bronze]) assert.equal((await call('POST', '/v1/customers', c)).status, 201);
      await customerKnown(gold.id);
      await customerKnown(bronze.id);
      const goldOrder = newOrder({ customerId: gold.id });
      const bronzeOrder = newOrder({ customerId: bronze.id });
      for (const o of [goldOrder, bronzeOrder]) assert.equal((await call('POST', '/v1/orders', o)).status, 201);

      const enriched = (o: { id: string; customerId: number }, level: string): TopicRecord => ({
        key: o.id,
        value: { id: o.id, customerId: o.customerId, customerLevel: level },
      });
      const goldTopic = await readTopic(shop.backend, TOPICS.gold, (rs) => rs.some((r) => r.key === goldOrder.id));
      assert.deepEqual(
        goldTopic.filter((r) => r.key === goldOrder.id),
        [enriched(goldOrder, 'gold')],
      );
      // Only gold customers' orders are on `gold`.
      assert.deepEqual(
        goldTopic.filter((r) => r.value['customerLevel'] !== 'gold'),
        [],
      );
      const bronzeTopic = await readTopic(shop.backend, TOPICS.bronze, (rs) => rs.some((r) => r.key === bronzeOrder.id));
      assert.deepEqual(
        bronzeTopic.filter((r) => r.key === bronzeOrder.id),
        [enriched(bronzeOrder, 'bronze')],
      );
      const all = await readTopic(shop.backend, TOPICS.ordersEnriched, (rs) => [goldOrder.id, bronzeOrder.id].every((id) => rs.some((r) => r.key === id)));
      for (const [o, level] of [
        [goldOrder, 'gold'],
        [bronzeOrder, 'bronze'],
      ] as const) {
        assert.deepEqual(
          all.filter((r) => r.key === o.id),
          [enriched(o, level)],
        );
      }
    });

    it('answers 409 for a duplicate id, also while the first is in flight', async () => {
      const order = newOrder({ product: 'STOCKINGS' });
      const [first, racing] = await Promise.all([call('POST', '/v1/orders', order), call('POST', '/v1/orders', order)]);
      assert.deepEqual([first.status, racing.status].sort(), [201, 409]);
      assert.equal((await outcome(order.id)).body['state'], 'FAILED');
      const again = await call('POST', '/v1/orders', { ...order, quantity: 1 });
      assert.equal(again.status, 409);
      assert.equal(again.body['id'], order.id);
      // The duplicate changed nothing.
      assert.deepEqual((await call('GET', `/v1/orders/${order.id}`)).body, { ...order, state: 'FAILED' });
    });

    it('times out with 504 and leaves no waiter behind', async () => {
      const id = `never-placed-${runId}`;
      const many = await Promise.all([
        ...[1, 2, 3].map(() => call('GET', `/v1/orders/${id}?timeout=100`)),
        call('GET', `/v1/orders/${id}/validated?timeout=100`),
      ]);
      assert.deepEqual(
        many.map((r) => [r.status, r.body['id']]),
        [
          [504, id],
          [504, id],
          [504, id],
          [504, id],
        ],
      );
      assert.equal(shop.shop.waiters.size, 0);
    });

    it('drops the waiter of a client that disconnects', async () => {
      const address = await shop.shop.server.listen({ port: 0, host: '127.0.0.1' });
      const req = request(`${address}/v1/orders/never-placed-either-${runId}?timeout=60000`);
      req.on('error', () => undefined);
      req.end();
      assert.equal(await eventually(() => shop.shop.waiters.size, (n) => n === 1), 1);
      req.destroy();
      assert.equal(await eventually(() => shop.shop.waiters.size, (n) => n === 0), 0);
    });

    it('serves JSON 404s, 413 for bodies over 64 KiB, 400 for invalid JSON, and the page', async () => {
      const missing = await call('GET', '/v1/nothing');
      assert.equal(missing.status, 404);
      assert.match(String(missing.body['error']), /nothing/);
      const big = await call('POST', '/v1/orders', { ...newOrder(), padding: 'x'.repeat(70 * 1024) });
      assert.equal(big.status, 413);
      assert.equal(typeof big.body['error'], 'string');
      const garbled = await shop.shop.server.inject({ method: 'POST', url: '/v1/orders', headers: { 'content-type': 'application/json' }, payload: '{"id":' });
      assert.equal(garbled.statusCode, 400);
      assert.equal(typeof garbled.json().error, 'string');
      const page = await shop.shop.server.inject({ method: 'GET', url: '/' });
      assert.equal(page.statusCode, 200);
      assert.match(page.headers['content-type'] as string, /text\/html/);
      assert.match(page.body, /\/v1\/orders/);
    });

    it('accepts customers (bronze by default) and payments', async () => {
      const { level: _level, ...customer } = newCustomer('bronze');
      const created = await call('POST', '/v1/customers', customer);
      assert.equal(created.status, 201);
      assert.deepEqual(created.body, { ...customer, level: 'bronze' });
      const payment = { id: `p-${runId}`, orderId: `o-${runId}`, ccy: 'EUR', amount: 10 };
      const paid = await call('POST', '/v1/payments', payment);
      assert.equal(paid.status, 201);
      assert.deepEqual(paid.body, payment);
      const { amount: _amount, ...noAmount } = payment;
      assert.equal((await call('POST', '/v1/payments', noAmount)).body['field'], 'amount');
    });
  });
}

describe('shop restart on the embedded log', () => {
  it('keeps orders and their outcomes across a restart on the same data directory', async () => {
    const dir = tempDir('restart');
    try {
      const first = await startTestShop(dir.path);
      const call1 = client(first);
      await call1('PUT', '/v1/inventory/JUMPERS', { quantity: 4 });
      const order = newOrder({ quantity: 4 });
      await call1('POST', '/v1/orders', order);
      assert.equal((await call1('GET', `/v1/orders/${order.id}/validated?timeout=${WAIT_MS}`)).body['state'], 'VALIDATED');
      await first.close();

      const second = await startTestShop(dir.path);
      try {
        const call2 = client(second);
        const again = await call2('GET', `/v1/orders/${order.id}/validated?timeout=5000`);
        assert.equal(again.status, 200);
        assert.equal(again.body['state'], 'VALIDATED');
        assert.deepEqual((await call2('GET', '/v1/inventory/JUMPERS')).body, { product: 'JUMPERS', quantity: 4, reserved: 4, available: 0 });
        assert.equal((await call2('POST', '/v1/orders', order)).status, 409);
        // The restored reservation still counts: nothing is left.
        const next = newOrder({ quantity: 1 });
        await call2('POST', '/v1/orders', next);
        assert.equal((await call2('GET', `/v1/orders/${next.id}/validated?timeout=${WAIT_MS}`)).body['state'], 'FAILED');
      } finally {
        await second.close();
      }
    } finally {
      dir.remove();
    }
  });
});
