/** Versioned tables in the DSL: stream-table joins as of the stream record's time; out-of-order table updates. */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { Stores } from '../../src/state/stores.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

function pricedOrders(versioned: boolean): string[] {
  const b = new StreamsBuilder();
  const prices = b.table<string, string>('prices', {
    keySerde: S,
    valueSerde: S,
    ...(versioned ? { storeSupplier: Stores.inMemoryVersionedKeyValueStore('prices-store', 1000) } : { storeName: 'prices-store' }),
  });
  b.stream<string, string>('orders', { keySerde: S, valueSerde: S })
    .leftJoin(prices, (order, price) => `${order}@${price ?? 'none'}`)
    .to('priced', { keySerde: S, valueSerde: S });
  driver = new TopologyTestDriver(b.build(), { applicationId: 'versioned' }, 0);
  const priceInput = driver.createInputTopic('prices', S, S);
  const orders = driver.createInputTopic('orders', S, S);
  priceInput.pipeInput('apple', '1.00', 10);
  priceInput.pipeInput('apple', '2.00', 20);
  orders.pipeInput('apple', 'o1', 15); // a late order: the price valid at 15 was 1.00
  orders.pipeInput('apple', 'o2', 25);
  priceInput.pipeInput('apple', '0.50', 5); // an out-of-order price update
  orders.pipeInput('apple', 'o3', 7);
  orders.pipeInput('apple', 'o4', 3);
  return driver.createOutputTopic('priced', S, S).readValuesToList().map(String);
}

describe('versioned tables', () => {
  it('a stream-table join reads a versioned table as of the stream record timestamp', () => {
    assert.deepEqual(pricedOrders(true), ['o1@1.00', 'o2@2.00', 'o3@0.50', 'o4@none']);
    assert.deepEqual(driver?.getVersionedKeyValueStore<string, string>('prices-store').get('apple', 12), { value: '1.00', timestamp: 10, validTo: 20 });
  });

  it('a plain table joins the latest value, whatever the stream record time', () => {
    assert.deepEqual(pricedOrders(false), ['o1@2.00', 'o2@2.00', 'o3@0.50', 'o4@0.50']);
  });

  it('out-of-order updates of a versioned table are forwarded by toStream but ignored by table-table joins', () => {
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', { keySerde: S, valueSerde: S, storeSupplier: Stores.persistentVersionedKeyValueStore('left-store', 1000) });
    const right = b.table<string, string>('right', { keySerde: S, valueSerde: S });
    left.toStream().to('left-changes', { keySerde: S, valueSerde: S });
    left.join(right, (l, r) => `${l}+${r}`).toStream().to('joined', { keySerde: S, valueSerde: S });
    driver = new TopologyTestDriver(b.build(), { applicationId: 'versioned' }, 0);
    driver.createInputTopic('right', S, S).pipeInput('k', 'R', 1);
    const l = driver.createInputTopic('left', S, S);
    l.pipeInput('k', 'new', 20);
    l.pipeInput('k', 'older', 10);
    l.pipeInput('k', 'newest', 30);
    assert.deepEqual(driver.createOutputTopic('left-changes', S, S).readValuesToList(), ['new', 'older', 'newest']);
    assert.deepEqual(driver.createOutputTopic('joined', S, S).readValuesToList(), ['new+R', 'newest+R']);
  });

  it('store suppliers: a key-value supplier names and backs a store; a versioned one only fits a source table', () => {
    const b = new StreamsBuilder();
    const stream = b.stream<string, string>('in', { keySerde: S, valueSerde: S });
    stream.groupByKey().count({ storeSupplier: Stores.inMemoryKeyValueStore('counted') }).toStream().to('out', { keySerde: S, valueSerde: Serdes.long() });
    assert.throws(
      () => b.globalTable<string, string>('g', { keySerde: S, valueSerde: S, storeSupplier: Stores.inMemoryVersionedKeyValueStore('g-store', 10) }),
      /versioned store can only materialize a source table/,
    );
    driver = new TopologyTestDriver(b.build(), { applicationId: 'suppliers' }, 0);
    driver.createInputTopic('in', S, S).pipeInput('k', 'x', 1);
    assert.equal(driver.getKeyValueStore<string, number>('counted').get('k'), 1);
  });
});
