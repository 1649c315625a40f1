/** TopologyTestDriver's Kafka-compatible input and output helpers and its metrics. */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { TimeWindows } from '../../src/dsl/windows.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const L = Serdes.long();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

function passThrough(): TopologyTestDriver {
  const b = new StreamsBuilder();
  b.stream<string, string>('in', { keySerde: S, valueSerde: S }).to('out', { keySerde: S, valueSerde: S });
  driver = new TopologyTestDriver(b.build(), { applicationId: 'driver' }, 0);
  return driver;
}

describe('TopologyTestDriver helpers', () => {
  it('pipeInput(value) pipes a null key; pipeInput(key, value, ts) and pipeValueList(values, start, advance)', () => {
    const d = passThrough();
    const input = d.createInputTopic('in', S, S, 100, 5);
    input.pipeInput('only-a-value');
    input.pipeInput('k', 'v', 7);
    input.pipeValueList(['a', 'b', 'c'], 1000, 10);
    input.pipeValueList(['d']);
    const out = d.createOutputTopic('out', S, S).readRecordsToList();
    assert.deepEqual(
      out.map((r) => [r.key, r.value, r.timestamp]),
      [
        [null, 'only-a-value', 100],
        ['k', 'v', 7],
        [null, 'a', 1000],
        [null, 'b', 1010],
        [null, 'c', 1020],
        [null, 'd', 105],
      ],
    );
  });

  it('readKeyValuesToMap keeps keys whose last value is a tombstone and rejects null keys', () => {
    const d = passThrough();
    const input = d.createInputTopic('in', S, S);
    const output = d.createOutputTopic('out', S, S);
    input.pipeInput('a', '1', 1);
    input.pipeInput('b', '2', 2);
    input.pipeInput('a', null, 3);
    assert.deepEqual([...output.readKeyValuesToMap()], [
      ['a', null],
      ['b', '2'],
    ]);
    input.pipeInput('no key');
    assert.throws(() => output.readKeyValuesToMap(), /null key/);
  });

  it('readKeyValuesToMap compares object keys (windowed keys) by content', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .toStream()
      .to('out', { valueSerde: L });
    driver = new TopologyTestDriver(b.build(), { applicationId: 'driver' }, 0);
    const input = driver.createInputTopic('in', S, S);
    for (const ts of [1, 2, 3, 12]) input.pipeInput('k', 'x', ts);
    const map = driver.createOutputTopic('out', WindowedSerdes.timeWindowed(S, 10), L).readKeyValuesToMap();
    assert.deepEqual(
      [...map].map(([k, v]) => [k.key, k.window.start, v]),
      [
        ['k', 0, 3],
        ['k', 10, 1],
      ],
    );
  });

  it('metrics() counts processed and dropped records', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey().count().toStream().to('out', { keySerde: S, valueSerde: L });
    driver = new TopologyTestDriver(b.build(), { applicationId: 'driver' }, 0);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('no key');
    const m = driver.metrics();
    assert.equal(m.processedRecords, 2);
    assert.equal(m.droppedRecordsTotal, 1);
    assert.equal(Object.values(m.droppedRecords).reduce((a, n) => a + n, 0), 1);
    assert.deepEqual(m.tasks, ['0_0']);
    assert.equal(m.get('dropped-records-total'), 1, "Kafka's metric names");
    assert.equal(m.get('process-total'), 2);
    assert.ok((m.get('dropped-records-rate') ?? 0) > 0);
  });
});
