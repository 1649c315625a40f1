/** The foreign-key table-table join through the test driver. */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
interface Order {
  readonly product: string;
  readonly qty: number;
}
const O = Serdes.json<Order>();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

function setup(left: boolean): { orders: ReturnType<TopologyTestDriver['createInputTopic']>; products: ReturnType<TopologyTestDriver['createInputTopic']>; out: () => Array<{ key: unknown; value: unknown }> } {
  const b = new StreamsBuilder();
  const orders = b.table<string, Order>('orders', { keySerde: S, valueSerde: O });
  const products = b.table<string, string>('products', { keySerde: S, valueSerde: S });
  const joiner = (o: Order, name: string | null, id: string): string => `${id}:${o.qty} x ${name ?? '?'}`;
  const joined = left
    ? orders.leftJoin(products, (o) => o.product, joiner, { storeName: 'joined', valueSerde: S })
    : orders.join(products, (o) => o.product, joiner, { storeName: 'joined', valueSerde: S });
  joined.toStream().to('out', { keySerde: S, valueSerde: S });
  driver = new TopologyTestDriver(b.build(), { applicationId: 'fk' }, 0);
  const outTopic = driver.createOutputTopic('out', S, S);
  return {
    orders: driver.createInputTopic('orders', S, O) as ReturnType<TopologyTestDriver['createInputTopic']>,
    products: driver.createInputTopic('products', S, S) as ReturnType<TopologyTestDriver['createInputTopic']>,
    out: () => outTopic.readKeyValuesToList(),
  };
}

describe('foreign-key join', () => {
  it('inner: joins on the extracted key, follows right updates and foreign-key changes, deletes propagate', () => {
    const { orders, products, out } = setup(false);
    orders.pipeInput('o1', { product: 'p1', qty: 2 });
    assert.deepEqual(out(), [], 'no product yet: no inner result');
    products.pipeInput('p1', 'hat');
    assert.deepEqual(out(), [{ key: 'o1', value: 'o1:2 x hat' }]);
    orders.pipeInput('o2', { product: 'p1', qty: 5 });
    products.pipeInput('p1', 'cap');
    assert.deepEqual(out(), [
      { key: 'o2', value: 'o2:5 x hat' },
      { key: 'o1', value: 'o1:2 x cap' },
      { key: 'o2', value: 'o2:5 x cap' },
    ]);
    products.pipeInput('p2', 'scarf');
    orders.pipeInput('o1', { product: 'p2', qty: 2 });
    assert.deepEqual(out(), [{ key: 'o1', value: 'o1:2 x scarf' }]);
    products.pipeInput('p1', 'beret');
    assert.deepEqual(out(), [{ key: 'o2', value: 'o2:5 x beret' }], 'o1 moved to p2: it no longer follows p1');
    orders.pipeInput('o2', null);
    assert.deepEqual(out(), [{ key: 'o2', value: null }]);
    products.pipeInput('p2', null);
    assert.deepEqual(out(), [{ key: 'o1', value: null }], 'inner: a deleted product removes the result');
    assert.equal(driver?.getKeyValueStore<string, string>('joined').get('o1'), null);
  });

  it('left: a missing product still gives a result with null', () => {
    const { orders, products, out } = setup(true);
    orders.pipeInput('o1', { product: 'p9', qty: 1 });
    assert.deepEqual(out(), [{ key: 'o1', value: 'o1:1 x ?' }]);
    products.pipeInput('p9', 'gloves');
    assert.deepEqual(out(), [{ key: 'o1', value: 'o1:1 x gloves' }]);
    products.pipeInput('p9', null);
    assert.deepEqual(out(), [{ key: 'o1', value: 'o1:1 x ?' }]);
  });
});
