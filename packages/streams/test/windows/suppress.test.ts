import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../src/dsl/suppressed.js';
import { SessionWindows, TimeWindows } from '../../src/dsl/windows.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import type { Windowed } from '../../src/state/store.js';
import type { Serde } from '../../src/serde/serde.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const L = Serdes.long();

function readWindowed(driver: TopologyTestDriver, topic: string, serde: Serde<Windowed<string>>): string[] {
  return driver
    .createOutputTopic(topic, serde, L)
    .readRecordsToList()
    .map((r) => `[${r.key?.key}@${r.key?.window.start}/${r.key?.window.end}]=${r.value}@${r.timestamp}`);
}

describe('suppress', () => {
  it('untilWindowCloses emits one final result per time window (Kafka SuppressScenarioTest)', () => {
    const builder = new StreamsBuilder();
    const counts = builder
      .stream<string, string>('input', { keySerde: S, valueSerde: S })
      .groupBy((k) => k, { keySerde: S })
      .windowedBy(TimeWindows.ofSizeAndGrace(2, 1))
      .count({ storeName: 'counts' });
    counts.toStream().to('output-raw', { valueSerde: L });
    counts.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream().to('output-suppressed', { valueSerde: L });
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'final-time' }, 0);
    try {
      const input = driver.createInputTopic('input', S, S);
      for (const ts of [0, 1, 2, 1, 0, 5]) input.pipeInput('k1', 'v1', ts);
      input.pipeInput('k1', 'v1', 0); // outside the grace period: dropped by the aggregation
      const serde = WindowedSerdes.timeWindowed(S, 2);
      assert.deepEqual(readWindowed(driver, 'output-raw', serde), [
        '[k1@0/2]=1@0',
        '[k1@0/2]=2@1',
        '[k1@2/4]=1@2',
        '[k1@0/2]=3@1',
        '[k1@0/2]=4@1',
        '[k1@4/6]=1@5',
      ]);
      assert.deepEqual(readWindowed(driver, 'output-suppressed', serde), ['[k1@0/2]=4@1', '[k1@2/4]=1@2']);
    } finally {
      driver.close();
    }
  });

  it('untilWindowCloses waits for gap + grace after a session and drops tombstones of merged sessions', () => {
    const builder = new StreamsBuilder();
    const counts = builder
      .stream<string, string>('input', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 0))
      .count();
    counts.toStream().to('output-raw', { valueSerde: L });
    counts.suppress(Suppressed.untilWindowCloses()).toStream().to('output-suppressed', { valueSerde: L });
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'final-session' }, 0);
    try {
      const input = driver.createInputTopic('input', S, S);
      input.pipeInput('k1', 'v1', 0);
      input.pipeInput('k1', 'v1', 5);
      input.pipeInput('k1', 'v1', 1); // out of order, the session is still open
      input.pipeInput('k2', 'v1', 11); // any key advances stream time
      input.pipeInput('k1', 'v1', 5); // the first session is closed now: dropped
      input.pipeInput('k1', 'v1', 30);
      const serde = WindowedSerdes.sessionWindowed(S);
      assert.deepEqual(readWindowed(driver, 'output-raw', serde), [
        '[k1@0/0]=1@0',
        '[k1@0/0]=null@0',
        '[k1@0/5]=2@5',
        '[k1@0/5]=null@5',
        '[k1@0/5]=3@5',
        '[k2@11/11]=1@11',
        '[k1@30/30]=1@30',
      ]);
      assert.deepEqual(readWindowed(driver, 'output-suppressed', serde), ['[k1@0/5]=3@5', '[k2@11/11]=1@11']);
    } finally {
      driver.close();
    }
  });

  it('untilTimeLimit emits the latest value per key once the limit has passed since its first update', () => {
    const builder = new StreamsBuilder();
    builder
      .stream<string, string>('input', { keySerde: S, valueSerde: S })
      .groupByKey()
      .count()
      .suppress(Suppressed.untilTimeLimit(10))
      .toStream()
      .to('out', { keySerde: S, valueSerde: L });
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'rate-limit' }, 0);
    try {
      const input = driver.createInputTopic('input', S, S);
      input.pipeInput('a', 'x', 0);
      input.pipeInput('a', 'x', 3); // replaces a's value, keeps its place (due at 0 + 10)
      input.pipeInput('b', 'x', 5);
      input.pipeInput('a', 'x', 10);
      input.pipeInput('x', 'x', 16);
      const out = driver.createOutputTopic('out', S, L).readRecordsToList();
      assert.deepEqual(
        out.map((r) => `${r.key}=${r.value}@${r.timestamp}`),
        ['a=3@10', 'b=1@5'],
      );
    } finally {
      driver.close();
    }
  });

  it('a bounded buffer emits early when full, or fails when told to shut down', () => {
    const builder = new StreamsBuilder();
    builder
      .stream<string, string>('input', { keySerde: S, valueSerde: S })
      .groupByKey()
      .count()
      .suppress(Suppressed.untilTimeLimit(100, BufferConfig.maxRecords(1)))
      .toStream()
      .to('out', { keySerde: S, valueSerde: L });
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'bounded' }, 0);
    try {
      const input = driver.createInputTopic('input', S, S);
      input.pipeInput('a', 'x', 0);
      input.pipeInput('b', 'x', 1);
      input.pipeInput('a', 'x', 2);
      const out = driver.createOutputTopic('out', S, L).readKeyValuesToList();
      assert.deepEqual(out, [
        { key: 'a', value: 1 },
        { key: 'b', value: 1 },
      ]);
    } finally {
      driver.close();
    }

    const strict = new StreamsBuilder();
    strict
      .stream<string, string>('input', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(100))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.maxRecords(1).shutDownWhenFull()))
      .toStream()
      .to('out', { valueSerde: L });
    const failing = new TopologyTestDriver(strict.build(), { applicationId: 'strict' }, 0);
    try {
      const input = failing.createInputTopic('input', S, S);
      input.pipeInput('a', 'x', 0);
      assert.throws(() => input.pipeInput('b', 'x', 1), /exceeded its bounds/);
    } finally {
      failing.close();
    }
  });

  it('finds the window grace through table operations between the aggregation and suppress', () => {
    const builder = new StreamsBuilder();
    builder
      .stream<string, string>('input', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count()
      .filter((_k, count) => count > 1)
      .suppress(Suppressed.untilWindowCloses())
      .toStream()
      .to('out', { valueSerde: L });
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'final-filtered' }, 0);
    try {
      const input = driver.createInputTopic('input', S, S);
      input.pipeInput('a', 'x', 1);
      input.pipeInput('a', 'x', 2);
      input.pipeInput('b', 'x', 3); // a count of 1 is filtered out: a tombstone, dropped by final results
      input.pipeInput('c', 'x', 14); // 10 + 5 > 14: still open
      assert.deepEqual(readWindowed(driver, 'out', WindowedSerdes.timeWindowed(S, 10)), []);
      input.pipeInput('c', 'x', 15);
      assert.deepEqual(readWindowed(driver, 'out', WindowedSerdes.timeWindowed(S, 10)), ['[a@0/10]=2@2']);
    } finally {
      driver.close();
    }
  });

  it('rejects final-results suppression of non-windowed tables and non-strict buffers', () => {
    assert.throws(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(5)), /strict buffer config/);
    assert.throws(() => Suppressed.untilWindowCloses({ maxRecords: 5, whenFull: 'emitEarly' }), /strict buffer config/);
    // The options-object form: a bound for final results means "shut down when full"; for time limits, "emit early".
    assert.equal(Suppressed.untilWindowCloses({ maxRecords: 5 }).bufferConfig.whenFull, 'shutDown');
    assert.equal(Suppressed.untilTimeLimit(10, { maxBytes: 1000 }).bufferConfig.whenFull, 'emitEarly');
    assert.equal(Suppressed.untilTimeLimit(10).bufferConfig.maxRecords, Number.POSITIVE_INFINITY);
    assert.equal(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).kind, 'untilWindowCloses');
    const builder = new StreamsBuilder();
    const table = builder.stream<string, string>('input', { keySerde: S, valueSerde: S }).groupByKey().count();
    assert.throws(() => table.suppress(Suppressed.untilWindowCloses()), /windowed aggregation/);
  });
});
