/**
 * Settled orders' per-order entries expire after the retention horizon (event time), in the orders view, the
 * inventory service and the aggregator; within the horizon they still rule out a second outcome or reservation.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Topology } from '@tributary/streams';
import { TopologyTestDriver } from '@tributary/streams/testing';
import { STOCK_STORE } from '../src/inventory/command-processor.js';
import type { Stock } from '../src/inventory/schemas.js';
import type { Order } from '../src/schemas.js';
import { inventoryTopology } from '../src/services/inventory.js';
import { COMMAND_LOG_STORE, ORDER_HOLDS_STORE } from '../src/inventory/command-processor.js';
import { reserveCommandId } from '../src/inventory/schemas.js';
import { ORDERS_STORE, ordersViewTopology } from '../src/services/orders-view.js';
import { DEFAULT_SETTLED_RETENTION_MS, MIN_SWEEP_STEP_ENTRIES, SWEEP_STEPS, sweepIntervalMs } from '../src/services/retention.js';
import { ORDER_CHECKS_STORE, validationsAggregatorTopology } from '../src/services/validations-aggregator.js';
import { serdes, TOPICS } from '../src/topics.js';

const T0 = 1_700_000_000_000;
const HOUR = 60 * 60_000;
const RETENTION = 2 * HOUR;
/** Past the horizon of something settled at T0, plus a sweep. */
const LATER = T0 + RETENTION + sweepIntervalMs(RETENTION) + 1;

const order = (id: string, overrides: Partial<Order> = {}): Order => ({ id, customerId: 1, state: 'CREATED', product: 'JUMPERS', quantity: 1, price: 1, ...overrides });

function withDriver(topology: Topology, body: (driver: TopologyTestDriver) => void): void {
  const driver = new TopologyTestDriver(topology, { applicationId: 'shop-retention-test' }, T0);
  try {
    body(driver);
  } finally {
    driver.close();
  }
}

