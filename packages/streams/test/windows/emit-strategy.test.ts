/** KIP-825 emit strategies: `onWindowClose()` emits each time, sliding or session window once, when it closes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmitStrategy } from '../../src/dsl/emit-strategy.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { SessionWindows, SlidingWindows, TimeWindows } from '../../src/dsl/windows.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const L = Serdes.long();

describe('emitStrategy(onWindowClose)', () => {
  // Kafka's TimeWindowedKStreamIntegrationTest (hopping windows of 10 advancing by 5), verbatim: with onWindowClose a
  // window that stream time skipped past retention's edge is never emitted, as there ([10, 20) without grace).
  const kafkaInput: Array<[string, string, number]> = [['A', '1', 0], ['A', '2', 5], ['A', '3', 10], ['B', '4', 6], ['B', '5', 11], ['B', '6', 15], ['C', '7', 25]];
  const kafkaCases: Array<[string, TimeWindows, EmitStrategy, string[]]> = [
    ['no grace, onWindowClose', TimeWindows.ofSizeWithNoGrace(10).advanceBy(5), EmitStrategy.onWindowClose(), ['A@0=0+1+2@5', 'A@5=0+2+3@10', 'B@5=0+4+5@11', 'B@15=0+6@15']],
    ['grace 5, onWindowClose', TimeWindows.ofSizeAndGrace(10, 5).advanceBy(5), EmitStrategy.onWindowClose(), ['A@0=0+1+2@5', 'B@0=0+4@6', 'A@10=0+3@10', 'B@10=0+5+6@15']],
    [
      'no grace, onWindowUpdate',
      TimeWindows.ofSizeWithNoGrace(10).advanceBy(5),
      EmitStrategy.onWindowUpdate(),
      ['A@0=0+1@0', 'A@0=0+1+2@5', 'A@5=0+2@5', 'A@5=0+2+3@10', 'A@10=0+3@10', 'B@5=0+4@6', 'B@5=0+4+5@11', 'B@10=0+5@11', 'B@10=0+5+6@15', 'B@15=0+6@15', 'C@20=0+7@25', 'C@25=0+7@25'],
    ],
  ];
  for (const [name, windows, strategy, expected] of kafkaCases) {
    for (const storeType of ['persistent', 'memory'] as const) {
      it(`time windows, ${name} (${storeType} store), as Kafka's TimeWindowedKStreamIntegrationTest`, () => {
        const b = new StreamsBuilder();
        b.stream<string, string>('in', { keySerde: S, valueSerde: S })
          .groupByKey()
          .windowedBy(windows)
          .emitStrategy(strategy)
          .aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, { storeName: 'aggregated_value', valueSerde: S, storeType })
          .toStream()
          .to('out', { keySerde: WindowedSerdes.timeWindowed(S, 10), valueSerde: S });
        const driver = new TopologyTestDriver(b.build(), { applicationId: 'emit-final', statestoreCacheMaxBytes: 0 }, 0);
        try {
          const input = driver.createInputTopic('in', S, S);
          for (const [k, v, ts] of kafkaInput) input.pipeInput(k, v, ts);
          const out = driver
            .createOutputTopic('out', WindowedSerdes.timeWindowed(S, 10), S)
            .readRecordsToList()
            .map((r) => `${r.key?.key}@${r.key?.window.start}=${r.value}@${r.timestamp}`);
          assert.deepEqual(out, expected);
        } finally {
          driver.close();
        }
      });
    }
  }

  it('time windows: nothing before a window closes; late records dropped; the store keeps open windows', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 2))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count({ storeName: 'counts' })
      .toStream()
      .to('out', { valueSerde: L });
    const driver = new TopologyTestDriver(b.build(), { applicationId: 'emit-final' }, 0);
    try {
      const input = driver.createInputTopic('in', S, S);
      const output = driver.createOutputTopic('out', WindowedSerdes.timeWindowed(S, 10), L);
      const read = (): string[] => output.readRecordsToList().map((r) => `${r.key?.key}@${r.key?.window.start}=${r.value} ts=${r.timestamp}`);
      input.pipeInput('a', 'x', 1);
      input.pipeInput('a', 'x', 5);
      input.pipeInput('b', 'x', 9);
      input.pipeInput('a', 'x', 11);
      assert.deepEqual(read(), [], 'nothing before a window closes');
      input.pipeInput('a', 'x', 12); // close time 10: [0,10) closed
      assert.deepEqual(read(), ['a@0=2 ts=5', 'b@0=1 ts=9']);
      input.pipeInput('b', 'x', 3); // late for [0,10): dropped, nothing new closes
      input.pipeInput('a', 'x', 13);
      assert.deepEqual(read(), []);
      input.pipeInput('b', 'x', 22); // close time 20: [10,20) closed
      assert.deepEqual(read(), ['a@10=3 ts=13']);
      assert.equal(driver.getWindowStore<string, number>('counts').fetch('b', 20), 1, 'open windows are in the store, unemitted');
    } finally {
      driver.close();
    }
  });

  it('session windows: each session once, after its end plus grace, with no merge tombstones', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .emitStrategy(EmitStrategy.onWindowClose())
      .count()
      .toStream()
      .to('out', { valueSerde: L });
    const driver = new TopologyTestDriver(b.build(), { applicationId: 'emit-final' }, 0);
    try {
      const input = driver.createInputTopic('in', S, S);
      const output = driver.createOutputTopic('out', WindowedSerdes.sessionWindowed(S), L);
      const read = (): string[] =>
        output.readRecordsToList().map((r) => `${r.key?.key}@[${r.key?.window.start},${r.key?.window.end}]=${r.value} ts=${r.timestamp}`);
      input.pipeInput('a', 'x', 0);
      input.pipeInput('a', 'x', 3);
      input.pipeInput('b', 'x', 4);
      assert.deepEqual(read(), []);
      input.pipeInput('a', 'x', 20);
      assert.deepEqual(read(), ['a@[0,3]=2 ts=3', 'b@[4,4]=1 ts=4']);
      input.pipeInput('a', 'x', 30);
      assert.deepEqual(read(), ['a@[20,20]=1 ts=20']);
    } finally {
      driver.close();
    }
  });

  it('sliding windows: the final value of each window once its (inclusive) end is below the close time', () => {
    const run = (strategy: EmitStrategy): string[] => {
      const b = new StreamsBuilder();
      b.stream<string, string>('in', { keySerde: S, valueSerde: S })
        .groupByKey()
        .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10))
        .emitStrategy(strategy)
        .count()
        .toStream()
        .to('out', { valueSerde: L });
      const driver = new TopologyTestDriver(b.build(), { applicationId: 'emit-final' }, 0);
      try {
        const input = driver.createInputTopic('in', S, S);
        for (const ts of [10, 15, 12, 30]) input.pipeInput('a', 'x', ts);
        return driver
          .createOutputTopic('out', WindowedSerdes.timeWindowed(S, 10), L)
          .readRecordsToList()
          .map((r) => `${r.key?.window.start}=${r.value}`);
      } finally {
        driver.close();
      }
    };
    const updates = run(EmitStrategy.onWindowUpdate());
    // The last update of each window that had closed by stream time 30 (end = start + 10 < 30).
    const lastPerWindow = new Map<string, string>();
    for (const u of updates) lastPerWindow.set(u.split('=')[0] as string, u);
    const closed = [...lastPerWindow.entries()].filter(([start]) => Number(start) + 10 < 30).map(([, u]) => u);
    const finals = run(EmitStrategy.onWindowClose());
    assert.ok(closed.length >= 3, `closed windows: ${JSON.stringify(closed)}`);
    assert.deepEqual([...finals].sort(), [...closed].sort());
    assert.equal(new Set(finals.map((f) => f.split('=')[0])).size, finals.length, 'each window once');
  });

  // Kafka's SlidingWindowedKStreamIntegrationTest (difference 10), verbatim.
  const slidingNoGrace: Array<[string, string, number]> = [['A', '1', 0], ['A', '2', 5], ['A', '3', 10], ['A', '4', 17], ['B', '5', 6], ['B', '6', 11], ['B', '7', 18], ['C', '8', 25]];
  const slidingGrace: Array<[string, string, number]> = [['A', '1', 0], ['A', '2', 5], ['A', '3', 10], ['A', '4', 6], ['A', '5', 11], ['A', '6', 16], ['A', '7', 27], ['A', '8', 11]];
  const slidingCases: Array<[string, SlidingWindows, EmitStrategy, Array<[string, string, number]>, string[]]> = [
    ['no grace, onWindowClose', SlidingWindows.ofTimeDifferenceWithNoGrace(10), EmitStrategy.onWindowClose(), slidingNoGrace, ['A@0=0+1+2+3@10', 'A@1=0+2+3@10', 'A@6=0+3@10', 'A@7=0+3+4@17', 'B@8=0+7@18', 'A@11=0+4@17']],
    [
      'no grace, onWindowUpdate',
      SlidingWindows.ofTimeDifferenceWithNoGrace(10),
      EmitStrategy.onWindowUpdate(),
      slidingNoGrace,
      ['A@0=0+1@0', 'A@1=0+2@5', 'A@0=0+1+2@5', 'A@1=0+2+3@10', 'A@0=0+1+2+3@10', 'A@6=0+3@10', 'A@11=0+4@17', 'A@7=0+3+4@17', 'B@8=0+7@18', 'C@15=0+8@25'],
    ],
    ['grace 5, onWindowClose', SlidingWindows.ofTimeDifferenceAndGrace(10, 5), EmitStrategy.onWindowClose(), slidingGrace, ['A@0=0+1+2+3+4@10', 'A@1=0+2+3+4+5@11', 'A@6=0+3+4+5+6@16', 'A@7=0+3+5+6@16', 'A@11=0+5+6@16']],
  ];
  for (const [name, windows, strategy, records, expected] of slidingCases) {
    it(`sliding windows, ${name}, as Kafka's SlidingWindowedKStreamIntegrationTest`, () => {
      const b = new StreamsBuilder();
      b.stream<string, string>('in', { keySerde: S, valueSerde: S })
        .groupByKey()
        .windowedBy(windows)
        .emitStrategy(strategy)
        .aggregate(() => '0', (_k, v, agg) => `${agg}+${v}`, { valueSerde: S })
        .toStream()
        .to('out', { keySerde: WindowedSerdes.timeWindowed(S, 10), valueSerde: S });
      const driver = new TopologyTestDriver(b.build(), { applicationId: 'emit-final', statestoreCacheMaxBytes: 0 }, 0);
      try {
        const input = driver.createInputTopic('in', S, S);
        for (const [k, v, ts] of records) input.pipeInput(k, v, ts);
        const out = driver
          .createOutputTopic('out', WindowedSerdes.timeWindowed(S, 10), S)
          .readRecordsToList()
          .map((r) => `${r.key?.key}@${r.key?.window.start}=${r.value}@${r.timestamp}`);
        assert.deepEqual(out, expected);
      } finally {
        driver.close();
      }
    });
  }

  it('onWindowUpdate is the default', () => {
    const grouped = new StreamsBuilder().stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey();
    assert.doesNotThrow(() => grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(5)).emitStrategy(EmitStrategy.onWindowUpdate()).count());
  });
});
