/** KTable and aggregation semantics through the test driver (old/new values, tombstones, timestamps). */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import type { Topology } from '../../src/topology/topology.js';

const S = Serdes.string();
const I = Serdes.integer();
const L = Serdes.long();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});
function drive(topology: Topology): TopologyTestDriver {
  driver = new TopologyTestDriver(topology, { applicationId: 'tables' }, 0);
  return driver;
}

describe('KTable operators', () => {
  it('a table forwards every update and tombstone; its store holds the latest value', () => {
    const b = new StreamsBuilder();
    b.table<string, number>('t', { keySerde: S, valueSerde: I, storeName: 'ts' }).toStream().to('out', { keySerde: S, valueSerde: I });
    const d = drive(b.build());
    const input = d.createInputTopic('t', S, I);
    input.pipeInput('a', 1, 10);
    input.pipeInput('a', 2, 20);
    input.pipeInput('b', 3, 30);
    input.pipeInput('a', null, 40);
    input.pipeInput(null, 9, 50);
    assert.deepEqual(d.createOutputTopic('out', S, I).readKeyValuesToList(), [
      { key: 'a', value: 1 },
      { key: 'a', value: 2 },
      { key: 'b', value: 3 },
      { key: 'a', value: null },
    ]);
    const store = d.getKeyValueStore<string, number>('ts');
    assert.equal(store.get('a'), null);
    assert.equal(store.get('b'), 3);
  });

  it('filter turns records that fail the predicate into tombstones (Kafka Streams KTable#filter)', () => {
    const b = new StreamsBuilder();
    b.table<string, number>('t', { keySerde: S, valueSerde: I })
      .filter((_k, v) => v > 2)
      .toStream()
      .to('out', { keySerde: S, valueSerde: I });
    const d = drive(b.build());
    const input = d.createInputTopic('t', S, I);
    input.pipeInput('a', 1);
    input.pipeInput('b', 5);
    input.pipeInput('b', 1);
    assert.deepEqual(d.createOutputTopic('out', S, I).readKeyValuesToList(), [
      { key: 'a', value: null },
      { key: 'b', value: 5 },
      { key: 'b', value: null },
    ]);
  });

  it('mapValues maps each update; a materialised result is queryable', () => {
    const b = new StreamsBuilder();
    const mapped = b.table<string, number>('t', { keySerde: S, valueSerde: I }).mapValues((v, k) => `${k}:${v * 2}`, { storeName: 'doubled', valueSerde: S });
    assert.equal(mapped.queryableStoreName, 'doubled');
    mapped.toStream().to('out', { keySerde: S, valueSerde: S });
    const d = drive(b.build());
    d.createInputTopic('t', S, I).pipeInput('a', 21);
    assert.deepEqual(d.createOutputTopic('out', S, S).readValuesToList(), ['a:42']);
    assert.equal(d.getKeyValueStore<string, string>('doubled').get('a'), 'a:42');
  });

  it('toTable materialises a stream; a key change first repartitions', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .selectKey((_k, v) => v.split('=')[0] ?? '')
      .toTable({ storeName: 'latest', keySerde: S, valueSerde: S })
      .toStream()
      .to('out', { keySerde: S, valueSerde: S });
    const topology = b.build();
    assert.match(topology.describe().toString(), /latest-repartition/);
    const d = drive(topology);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('x', 'a=1');
    input.pipeInput('y', 'a=2');
    assert.deepEqual(d.createOutputTopic('out', S, S).readKeyValuesToList(), [
      { key: 'a', value: 'a=1' },
      { key: 'a', value: 'a=2' },
    ]);
    assert.equal(d.getKeyValueStore<string, string>('latest').get('a'), 'a=2');
  });
});

