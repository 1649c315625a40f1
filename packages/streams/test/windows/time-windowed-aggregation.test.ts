import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { TimeWindows } from '../../src/dsl/windows.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const L = Serdes.long();

function windowedCount(windows: TimeWindows, storeName?: string): { driver: TopologyTestDriver; describe: string } {
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>('in', { keySerde: S, valueSerde: S })
    .groupByKey()
    .windowedBy(windows)
    // A longer retention than size + grace keeps closed windows queryable.
    .count(storeName ? { storeName, retentionMs: 1000 } : undefined)
    .toStream()
    .to('out', { valueSerde: L });
  const topology = builder.build();
  return { driver: new TopologyTestDriver(topology, { applicationId: 'windowed' }, 0), describe: topology.describe().toString() };
}

function read(driver: TopologyTestDriver, sizeMs: number): string[] {
  return driver
    .createOutputTopic('out', WindowedSerdes.timeWindowed(S, sizeMs), L)
    .readRecordsToList()
    .map((r) => `${r.key?.key}@[${r.key?.window.start},${r.key?.window.end})=${r.value} ts=${r.timestamp}`);
}

describe('time-windowed aggregations', () => {
  it('tumbling count: one update per record, late records dropped, Kafka-like topology', () => {
    const { driver, describe: text } = windowedCount(TimeWindows.ofSizeWithNoGrace(10), 'counts');
    try {
      assert.equal(
        text,
        [
          'Topologies:',
          '   Sub-topology: 0',
          '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])',
          '      --> KSTREAM-AGGREGATE-0000000001',
          '    Processor: KSTREAM-AGGREGATE-0000000001 (stores: [counts])',
          '      --> KTABLE-TOSTREAM-0000000002',
          '      <-- KSTREAM-SOURCE-0000000000',
          '    Processor: KTABLE-TOSTREAM-0000000002 (stores: [])',
          '      --> KSTREAM-SINK-0000000003',
          '      <-- KSTREAM-AGGREGATE-0000000001',
          '    Sink: KSTREAM-SINK-0000000003 (topic: out)',
          '      <-- KTABLE-TOSTREAM-0000000002',
          '',
          '',
        ].join('\n'),
      );
      const input = driver.createInputTopic('in', S, S);
      input.pipeInput('a', 'x', 0);
      input.pipeInput('a', 'x', 5);
      input.pipeInput('a', 'x', 12);
      input.pipeInput('a', 'x', 3); // window [0,10) closed at stream time 12: dropped
      input.pipeInput('b', 'x', 15);
      input.pipeInput('a', 'x', 19);
      assert.deepEqual(read(driver, 10), [
        'a@[0,10)=1 ts=0',
        'a@[0,10)=2 ts=5',
        'a@[10,20)=1 ts=12',
        'b@[10,20)=1 ts=15',
        'a@[10,20)=2 ts=19',
      ]);
      // The late record is counted, as Kafka Streams' dropped-records metric counts it.
      assert.equal(driver.droppedRecords().get('record for an expired window'), 1);
      const stamped = driver.getTimestampedWindowStore<string, number>('counts');
      assert.deepEqual(stamped.fetch('a', 0), { value: 2, timestamp: 5 });
      assert.deepEqual(stamped.fetch('a', 10), { value: 2, timestamp: 19 });
      // The plain view shows values without timestamps, as Kafka Streams' driver does.
      const store = driver.getWindowStore<string, number>('counts');
      assert.equal(store.fetch('a', 0), 2);
      assert.deepEqual(
        [...store.fetchRange('a', 0, 100)].map((e) => [e.key, e.value]),
        [
          [0, 2],
          [10, 2],
        ],
      );
      assert.ok(driver.producedTopicNames().has('windowed-counts-changelog'));
    } finally {
      driver.close();
    }
  });

  it('grace keeps a window open for out-of-order records until end + grace', () => {
    const { driver } = windowedCount(TimeWindows.ofSizeAndGrace(10, 5));
    try {
      const input = driver.createInputTopic('in', S, S);
      input.pipeInput('a', 'x', 0);
      input.pipeInput('a', 'x', 12);
      input.pipeInput('a', 'x', 3); // close time 12 - 5 = 7 < 10: still open
      input.pipeInput('a', 'x', 15);
      input.pipeInput('a', 'x', 4); // close time 10: end 10 <= 10, dropped
      assert.deepEqual(read(driver, 10), ['a@[0,10)=1 ts=0', 'a@[10,20)=1 ts=12', 'a@[0,10)=2 ts=3', 'a@[10,20)=2 ts=15']);
    } finally {
      driver.close();
    }
  });

  it('hopping windows: one update per window the record falls in, oldest window first', () => {
    const { driver } = windowedCount(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5));
    try {
      const input = driver.createInputTopic('in', S, S);
      input.pipeInput('a', 'x', 7);
      input.pipeInput('a', 'x', 12);
      input.pipeInput('a', 'x', 2); // [0,10) ends at 10 <= 12: dropped
      assert.deepEqual(read(driver, 10), ['a@[0,10)=1 ts=7', 'a@[5,15)=1 ts=7', 'a@[5,15)=2 ts=12', 'a@[10,20)=1 ts=12']);
    } finally {
      driver.close();
    }
  });

  it('reduce and aggregate over a repartitioned key, with the windowed key serde as default', () => {
    const builder = new StreamsBuilder();
    const stream = builder.stream<string, number>('nums', { keySerde: S, valueSerde: Serdes.integer() });
    const grouped = stream.groupBy((_k, v) => (v % 2 === 0 ? 'even' : 'odd'), { keySerde: S });
    grouped
      .windowedBy(TimeWindows.ofSizeWithNoGrace(100))
      .reduce((a, b) => a + b, { storeName: 'sums' })
      .toStream()
      .to('sums-out');
    grouped
      .windowedBy(TimeWindows.ofSizeWithNoGrace(100))
      .aggregate(() => '', (_k, v, agg) => `${agg}${v},`, { storeName: 'lists', valueSerde: S })
      .toStream()
      .to('lists-out');
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'reduce' }, 0);
    try {
      const input = driver.createInputTopic('nums', S, Serdes.integer());
      input.pipeInput('k', 1, 10);
      input.pipeInput('k', 2, 20);
      input.pipeInput('k', 3, 30);
      input.pipeInput('k', 4, 150);
      const sums = driver.createOutputTopic('sums-out', WindowedSerdes.timeWindowed(S, 100), Serdes.integer()).readKeyValuesToList();
      assert.deepEqual(
        sums.map((r) => `${r.key?.key}@${r.key?.window.start}=${r.value}`),
        ['odd@0=1', 'even@0=2', 'odd@0=4', 'even@100=4'],
      );
      const lists = driver.createOutputTopic('lists-out', WindowedSerdes.timeWindowed(S, 100), S).readKeyValuesToList();
      assert.deepEqual(
        lists.map((r) => `${r.key?.key}@${r.key?.window.start}=${r.value}`),
        ['odd@0=1,', 'even@0=2,', 'odd@0=1,3,', 'even@100=4,'],
      );
    } finally {
      driver.close();
    }
  });

  it('validates window specifications', () => {
    assert.throws(() => TimeWindows.ofSizeWithNoGrace(0), RangeError);
    assert.throws(() => TimeWindows.ofSizeAndGrace(10, -1), RangeError);
    assert.throws(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11), RangeError);
    assert.deepEqual([...TimeWindows.ofSizeWithNoGrace(10).advanceBy(5).windowsFor(12).values()].map((w) => ({ ...w })), [
      { start: 5, end: 15 },
      { start: 10, end: 20 },
    ]);
  });
});
