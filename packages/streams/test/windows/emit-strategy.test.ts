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
  it('time windows: one final result per window once stream time passes its end plus grace', () => {
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
      input.pipeInput('b', 'x', 40); // close time 38: [10,20) closed (and [20,30) is empty)
      assert.deepEqual(read(), ['a@10=3 ts=13']);
      assert.equal(driver.getWindowStore<string, number>('counts').fetch('b', 40), 1, 'open windows are in the store, unemitted');
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

  it('onWindowUpdate is the default', () => {
    const grouped = new StreamsBuilder().stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey();
    assert.doesNotThrow(() => grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(5)).emitStrategy(EmitStrategy.onWindowUpdate()).count());
  });
});