describe('retention of settled orders', () => {
  it('defaults to 7 days and sweeps at most hourly', () => {
    assert.equal(DEFAULT_SETTLED_RETENTION_MS, 7 * 24 * HOUR);
    assert.equal(sweepIntervalMs(DEFAULT_SETTLED_RETENTION_MS), HOUR);
  });

  it('the orders view forgets settled orders past the horizon and keeps undecided ones', () => {
    const seen: string[] = [];
    withDriver(ordersViewTopology((o) => seen.push(`${o.id}:${o.state}`), RETENTION), (driver) => {
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const store = (): { get(id: string): unknown } => driver.getKeyValueStore<string, unknown>(ORDERS_STORE);
      orders.pipeInput('settled', order('settled'), T0);
      orders.pipeInput('settled', order('settled', { state: 'VALIDATED' }), T0);
      orders.pipeInput('pending', order('pending'), T0);
      // Within the horizon: both there.
      orders.pipeInput('tick', order('tick', { state: 'FAILED' }), T0 + RETENTION - 1);
      assert.notEqual(store().get('settled'), null);
      orders.pipeInput('tick2', order('tick2', { state: 'FAILED' }), LATER);
      assert.equal(store().get('settled'), null);
      assert.notEqual(store().get('pending'), null);
      assert.deepEqual(seen.slice(0, 3), ['settled:CREATED', 'settled:VALIDATED', 'pending:CREATED']);
    });
  });

  it('a large store is swept in steps of a bounded size, and wholly within a sweep interval', () => {
    withDriver(ordersViewTopology(() => undefined, RETENTION), (driver) => {
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const store = driver.getKeyValueStore<string, unknown>(ORDERS_STORE);
      const count = 40 * MIN_SWEEP_STEP_ENTRIES;
      for (let i = 0; i < count; i++) orders.pipeInput(`o${i}`, order(`o${i}`, { state: 'VALIDATED' }), T0);
      // Stream time past the horizon: each record that moves it a step on runs one step of the sweep, which reads
      // a twentieth of the store as it was when the pass began (the first tick is in it: count + 1 entries).
      const step = sweepIntervalMs(RETENTION) / SWEEP_STEPS;
      const perStep = Math.ceil((count + 1) / SWEEP_STEPS);
      const expiredLeft: number[] = [];
      for (let i = 1; i <= SWEEP_STEPS; i++) {
        orders.pipeInput(`tick${i}`, order(`tick${i}`), LATER + i * step);
        expiredLeft.push(store.approximateNumEntries() - i); // the ticks are CREATED: kept
      }
      assert.equal(expiredLeft[0], count - perStep, 'one step reads one slice');
      assert.equal(expiredLeft[1], count - 2 * perStep);
      assert.equal(expiredLeft[SWEEP_STEPS - 1], 0, 'a whole pass within SWEEP_STEPS steps');
    });
  });

  it('the aggregator decides once within the horizon; past it the order is forgotten', () => {
    withDriver(validationsAggregatorTopology(RETENTION), (driver) => {
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const validations = driver.createInputTopic(TOPICS.orderValidations, serdes.key, serdes.validation);
      const out = driver.createOutputTopic(TOPICS.orders, serdes.key, serdes.order);
      const decided = (): string[] => out.readValuesToList().flatMap((o) => (o !== null && o.state !== 'CREATED' ? [`${o.id}:${o.state}`] : []));
      orders.pipeInput('o', order('o'), T0);
      validations.pipeInput('o', { orderId: 'o', checkType: 'INVENTORY_CHECK', validationResult: 'FAIL' }, T0);
      assert.deepEqual(decided(), ['o:FAILED']);
      // A duplicate within the horizon changes nothing.
      orders.pipeInput('o', order('o'), T0 + HOUR);
      validations.pipeInput('o', { orderId: 'o', checkType: 'FRAUD_CHECK', validationResult: 'FAIL' }, T0 + HOUR);
      assert.deepEqual(decided(), []);
      // Checks whose order never came are kept no longer than decided orders.
      validations.pipeInput('orphan', { orderId: 'orphan', checkType: 'FRAUD_CHECK', validationResult: 'PASS' }, T0 + HOUR);
      const store = driver.getKeyValueStore<string, unknown>(ORDER_CHECKS_STORE);
      assert.notEqual(store.get('o'), null);
      validations.pipeInput('tick', { orderId: 'tick', checkType: 'FRAUD_CHECK', validationResult: 'PASS' }, LATER + HOUR);
      assert.equal(store.get('o'), null);
      assert.equal(store.get('orphan'), null);
      assert.notEqual(store.get('tick'), null);
    });
  });

  it('the inventory forgets command ids and order reservations past the horizon, never stock', () => {
    withDriver(inventoryTopology(RETENTION), (driver) => {
      const stock = driver.createInputTopic(TOPICS.warehouseInventory, serdes.key, serdes.inventory);
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const reservations = driver.getKeyValueStore<string, { status: string }>(ORDER_HOLDS_STORE);
      const commandLog = driver.getKeyValueStore<string, unknown>(COMMAND_LOG_STORE);
      stock.pipeInput('JUMPERS', { product: 'JUMPERS', quantity: 10 }, T0);
      orders.pipeInput('kept', order('kept', { quantity: 2 }), T0);
      orders.pipeInput('kept', order('kept', { quantity: 2, state: 'VALIDATED' }), T0);
      orders.pipeInput('held', order('held', { quantity: 3 }), T0);
      orders.pipeInput('rejected', order('rejected', { quantity: 100 }), T0);
      assert.equal(reservations.get('kept')?.status, 'RESERVED');
      assert.equal(reservations.get('rejected')?.status, 'REJECTED');
      assert.notEqual(commandLog.get(reserveCommandId('kept')), null);
      orders.pipeInput('tick', order('tick', { quantity: 1 }), LATER);
      assert.equal(reservations.get('kept'), null);
      assert.equal(reservations.get('rejected'), null);
      assert.equal(commandLog.get(reserveCommandId('kept')), null);
      // Expiry forgets bookkeeping, never stock: 2 kept + 3 held + 1 reserved.
      assert.deepEqual(driver.getKeyValueStore<string, Stock>(STOCK_STORE).get('JUMPERS'), { available: 4, reserved: 6 });
    });
  });
});
