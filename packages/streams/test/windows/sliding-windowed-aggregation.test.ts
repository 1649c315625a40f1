import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { SlidingWindows } from '../../src/dsl/windows.js';
import { Serdes } from '../../src/serde/serdes.js';
import { WindowedSerdes } from '../../src/serde/windowed-serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const L = Serdes.long();

describe('sliding-window aggregations', () => {
  it('count: left windows, right windows and windows updated by out-of-order records', () => {
    const builder = new StreamsBuilder();
    const grouped = builder.stream<string, string>('in', { keySerde: S, valueSerde: S }).groupByKey();
    grouped
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10))
      .count({ storeName: 'sliding' })
      .toStream()
      .to('out', { valueSerde: L });
    grouped
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10))
      .reduce((a, b) => a + b)
      .toStream()
      .to('joined', { valueSerde: S });
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'sliding' }, 0);
    try {
      const input = driver.createInputTopic('in', S, S);
      input.pipeInput('b', 'p', 3); // earlier than the time difference: the shared window [0,10]
      input.pipeInput('b', 'q', 5);
      input.pipeInput('a', 'x', 20);
      input.pipeInput('a', 'y', 25);
      input.pipeInput('a', 'z', 22); // out of order: updates the windows it falls in (newest first); its left window is closed
      const show = (r: { key: { key: string; window: { start: number; end: number } } | null; value: unknown; timestamp: number }): string =>
        `${r.key?.key}[${r.key?.window.start},${r.key?.window.end}]=${String(r.value)}@${r.timestamp}`;
      assert.deepEqual(driver.createOutputTopic('out', WindowedSerdes.timeWindowed(S, 10), L).readRecordsToList().map(show), [
        'b[0,10]=1@3',
        'b[4,14]=1@5',
        'b[0,10]=2@5',
        'a[10,20]=1@20',
        'a[21,31]=1@25',
        'a[15,25]=2@25',
        'a[21,31]=2@25',
        'a[15,25]=3@25',
        'a[23,33]=1@25',
      ]);
      assert.deepEqual(driver.createOutputTopic('joined', WindowedSerdes.timeWindowed(S, 10), S).readRecordsToList().map(show), [
        'b[0,10]=p@3',
        'b[4,14]=q@5',
        'b[0,10]=pq@5',
        'a[10,20]=x@20',
        'a[21,31]=y@25',
        'a[15,25]=xy@25',
        'a[21,31]=yz@25',
        'a[15,25]=xyz@25',
        'a[23,33]=y@25',
      ]);
    } finally {
      driver.close();
    }
  });

  it('drops records whose windows have all closed', () => {
    const builder = new StreamsBuilder();
    builder
      .stream<string, string>('in', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5))
      .count()
      .toStream()
      .to('out', { valueSerde: L });
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'sliding-late' }, 0);
    try {
      const input = driver.createInputTopic('in', S, S);
      input.pipeInput('a', 'x', 100);
      input.pipeInput('a', 'x', 84); // 84 + 1 + 10 <= 100 - 5: dropped
      input.pipeInput('a', 'x', 92); // left window [82,92] closed, but it joins [90,100]
      const out = driver
        .createOutputTopic('out', WindowedSerdes.timeWindowed(S, 10), L)
        .readRecordsToList()
        .map((r) => `[${r.key?.window.start},${r.key?.window.end}]=${r.value}@${r.timestamp}`);
      assert.deepEqual(out, ['[90,100]=1@100', '[90,100]=2@100', '[93,103]=1@100']);
    } finally {
      driver.close();
    }
  });
});