describe('aggregations', () => {
  it('count, reduce and aggregate per key; records with a null key or value are ignored', () => {
    const b = new StreamsBuilder();
    const grouped = b.stream<string, number>('in', { keySerde: S, valueSerde: I }).groupByKey();
    grouped.count({ storeName: 'counts' }).toStream().to('counts', { keySerde: S, valueSerde: L });
    grouped.reduce((a, v) => a + v, { storeName: 'sums', valueSerde: I }).toStream().to('sums', { keySerde: S, valueSerde: I });
    grouped
      .aggregate(() => '', (_k, v, agg) => `${agg}${v}`, { storeName: 'concat', valueSerde: S })
      .toStream()
      .to('concat', { keySerde: S, valueSerde: S });
    const d = drive(b.build());
    const input = d.createInputTopic('in', S, I);
    input.pipeInput('a', 1, 10);
    input.pipeInput('b', 2, 20);
    input.pipeInput('a', 3, 5);
    input.pipeInput(null, 4, 30);
    input.pipeInput('a', null, 40);
    const counts = d.createOutputTopic('counts', S, L).readRecordsToList();
    assert.deepEqual(counts.map((r) => [r.key, r.value, r.timestamp]), [
      ['a', 1, 10],
      ['b', 1, 20],
      // An aggregate carries the largest timestamp of the records in it.
      ['a', 2, 10],
    ]);
    assert.deepEqual(d.createOutputTopic('sums', S, I).readValuesToList(), [1, 2, 4]);
    assert.deepEqual(d.createOutputTopic('concat', S, S).readValuesToList(), ['1', '2', '13']);
    assert.equal(d.getKeyValueStore<string, number>('counts').get('a'), 2);
    assert.ok(d.producedTopicNames().has('tables-counts-changelog'));
  });

  it('a KTable groupBy aggregates with adder and subtractor, and a same-key update changes the result once', () => {
    const b = new StreamsBuilder();
    const J = Serdes.json<{ region: string; amount: number }>();
    b.table<string, { region: string; amount: number }>('accounts', { keySerde: S, valueSerde: J })
      .groupBy((_id, a) => [a.region, a.amount] as const, { keySerde: S, valueSerde: I })
      .aggregate(
        () => 0,
        (_k, v, agg) => agg + v,
        (_k, v, agg) => agg - v,
        { storeName: 'totals', valueSerde: I },
      )
      .toStream()
      .to('totals', { keySerde: S, valueSerde: I });
    const d = drive(b.build());
    const input = d.createInputTopic('accounts', S, J);
    input.pipeInput('1', { region: 'eu', amount: 10 });
    input.pipeInput('2', { region: 'eu', amount: 5 });
    input.pipeInput('1', { region: 'eu', amount: 7 });
    input.pipeInput('2', { region: 'us', amount: 5 });
    input.pipeInput('1', null);
    assert.deepEqual(d.createOutputTopic('totals', S, I).readKeyValuesToList().map((r) => `${r.key}=${r.value}`), [
      'eu=10',
      'eu=15',
      'eu=12',
      'eu=7',
      'us=5',
      'eu=0',
    ]);
  });

  it('KGroupedTable count and reduce', () => {
    const b = new StreamsBuilder();
    const grouped = b.table<string, string>('people', { keySerde: S, valueSerde: S }).groupBy((_k, city) => [city, 1] as const, { keySerde: S, valueSerde: I });
    grouped.count({ storeName: 'per-city' }).toStream().to('count', { keySerde: S, valueSerde: L });
    grouped.reduce((a, v) => a + v, (a, v) => a - v, { storeName: 'per-city-sum', valueSerde: I });
    const d = drive(b.build());
    const input = d.createInputTopic('people', S, S);
    input.pipeInput('ann', 'paris');
    input.pipeInput('bob', 'paris');
    input.pipeInput('ann', 'rome');
    assert.deepEqual(d.createOutputTopic('count', S, L).readKeyValuesToList().map((r) => `${r.key}=${r.value}`), [
      'paris=1',
      'paris=2',
      'paris=1',
      'rome=1',
    ]);
    assert.equal(d.getKeyValueStore<string, number>('per-city-sum').get('paris'), 1);
    assert.equal(d.getKeyValueStore<string, number>('per-city-sum').get('rome'), 1);
  });
});

describe('joins with tables', () => {
  it('stream-table inner and left joins look up the current table value; table updates emit nothing', () => {
    const b = new StreamsBuilder();
    const prices = b.table<string, number>('prices', { keySerde: S, valueSerde: I });
    const orders = b.stream<string, number>('orders', { keySerde: S, valueSerde: I });
    orders.join(prices, (qty, price) => `${qty * price}`).to('inner', { keySerde: S, valueSerde: S });
    orders.leftJoin(prices, (qty, price) => `${qty}x${price ?? '?'}`).to('left', { keySerde: S, valueSerde: S });
    const d = drive(b.build());
    const o = d.createInputTopic('orders', S, I);
    const p = d.createInputTopic('prices', S, I);
    o.pipeInput('apple', 2);
    p.pipeInput('apple', 3);
    o.pipeInput('apple', 4);
    p.pipeInput('apple', null);
    o.pipeInput('apple', 1);
    assert.deepEqual(d.createOutputTopic('inner', S, S).readValuesToList(), ['12']);
    assert.deepEqual(d.createOutputTopic('left', S, S).readValuesToList(), ['2x?', '4x3', '1x?']);
  });

  it('stream-globalTable join maps each record to the global key', () => {
    const b = new StreamsBuilder();
    const J = Serdes.json<{ customerId: number; item: string }>();
    const customers = b.globalTable<string, string>('customers', { keySerde: S, valueSerde: S });
    const orders = b.stream<string, { customerId: number; item: string }>('orders', { keySerde: S, valueSerde: J });
    orders.join(customers, (_k, o) => String(o.customerId), (o, name) => `${o.item} for ${name}`).to('inner', { keySerde: S, valueSerde: S });
    orders.leftJoin(customers, (_k, o) => String(o.customerId), (o, name) => `${o.item} for ${name ?? 'nobody'}`).to('left', { keySerde: S, valueSerde: S });
    const topology = b.build();
    assert.match(topology.describe().toString(), /for global store \(will not generate tasks\)/);
    const d = drive(topology);
    d.createInputTopic('customers', S, S).pipeInput('7', 'Ann');
    const o = d.createInputTopic('orders', S, J);
    o.pipeInput('o1', { customerId: 7, item: 'hat' });
    o.pipeInput('o2', { customerId: 8, item: 'cap' });
    assert.deepEqual(d.createOutputTopic('inner', S, S).readKeyValuesToList(), [{ key: 'o1', value: 'hat for Ann' }]);
    assert.deepEqual(d.createOutputTopic('left', S, S).readValuesToList(), ['hat for Ann', 'cap for nobody']);
  });
});
