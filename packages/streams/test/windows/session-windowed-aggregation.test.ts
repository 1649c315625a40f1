import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { SessionWindows } from '../../src/dsl/windows.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const L = Serdes.long();

describe('session-windowed aggregations', () => {
  it('count merges sessions, forwards tombstones for merged-away sessions and drops late records', () => {
    const builder = new StreamsBuilder();
    builder
      .stream<string, string>('clicks', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .count({ storeName: 'sessions', retentionMs: 1000 })
      .toStream()
      .to('out', { valueSerde: L });
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'sessions' }, 0);
    try {
      const input = driver.createInputTopic('clicks', S, S);
      input.pipeInput('a', 'x', 0);
      input.pipeInput('a', 'x', 3); // merges [0,0] into [0,3]
      input.pipeInput('a', 'x', 8); // within the gap of [0,3]: extends it
      input.pipeInput('a', 'x', 20); // 20 - 8 > 5: a new session
      input.pipeInput('a', 'x', 2); // its session would end before stream time 20: late, dropped
      input.pipeInput('a', 'x', 24);
      input.pipeInput('b', 'x', 31);
      const out = driver
        .createOutputTopic('out', WindowedSerdes.sessionWindowed(S), L)
        .readRecordsToList()
        .map((r) => `${r.key?.key}@[${r.key?.window.start},${r.key?.window.end}]=${r.value} ts=${r.timestamp}`);
      assert.deepEqual(out, [
        'a@[0,0]=1 ts=0',
        'a@[0,0]=null ts=0',
        'a@[0,3]=2 ts=3',
        'a@[0,3]=null ts=3',
        'a@[0,8]=3 ts=8',
        'a@[20,20]=1 ts=20',
        'a@[20,20]=null ts=20',
        'a@[20,24]=2 ts=24',
        'b@[31,31]=1 ts=31',
      ]);
      const store = driver.getSessionStore<string, number>('sessions');
      assert.deepEqual(
        [...store.fetch('a')].map((s) => [s.key.window.start, s.key.window.end, s.value]),
        [
          [0, 8, 3],
          [20, 24, 2],
        ],
      );
      assert.equal(store.fetchSession('b', 31, 31), 1);
    } finally {
      driver.close();
    }
  });

  it('reduce and aggregate with a merger; grace admits out-of-order records', () => {
    const builder = new StreamsBuilder();
    const grouped = builder.stream<string, string>('words', { keySerde: S, valueSerde: S }).groupByKey();
    const windows = SessionWindows.ofInactivityGapAndGrace(10, 20);
    grouped
      .windowedBy(windows)
      .reduce((a, b) => `${a}+${b}`)
      .toStream()
      .to('reduced', { valueSerde: S });
    grouped
      .windowedBy(windows)
      .aggregate(
        () => 0,
        (_k, v, agg) => agg + v.length,
        (_k, a, b) => a + b,
        { valueSerde: L },
      )
      .toStream()
      .to('lengths', { valueSerde: L });
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'sessions2' }, 0);
    try {
      const input = driver.createInputTopic('words', S, S);
      input.pipeInput('k', 'one', 100);
      input.pipeInput('k', 'three', 118); // more than the gap after 100: a second session
      input.pipeInput('k', 'two', 109); // out of order but within grace: bridges both sessions
      const reduced = driver
        .createOutputTopic('reduced', WindowedSerdes.sessionWindowed(S), S)
        .readKeyValuesToList()
        .map((r) => `[${r.key?.window.start},${r.key?.window.end}]=${r.value}`);
      assert.deepEqual(reduced, ['[100,100]=one', '[118,118]=three', '[100,100]=null', '[118,118]=null', '[100,118]=one+three+two']);
      const lengths = driver
        .createOutputTopic('lengths', WindowedSerdes.sessionWindowed(S), L)
        .readKeyValuesToList()
        .map((r) => `[${r.key?.window.start},${r.key?.window.end}]=${r.value}`);
      assert.deepEqual(lengths, ['[100,100]=3', '[118,118]=5', '[100,100]=null', '[118,118]=null', '[100,118]=11']);
    } finally {
      driver.close();
    }
  });
});
