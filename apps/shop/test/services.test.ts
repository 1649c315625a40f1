/**
 * Each service's rules through the TopologyTestDriver: records in, validations or order versions out.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TopologyTestDriver, type Topology } from '@tributary/streams';
import { inventoryTopology } from '../src/services/inventory.js';
import { orderDetailsTopology } from '../src/services/order-details.js';
import { fraudTopology, FRAUD_SESSION_GAP_MS } from '../src/services/fraud.js';
import { validationsAggregatorTopology, VALIDATION_WINDOW_MS } from '../src/services/validations-aggregator.js';
import { STOCK_STORE } from '../src/inventory/command-processor.js';
import type { Stock } from '../src/inventory/schemas.js';
import type { Order, OrderValidation } from '../src/schemas.js';
import { serdes, TOPICS } from '../src/topics.js';

const T0 = 1_700_000_000_000;

function order(id: string, overrides: Partial<Order> = {}): Order {
  return { id, customerId: 1, state: 'CREATED', product: 'JUMPERS', quantity: 1, price: 10, ...overrides };
}

function withDriver(topology: Topology, body: (driver: TopologyTestDriver) => void): void {
  const driver = new TopologyTestDriver(topology, { applicationId: 'shop-test' }, T0);
  try {
    body(driver);
  } finally {
    driver.close();
  }
}

describe('order-details', () => {
  it('passes sound orders and fails bad quantity, negative price and unknown products, with reasons', () => {
    withDriver(orderDetailsTopology(), (driver) => {
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const out = driver.createOutputTopic(TOPICS.orderValidations, serdes.key, serdes.validation);
      orders.pipeInput('ok', order('ok'), T0);
      orders.pipeInput('zero', order('zero', { quantity: 0 }), T0);
      orders.pipeInput('neg', order('neg', { price: -1 }), T0);
      orders.pipeInput('free', order('free', { price: 0 }), T0);
      orders.pipeInput('hats', order('hats', { product: 'HATS' }), T0);
      const results = out.readKeyValuesToList();
      assert.deepEqual(
        results.map((r) => [r.key, r.value?.checkType, r.value?.validationResult]),
        [
          ['ok', 'ORDER_DETAILS_CHECK', 'PASS'],
          ['zero', 'ORDER_DETAILS_CHECK', 'FAIL'],
          ['neg', 'ORDER_DETAILS_CHECK', 'FAIL'],
          ['free', 'ORDER_DETAILS_CHECK', 'PASS'],
          ['hats', 'ORDER_DETAILS_CHECK', 'FAIL'],
        ],
      );
      assert.match(results[1]?.value?.reason ?? '', /quantity/);
      assert.match(results[2]?.value?.reason ?? '', /price/);
      assert.match(results[4]?.value?.reason ?? '', /HATS/);
    });
  });

  it('ignores orders that are not CREATED', () => {
    withDriver(orderDetailsTopology(), (driver) => {
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const out = driver.createOutputTopic(TOPICS.orderValidations, serdes.key, serdes.validation);
      orders.pipeInput('a', order('a', { state: 'VALIDATED', quantity: 0 }), T0);
      orders.pipeInput('b', order('b', { state: 'FAILED' }), T0);
      assert.ok(out.isEmpty());
    });
  });
});

describe('inventory', () => {
  it('reserves stock while it lasts, fails beyond it, and fails with a reason when there is no record', () => {
    withDriver(inventoryTopology(), (driver) => {
      const stock = driver.createInputTopic(TOPICS.warehouseInventory, serdes.key, serdes.inventory);
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const out = driver.createOutputTopic(TOPICS.orderValidations, serdes.key, serdes.validation);
      stock.pipeInput('JUMPERS', { product: 'JUMPERS', quantity: 5 }, T0);
      orders.pipeInput('o1', order('o1', { quantity: 3 }), T0 + 1);
      orders.pipeInput('o2', order('o2', { quantity: 3 }), T0 + 2);
      orders.pipeInput('o3', order('o3', { quantity: 2 }), T0 + 3);
      orders.pipeInput('o4', order('o4', { product: 'STOCKINGS' }), T0 + 4);
      const results = out.readKeyValuesToList();
      assert.deepEqual(
        results.map((r) => [r.key, r.value?.validationResult]),
        [
          ['o1', 'PASS'],
          ['o2', 'FAIL'],
          ['o3', 'PASS'],
          ['o4', 'FAIL'],
        ],
      );
      assert.ok(results.every((r) => r.value?.checkType === 'INVENTORY_CHECK'));
      assert.match(results[1]?.value?.reason ?? '', /insufficient stock/);
      assert.match(results[3]?.value?.reason ?? '', /no inventory record for product STOCKINGS/);
      assert.deepEqual(driver.getKeyValueStore<string, Stock>(STOCK_STORE).get('JUMPERS'), { available: 0, reserved: 5 });
    });
  });

  it('releases the reservation of an order that ends FAILED, once, and keeps that of a VALIDATED one', () => {
    withDriver(inventoryTopology(), (driver) => {
      const stock = driver.createInputTopic(TOPICS.warehouseInventory, serdes.key, serdes.inventory);
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const out = driver.createOutputTopic(TOPICS.orderValidations, serdes.key, serdes.validation);
      const reserved = (): number | undefined => driver.getKeyValueStore<string, Stock>(STOCK_STORE).get('JUMPERS')?.reserved;
      stock.pipeInput('JUMPERS', { product: 'JUMPERS', quantity: 10 }, T0);
      orders.pipeInput('a', order('a', { quantity: 4 }), T0);
      orders.pipeInput('b', order('b', { quantity: 3 }), T0);
      assert.equal(reserved(), 7);
      orders.pipeInput('a', order('a', { quantity: 4, state: 'FAILED' }), T0 + 10);
      assert.equal(reserved(), 3);
      orders.pipeInput('a', order('a', { quantity: 4, state: 'FAILED' }), T0 + 11);
      assert.equal(reserved(), 3);
      orders.pipeInput('b', order('b', { quantity: 3, state: 'VALIDATED' }), T0 + 12);
      assert.equal(reserved(), 3);
      // A redelivered CREATED order does not reserve again.
      orders.pipeInput('b', order('b', { quantity: 3 }), T0 + 13);
      assert.equal(reserved(), 3);
      assert.equal(out.readKeyValuesToList().length, 2);
    });
  });
});

describe('validations-aggregator', () => {
  function run(body: (send: { order(o: Order, ts?: number): void; check(v: OrderValidation, ts?: number): void }, read: () => Order[]) => void): void {
    withDriver(validationsAggregatorTopology(), (driver) => {
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const validations = driver.createInputTopic(TOPICS.orderValidations, serdes.key, serdes.validation);
      const out = driver.createOutputTopic(TOPICS.orders, serdes.key, serdes.order);
      body(
        {
          order: (o, ts = T0) => orders.pipeInput(o.id, o, ts),
          check: (v, ts = T0) => validations.pipeInput(v.orderId, v, ts),
        },
        // The topic holds the inputs too: only the versions the aggregator wrote matter.
        () => out.readValuesToList().filter((o): o is Order => o !== null && o.state !== 'CREATED'),
      );
    });
  }
  const pass = (orderId: string, checkType: OrderValidation['checkType']): OrderValidation => ({ orderId, checkType, validationResult: 'PASS' });

  it('VALIDATED once all three checks pass, even when checks arrive before the order; duplicates never count twice', () => {
    run((send, read) => {
      send.check(pass('o1', 'INVENTORY_CHECK'));
      send.check(pass('o1', 'INVENTORY_CHECK'));
      send.order(order('o1'));
      send.check(pass('o1', 'FRAUD_CHECK'));
      send.check(pass('o1', 'FRAUD_CHECK'));
      assert.deepEqual(read(), []);
      send.check(pass('o1', 'ORDER_DETAILS_CHECK'));
      send.check(pass('o1', 'ORDER_DETAILS_CHECK'));
      assert.deepEqual(read(), [{ ...order('o1'), state: 'VALIDATED' }]);
    });
  });

  it('FAILED on the first failing check, and exactly one outcome ever', () => {
    run((send, read) => {
      send.order(order('o2'));
      send.check(pass('o2', 'FRAUD_CHECK'));
      send.check({ orderId: 'o2', checkType: 'INVENTORY_CHECK', validationResult: 'FAIL', reason: 'no stock' });
      send.check(pass('o2', 'ORDER_DETAILS_CHECK'));
      send.check({ orderId: 'o2', checkType: 'ORDER_DETAILS_CHECK', validationResult: 'FAIL' });
      send.order(order('o2'));
      assert.deepEqual(read(), [{ ...order('o2'), state: 'FAILED' }]);
    });
  });

  it('ignores validations more than five minutes of event time after the order', () => {
    run((send, read) => {
      send.order(order('o3'), T0);
      send.check(pass('o3', 'FRAUD_CHECK'), T0 + 1000);
      send.check(pass('o3', 'INVENTORY_CHECK'), T0 + VALIDATION_WINDOW_MS);
      send.check({ orderId: 'o3', checkType: 'ORDER_DETAILS_CHECK', validationResult: 'FAIL' }, T0 + VALIDATION_WINDOW_MS + 1);
      assert.deepEqual(read(), []);
      send.check(pass('o3', 'ORDER_DETAILS_CHECK'), T0 + 2000);
      assert.deepEqual(read(), [{ ...order('o3'), state: 'VALIDATED' }]);
    });
  });
});

describe('fraud', () => {
  it('judges each order by its customer session total: FAIL at 2000 or more', () => {
    withDriver(fraudTopology(), (driver) => {
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const out = driver.createOutputTopic(TOPICS.orderValidations, serdes.key, serdes.validation);
      orders.pipeInput('a1', order('a1', { customerId: 7, quantity: 10, price: 100 }), T0);
      orders.pipeInput('b1', order('b1', { customerId: 8, quantity: 1, price: 5 }), T0 + 1);
      // A negative value does not buy the customer headroom.
      orders.pipeInput('n1', order('n1', { customerId: 7, quantity: -10, price: 100 }), T0 + 2);
      orders.pipeInput('a2', order('a2', { customerId: 7, quantity: 9, price: 100 }), T0 + 60_000);
      orders.pipeInput('a3', order('a3', { customerId: 7, quantity: 1, price: 100 }), T0 + 120_000);
      // More than an hour of inactivity: a new session, a fresh total.
      orders.pipeInput('a4', order('a4', { customerId: 7, quantity: 1, price: 100 }), T0 + 120_000 + FRAUD_SESSION_GAP_MS + 1);
      orders.pipeInput('v1', order('v1', { customerId: 7, state: 'VALIDATED', quantity: 100, price: 100 }), T0 + 120_000 + FRAUD_SESSION_GAP_MS + 2);
      const results = out.readKeyValuesToList();
      assert.deepEqual(
        results.map((r) => [r.key, r.value?.checkType, r.value?.validationResult]),
        [
          ['a1', 'FRAUD_CHECK', 'PASS'],
          ['b1', 'FRAUD_CHECK', 'PASS'],
          ['n1', 'FRAUD_CHECK', 'PASS'],
          ['a2', 'FRAUD_CHECK', 'PASS'],
          ['a3', 'FRAUD_CHECK', 'FAIL'],
          ['a4', 'FRAUD_CHECK', 'PASS'],
        ],
      );
      assert.match(results[4]?.value?.reason ?? '', /2000/);
    });
  });

  it('an order bridging two sessions is judged by the merged total', () => {
    withDriver(fraudTopology(), (driver) => {
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const out = driver.createOutputTopic(TOPICS.orderValidations, serdes.key, serdes.validation);
      const gap = FRAUD_SESSION_GAP_MS;
      orders.pipeInput('x1', order('x1', { customerId: 3, quantity: 10, price: 100 }), T0);
      orders.pipeInput('x2', order('x2', { customerId: 3, quantity: 9, price: 100 }), T0 + gap + 120_000);
      // A little late and within the gap of both: the sessions merge, 1000 + 900 + 100 = 2000.
      orders.pipeInput('x3', order('x3', { customerId: 3, quantity: 1, price: 100 }), T0 + gap / 2 + 60_000);
      assert.deepEqual(
        out.readKeyValuesToList().map((r) => [r.key, r.value?.validationResult]),
        [
          ['x1', 'PASS'],
          ['x2', 'PASS'],
          ['x3', 'FAIL'],
        ],
      );
    });
  });
});
