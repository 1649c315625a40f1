/**
 * The inventory's command processor through the TopologyTestDriver: each command's one event and result, the rules
 * that keep stock from going negative, a repeated command id answered with its first result and no new event, the
 * order flow's reservations and releases, and a read model rebuilt from the events alone equal to the processor's
 * own stock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Serdes, TopologyTestDriver, type TestInputTopic, type TestOutputTopic } from '@tributary/streams';
import { STOCK_STORE } from '../src/inventory/command-processor.js';
import { INVENTORY_READ_MODEL_STORE, inventoryReadModelTopology } from '../src/inventory/read-model.js';
import { commandResultSerde, inventoryCommandSerde, inventoryEventSerde } from '../src/inventory/serdes.js';
import type { CommandResult, InventoryCommand, InventoryEvent, Stock } from '../src/inventory/schemas.js';
import { decide } from '../src/inventory/stock-rules.js';
import { inventoryTopology } from '../src/services/inventory.js';
import type { Order } from '../src/schemas.js';
import { serdes, TOPICS } from '../src/topics.js';

const T0 = 1_700_000_000_000;

interface Harness {
  readonly driver: TopologyTestDriver;
  readonly commands: TestInputTopic<string, InventoryCommand>;
  readonly events: TestOutputTopic<string, InventoryEvent>;
  readonly results: TestOutputTopic<string, CommandResult>;
  send(command: Omit<InventoryCommand, 'product'> & { product?: string }): void;
  stock(product?: string): Stock | null;
}

function withInventory(body: (h: Harness) => void): void {
  const driver = new TopologyTestDriver(inventoryTopology(), { applicationId: 'inventory-test' }, T0);
  const commands = driver.createInputTopic(TOPICS.inventoryCommands, Serdes.string(), inventoryCommandSerde);
  let t = T0;
  try {
    body({
      driver,
      commands,
      events: driver.createOutputTopic(TOPICS.inventoryEvents, Serdes.string(), inventoryEventSerde),
      results: driver.createOutputTopic(TOPICS.commandResults, Serdes.string(), commandResultSerde),
      send: (c) => commands.pipeInput(c.product ?? 'JUMPERS', { product: 'JUMPERS', ...c }, (t += 1)),
      stock: (product = 'JUMPERS') => driver.getKeyValueStore<string, Stock>(STOCK_STORE).get(product),
    });
  } finally {
    driver.close();
  }
}

describe('inventory command processor', () => {
  it('writes one event and one result per command, with the stock after it', () => {
    withInventory((h) => {
      h.send({ commandId: 'c1', type: 'ADD', quantity: 10 });
      h.send({ commandId: 'c2', type: 'RESERVE', quantity: 4, orderId: 'o1' });
      h.send({ commandId: 'c3', type: 'REMOVE', quantity: 5 });
      h.send({ commandId: 'c4', type: 'RELEASE', quantity: 1 });
      h.send({ commandId: 'c5', type: 'SET', quantity: 20 });
      const events = h.events.readKeyValuesToList();
      assert.deepEqual(
        events.map((e) => [e.key, e.value?.commandId, e.value?.type, e.value?.quantity, e.value?.available, e.value?.reserved]),
        [
          ['JUMPERS', 'c1', 'STOCK_ADDED', 10, 10, 0],
          ['JUMPERS', 'c2', 'RESERVED', 4, 6, 4],
          ['JUMPERS', 'c3', 'STOCK_REMOVED', 5, 1, 4],
          ['JUMPERS', 'c4', 'RELEASED', 1, 2, 3],
          // SET counts the warehouse's whole stock: 20 in all, 3 of them reserved.
          ['JUMPERS', 'c5', 'STOCK_SET', 20, 17, 3],
        ],
      );
      assert.equal(events[1]?.value?.orderId, 'o1');
      assert.equal(new Set(events.map((e) => e.value?.eventId)).size, 5);
      const results = h.results.readKeyValuesToList();
      assert.deepEqual(
        results.map((r) => [r.key, r.value?.status, r.value?.events]),
        events.map((e) => [e.value?.commandId, 'ACCEPTED', [e.value?.eventId]]),
      );
      assert.deepEqual(h.stock(), { available: 17, reserved: 3 });
    });
  });

  it('rejects what would take stock below zero, with a REJECTED event that changes nothing', () => {
    withInventory((h) => {
      h.send({ commandId: 'none', type: 'RESERVE', quantity: 1 });
      h.send({ commandId: 'add', type: 'ADD', quantity: 3 });
      h.send({ commandId: 'too-many', type: 'RESERVE', quantity: 4 });
      h.send({ commandId: 'remove', type: 'REMOVE', quantity: 4 });
      h.send({ commandId: 'release', type: 'RELEASE', quantity: 1 });
      h.send({ commandId: 'zero', type: 'ADD', quantity: 0 });
      h.send({ commandId: 'fraction', type: 'ADD', quantity: 1.5 });
      h.send({ commandId: 'reserve', type: 'RESERVE', quantity: 2 });
      h.send({ commandId: 'set-below', type: 'SET', quantity: 1 });
      const results = new Map(h.results.readKeyValuesToList().map((r) => [r.key, r.value]));
      const reasons = (id: string): string => `${results.get(id)?.status}: ${results.get(id)?.reason ?? ''}`;
      assert.match(reasons('none'), /^REJECTED: no inventory record for product JUMPERS/);
      assert.match(reasons('too-many'), /^REJECTED: insufficient stock/);
      assert.match(reasons('remove'), /^REJECTED: insufficient stock/);
      assert.match(reasons('release'), /^REJECTED: cannot release 1/);
      assert.match(reasons('zero'), /^REJECTED: quantity must be greater than 0/);
      assert.match(reasons('fraction'), /^REJECTED: quantity must be a whole number/);
      assert.match(reasons('set-below'), /^REJECTED: cannot set JUMPERS to 1: 2 are reserved/);
      assert.equal(results.get('reserve')?.status, 'ACCEPTED');
      const rejected = h.events.readValuesToList().filter((e) => e?.type === 'REJECTED');
      assert.equal(rejected.length, 7);
      assert.deepEqual(h.stock(), { available: 1, reserved: 2 });
    });
  });

  it('answers a repeated command id with its first result and writes no second event', () => {
    withInventory((h) => {
      h.send({ commandId: 'add', type: 'ADD', quantity: 5 });
      h.send({ commandId: 'add', type: 'ADD', quantity: 5 });
      h.send({ commandId: 'add', type: 'REMOVE', quantity: 1 });
      assert.equal(h.events.readValuesToList().length, 1);
      const results = h.results.readValuesToList();
      assert.equal(results.length, 3);
      assert.deepEqual(results[1], results[0]);
      assert.deepEqual(results[2], results[0]);
      assert.deepEqual(h.stock(), { available: 5, reserved: 0 });
    });
  });

  it('reserves once per CREATED order and releases it once when the order ends FAILED', () => {
    withInventory((h) => {
      const orders = h.driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const validations = h.driver.createOutputTopic(TOPICS.orderValidations, serdes.key, serdes.validation);
      const order = (id: string, state: Order['state'], quantity: number): Order => ({ id, customerId: 1, state, product: 'JUMPERS', quantity, price: 1 });
      h.send({ commandId: 'stock', type: 'SET', quantity: 5 });
      orders.pipeInput('a', order('a', 'CREATED', 3), T0 + 10);
      orders.pipeInput('a', order('a', 'CREATED', 3), T0 + 11);
      orders.pipeInput('b', order('b', 'CREATED', 3), T0 + 12);
      assert.deepEqual(h.stock(), { available: 2, reserved: 3 });
      orders.pipeInput('a', order('a', 'FAILED', 3), T0 + 13);
      orders.pipeInput('a', order('a', 'FAILED', 3), T0 + 14);
      orders.pipeInput('b', order('b', 'FAILED', 3), T0 + 15);
      assert.deepEqual(h.stock(), { available: 5, reserved: 0 });
      assert.deepEqual(
        validations.readKeyValuesToList().map((v) => [v.key, v.value?.validationResult]),
        [
          ['a', 'PASS'],
          ['b', 'FAIL'],
        ],
      );
      // b never held stock: its release is a REJECTED event, not a change of stock.
      const last = h.events.readValuesToList().at(-1);
      assert.equal(last?.type, 'REJECTED');
      assert.equal(last?.orderId, 'b');
    });
  });

  it('turns a warehouse-inventory record into a SET command applied once', () => {
    withInventory((h) => {
      const warehouse = h.driver.createInputTopic(TOPICS.warehouseInventory, serdes.key, serdes.inventory);
      warehouse.pipeInput('UNDERPANTS', { product: 'UNDERPANTS', quantity: 7 }, T0);
      assert.deepEqual(h.stock('UNDERPANTS'), { available: 7, reserved: 0 });
      assert.match(h.events.readValuesToList()[0]?.commandId ?? '', /^warehouse-inventory:\d+:0$/);
    });
  });

  it('keeps stock >= 0 under random commands, and the events rebuild the same read model', () => {
    withInventory((h) => {
      let seed = 42;
      const random = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const types = ['ADD', 'REMOVE', 'SET', 'RESERVE', 'RELEASE'] as const;
      const products = ['JUMPERS', 'UNDERPANTS', 'STOCKINGS'];
      for (let i = 0; i < 400; i++) {
        h.send({ commandId: `r${random(300)}`, type: types[random(types.length)] ?? 'ADD', quantity: random(8), product: products[random(3)] ?? 'JUMPERS' });
      }
      const events = h.events.readKeyValuesToList();
      for (const e of events) {
        assert.ok((e.value?.available ?? -1) >= 0 && (e.value?.reserved ?? -1) >= 0, `never negative: ${JSON.stringify(e.value)}`);
      }
      // Each command id was applied at most once.
      const ids = events.map((e) => e.value?.commandId);
      assert.equal(new Set(ids).size, ids.length);

      const rebuild = new TopologyTestDriver(inventoryReadModelTopology(), { applicationId: 'inventory-rebuild-test' }, T0);
      try {
        const input = rebuild.createInputTopic(TOPICS.inventoryEvents, Serdes.string(), inventoryEventSerde);
        for (const e of events) if (e.value !== null) input.pipeInput(e.key, e.value, T0);
        const model = rebuild.getKeyValueStore<string, Stock>(INVENTORY_READ_MODEL_STORE);
        for (const product of products) assert.deepEqual(model.get(product), h.stock(product), product);
      } finally {
        rebuild.close();
      }
    });
  });
});

describe('stock rules', () => {
  it('decides from the command and the current stock alone', () => {
    const command = (type: InventoryCommand['type'], quantity: number): InventoryCommand => ({ commandId: 'x', type, product: 'P', quantity });
    assert.deepEqual(decide(command('ADD', 2), null), { type: 'STOCK_ADDED', stock: { available: 2, reserved: 0 } });
    assert.deepEqual(decide(command('SET', 0), { available: 3, reserved: 0 }), { type: 'STOCK_SET', stock: { available: 0, reserved: 0 } });
    assert.equal(decide(command('ADD', Number.MAX_SAFE_INTEGER), { available: 1, reserved: 0 }).type, 'REJECTED');
    assert.equal(decide(command('SET', -1), null).type, 'REJECTED');
  });
});
