/**
 * The CRM import and the order insights: their rules through the TopologyTestDriver, then through the whole shop
 * over HTTP on each backend — CRM records become customers through the owner of `customers` (a disabled one a
 * tombstone), and `customer-order-counts` and `orders-with-customers` answer through the store lookups.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Topology } from '@tributary/streams';
import { TopologyTestDriver } from '@tributary/streams/testing';
import { crmImportTopology, customerFromCrm } from '../src/later/crm-import.js';
import { LATER_TOPICS, laterSerdes } from '../src/later/later-topics.js';
import type { OrderWithCustomer } from '../src/later/later-schemas.js';
import {
  CUSTOMER_ORDER_COUNTS_STORE,
  INSIGHTS_EXPIRY_STORE,
  LATEST_ORDERS_STORE,
  orderInsightsTopology,
  ORDERS_AT_CREATION_STORE,
  ORDERS_WITH_CUSTOMERS_STORE,
} from '../src/later/order-insights.js';
import { sweepIntervalMs } from '../src/services/retention.js';
import type { Customer, Order } from '../src/schemas.js';
import { serdes, TOPICS } from '../src/topics.js';
import { TOPIC_REGISTRY } from '../src/topic-registry.js';
import { readRawTopic, runId, shopTargets, tempDir, uniqueCustomerId } from './support.js';

const T0 = 1_700_000_000_000;
const WAIT_MS = 60_000;

function withDriver(topology: Topology, body: (driver: TopologyTestDriver) => void): void {
  const driver = new TopologyTestDriver(topology, { applicationId: 'later-test' }, T0);
  try {
    body(driver);
  } finally {
    driver.close();
  }
}

const crm = (overrides: Partial<Parameters<typeof customerFromCrm>[0]> = {}) => ({
  crmId: 'crm-1',
  customerNo: 17,
  name: '  Ada   King Lovelace ',
  contacts: [
    { email: ' ', phone: '+44 1' },
    { email: 'ada@example.com', phone: '+44 2' },
  ],
  disabled: false,
  ...overrides,
});

describe('crm-import', () => {
  it('keys customers by customerNo, maps name and first email, and turns a disabled record into a tombstone', () => {
    withDriver(crmImportTopology(), (driver) => {
      const input = driver.createInputTopic(LATER_TOPICS.crmCustomers, laterSerdes.key, laterSerdes.crmCustomer);
      const out = driver.createOutputTopic(LATER_TOPICS.crmCustomerChanges, serdes.customerKey, serdes.customer);
      input.pipeInput('crm-1', crm(), T0);
      input.pipeInput('crm-2', crm({ crmId: 'crm-2', customerNo: 18, name: 'Plato', contacts: [] }), T0);
      input.pipeInput('crm-1', crm({ disabled: true }), T0);
      input.pipeInput('crm-3', null, T0);
      assert.deepEqual(out.readKeyValuesToList().map((r) => [r.key, r.value]), [
        ['17', { id: 17, firstName: 'Ada', lastName: 'King Lovelace', email: 'ada@example.com', address: '', level: 'bronze' }],
        ['18', { id: 18, firstName: 'Plato', lastName: '', email: '', address: '', level: 'bronze' }],
        ['17', null],
      ]);
    });
  });
});

describe('order-insights', () => {
  it('counts orders per customer and joins each order with its customer and latest status', () => {
    withDriver(orderInsightsTopology(), (driver) => {
      const customers = driver.createInputTopic(TOPICS.customers, serdes.customerKey, serdes.customer);
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const ada: Customer = { id: 1, firstName: 'Ada', lastName: 'L', email: 'a@x', address: 'x', level: 'gold' };
      customers.pipeInput('1', ada, T0);
      const order = (id: string, customerId: number, state: Order['state'] = 'CREATED'): Order => ({ id, customerId, state, product: 'JUMPERS', quantity: 1, price: 2 });
      orders.pipeInput('a', order('a', 1), T0);
      orders.pipeInput('b', order('b', 1), T0 + 1);
      orders.pipeInput('c', order('c', 2), T0 + 2);
      orders.pipeInput('a', order('a', 1, 'VALIDATED'), T0 + 3);
      const counts = driver.getKeyValueStore<string, number>(CUSTOMER_ORDER_COUNTS_STORE);
      // An order's later versions do not count again.
      assert.equal(counts.get('1'), 2);
      assert.equal(counts.get('2'), 1);
      const joined = driver.getKeyValueStore<string, OrderWithCustomer>(ORDERS_WITH_CUSTOMERS_STORE);
      assert.deepEqual(joined.get('a'), { order: order('a', 1, 'VALIDATED'), status: 'VALIDATED', customer: ada });
      assert.equal(joined.get('b')?.status, 'CREATED');
      // Customer 2 is unknown: the order is there, without a customer.
      assert.deepEqual(joined.get('c'), { order: order('c', 2), status: 'CREATED', customer: null });
    });
  });

  it('forgets orders settled longer ago than the retention horizon from every per-order table, and keeps undecided ones', () => {
    const retention = 2 * 60 * 60_000;
    withDriver(orderInsightsTopology(retention), (driver) => {
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const order = (id: string, state: Order['state'] = 'CREATED'): Order => ({ id, customerId: 1, state, product: 'JUMPERS', quantity: 1, price: 2 });
      const stores = [LATEST_ORDERS_STORE, ORDERS_AT_CREATION_STORE, ORDERS_WITH_CUSTOMERS_STORE, INSIGHTS_EXPIRY_STORE];
      const held = (id: string): string[] => stores.filter((name) => driver.getKeyValueStore<string, unknown>(name).get(id) !== null);
      orders.pipeInput('settled', order('settled'), T0);
      orders.pipeInput('settled', order('settled', 'VALIDATED'), T0 + 1);
      orders.pipeInput('pending', order('pending'), T0);
      // Within the horizon both are there.
      orders.pipeInput('tick', order('tick', 'FAILED'), T0 + retention - 1);
      assert.deepEqual(held('settled'), stores);
      // Past it (and a sweep), the settled order is gone from every table; the undecided one stays.
      orders.pipeInput('tick', order('tick', 'FAILED'), T0 + retention + sweepIntervalMs(retention) + 2);
      assert.deepEqual(held('settled'), []);
      assert.deepEqual(held('pending'), stores);
      // Counts are per customer (CREATED versions only) and stay.
      assert.equal(driver.getKeyValueStore<string, number>(CUSTOMER_ORDER_COUNTS_STORE).get('1'), 2);
    });
  });
});

for (const target of shopTargets()) {
  describe(`services added later over HTTP on ${target.name}`, { timeout: 180_000 }, () => {
    it('imports CRM customers through the owner of customers, deletes disabled ones, counts and joins orders', async () => {
      const dir = tempDir(`later-${target.name}`);
      const shop = await target.start(dir.path);
      try {
        const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
          const res = await shop.shop.server.inject({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
          assert.ok(res.statusCode < 500, `${method} ${url}: ${res.statusCode}`);
          return { status: res.statusCode, body: res.json() as Record<string, unknown> };
        };
        const until = async (url: string, done: (r: { status: number; body: Record<string, unknown> }) => boolean) => {
          const deadline = Date.now() + WAIT_MS;
          let r = await call('GET', url);
          while (!done(r) && Date.now() < deadline) {
            await new Promise((res) => setTimeout(res, 50));
            r = await call('GET', url);
          }
          return r;
        };

        // CRM import: an array of two records, then one disables the first customer.
        const [first, second] = [uniqueCustomerId(), uniqueCustomerId()];
        const posted = await call('POST', '/v1/crm/customers', [
          crm({ crmId: `crm-${runId}-a`, customerNo: first }),
          crm({ crmId: `crm-${runId}-b`, customerNo: second, name: 'Alan Turing', contacts: [{ email: 'alan@example.com', phone: '1' }] }),
        ]);
        assert.equal(posted.status, 202);
        assert.deepEqual(posted.body, { accepted: 2, crmIds: [`crm-${runId}-a`, `crm-${runId}-b`] });
        const imported = await until(`/v1/stores/order-insights-customers/${first}`, (r) => r.status === 200);
        assert.deepEqual(imported.body['value'], { id: first, firstName: 'Ada', lastName: 'King Lovelace', email: 'ada@example.com', address: '', level: 'bronze' });
        assert.equal((await until(`/v1/stores/customers-store/${second}`, (r) => r.status === 200)).body['value'] !== undefined, true);
        assert.equal((await call('POST', '/v1/crm/customers', crm({ crmId: `crm-${runId}-a`, customerNo: first, disabled: true }))).status, 202);
        assert.equal((await until(`/v1/stores/order-insights-customers/${first}`, (r) => r.status === 404)).status, 404);
        const tombstone = await readRawTopic(shop.backend, TOPICS.customers, (rs) => rs.some((r) => r.key?.toString() === String(first) && r.value === null));
        assert.ok(tombstone.some((r) => r.key?.toString() === String(first) && r.value === null), 'the disabled customer is a tombstone on customers');
        // What this run put on the topics matches the registry's schemas.
        const keys = new Set([`crm-${runId}-a`, `crm-${runId}-b`, String(first), String(second)]);
        for (const topic of [LATER_TOPICS.crmCustomers, LATER_TOPICS.crmCustomerChanges, TOPICS.customers]) {
          const mine = (await readRawTopic(shop.backend, topic, (rs) => rs.filter((r) => keys.has(r.key?.toString() ?? '')).length >= 3, 10_000)).filter((r) =>
            keys.has(r.key?.toString() ?? ''),
          );
          assert.ok(mine.length >= 3, `${topic} holds this run's records`);
          const schema = TOPIC_REGISTRY.get(topic)?.schema;
          for (const r of mine) assert.ok(schema?.safeParse(r.value === null ? null : JSON.parse(r.value.toString('utf8'))).success, `${topic} record ${r.key?.toString()} fits its schema`);
        }
        const bad = await call('POST', '/v1/crm/customers', [crm({ crmId: `crm-${runId}-c` }), { crmId: 'x', name: 'n', contacts: [] }]);
        assert.equal(bad.status, 400);
        assert.equal(bad.body['field'], '1.customerNo');
        assert.equal((await call('POST', '/v1/crm/customers', [])).status, 400);

        // Counts and orders with customers: three orders of the second (imported) customer.
        const ids = [1, 2, 3].map((i) => `ins-${runId}-${i}`);
        for (const id of ids) assert.equal((await call('POST', '/v1/orders', { id, customerId: second, product: 'STOCKINGS', quantity: 1, price: 1 })).status, 201);
        for (const id of ids) assert.equal((await call('GET', `/v1/orders/${id}/validated?timeout=${WAIT_MS}`)).body['state'], 'FAILED');
        const count = await until(`/v1/stores/customer-order-counts/${second}`, (r) => r.body['value'] === 3);
        assert.equal(count.body['value'], 3);
        const joined = await until(`/v1/stores/orders-with-customers/${ids[0]}`, (r) => (r.body['value'] as OrderWithCustomer | undefined)?.status === 'FAILED');
        const value = joined.body['value'] as OrderWithCustomer;
        assert.equal(value.status, 'FAILED');
        assert.equal(value.order.id, ids[0]);
        assert.equal(value.customer?.id, second);
        assert.equal(value.customer?.email, 'alan@example.com');
        const listed = (await call('GET', '/v1/stores')).body['stores'] as Array<{ name: string; service: string }>;
        for (const name of ['customer-order-counts', 'orders-with-customers', 'warranty-offers']) assert.ok(listed.some((s) => s.name === name), `${name} listed`);
      } finally {
        await shop.close();
        dir.remove();
      }
    });
  });
}
