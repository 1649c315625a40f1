import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { JoinWindows } from '../../src/dsl/windows.js';
import type { StreamJoinKind } from '../../src/dsl/stream-stream-join.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();

interface Harness {
  left(key: string | null, value: string | null, ts: number): void;
  right(key: string | null, value: string | null, ts: number): void;
  read(): string[];
  driver: TopologyTestDriver;
}

function joinHarness(kind: StreamJoinKind, windows: JoinWindows, leftMapped = false): Harness {
  const builder = new StreamsBuilder();
  let left = builder.stream<string, string>('left', { keySerde: S, valueSerde: S });
  const right = builder.stream<string, string>('right', { keySerde: S, valueSerde: S });
  // A key-changing (here: identity) step upstream forces a repartition of that side.
  if (leftMapped) left = left.selectKey((k) => k);
  const joiner = (l: string | null, r: string | null): string => `[${l},${r}]`;
  const joined =
    kind === 'inner' ? left.join(right, joiner, windows) : kind === 'left' ? left.leftJoin(right, joiner, windows) : left.outerJoin(right, joiner, windows);
  joined.to('out', { valueSerde: S });
  const driver = new TopologyTestDriver(builder.build(), { applicationId: `join-${kind}` }, 0);
  const l = driver.createInputTopic('left', S, S);
  const r = driver.createInputTopic('right', S, S);
  const out = driver.createOutputTopic('out', S, S);
  return {
    driver,
    left: (key, value, ts) => l.pipeInput(key, value, ts),
    right: (key, value, ts) => r.pipeInput(key, value, ts),
    read: () => out.readRecordsToList().map((rec) => `${rec.key}:${rec.value}@${rec.timestamp}`),
  };
}

describe('stream-stream joins', () => {
  // The table of Kafka Streams' join semantics (developer guide, 3.1+): all records share one key and one window;
  // null values never join, and left/outer joins emit no spurious [A,null] for A that find a partner later.
  for (const kind of ['inner', 'left', 'outer'] as const) {
    it(`${kind} join matches Kafka's join-semantics table`, () => {
      const h = joinHarness(kind, JoinWindows.ofTimeDifferenceWithNoGrace(15));
      try {
        const rows: Array<['left' | 'right', string | null]> = [
          ['left', null],
          ['right', null],
          ['left', 'A'],
          ['right', 'a'],
          ['left', 'B'],
          ['right', 'b'],
          ['left', null],
          ['right', null],
          ['left', 'C'],
          ['right', 'c'],
          ['right', null],
          ['left', null],
          ['right', null],
          ['right', 'd'],
          ['left', 'D'],
        ];
        rows.forEach(([side, value], i) => (side === 'left' ? h.left('k', value, i + 1) : h.right('k', value, i + 1)));
        assert.deepEqual(h.read(), [
          'k:[A,a]@4',
          'k:[B,a]@5',
          'k:[A,b]@6',
          'k:[B,b]@6',
          'k:[C,a]@9',
          'k:[C,b]@9',
          'k:[A,c]@10',
          'k:[B,c]@10',
          'k:[C,c]@10',
          'k:[A,d]@14',
          'k:[B,d]@14',
          'k:[C,d]@14',
          'k:[D,a]@15',
          'k:[D,b]@15',
          'k:[D,c]@15',
          'k:[D,d]@15',
        ]);
      } finally {
        h.driver.close();
      }
    });
  }

  it('inner join emits each pair within the window, stamped with the later timestamp, also for late records', () => {
    const h = joinHarness('inner', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    try {
      h.left('k1', 'A', 0);
      h.right('k1', 'a', 5);
      h.right('k1', 'b', 20); // 20 ms after A: outside the window
      h.left('k1', 'B', 15); // a (10 ms before) and b (5 ms after)
      h.left('k2', 'C', 16);
      h.right('k1', 'c', 3); // out of order, still joins A
      h.right(null, 'x', 17); // null keys never join
      assert.deepEqual(h.read(), ['k1:[A,a]@5', 'k1:[B,a]@15', 'k1:[B,b]@20', 'k1:[A,c]@3']);
    } finally {
      h.driver.close();
    }
  });

  it('a zero time difference joins records with equal timestamps only', () => {
    const h = joinHarness('inner', JoinWindows.ofTimeDifferenceWithNoGrace(0));
    try {
      h.left('k', 'A', 5);
      h.right('k', 'a', 5);
      h.right('k', 'b', 6);
      h.left('k', 'B', 6);
      assert.deepEqual(h.read(), ['k:[A,a]@5', 'k:[B,b]@6']);
    } finally {
      h.driver.close();
    }
  });

  it('a record still joins a partner at the far edge of its window while the window is open', () => {
    const h = joinHarness('inner', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    try {
      h.left('k', 'A', 0);
      h.left('k', 'B', 20); // stream time 20: the window of a right record at 10 ([0, 20]) is still open
      h.right('k', 'c', 10);
      assert.deepEqual(h.read(), ['k:[A,c]@10', 'k:[B,c]@20']);
    } finally {
      h.driver.close();
    }
  });

  it('asymmetric windows: before/after bound where the other side may be', () => {
    const h = joinHarness('inner', JoinWindows.ofTimeDifferenceWithNoGrace(0).after(10));
    try {
      h.left('k', 'A', 10);
      h.right('k', 'a', 5); // before A: not in [10, 20]
      h.right('k', 'b', 15);
      h.right('k', 'c', 21);
      assert.deepEqual(h.read(), ['k:[A,b]@15']);
    } finally {
      h.driver.close();
    }
  });

  it('left join emits unmatched left records only after their window closed (no spurious results)', () => {
    const h = joinHarness('left', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    try {
      h.left('k1', 'A', 0);
      assert.deepEqual(h.read(), []); // A waits: a partner may still come
      h.right('k1', 'a', 5);
      h.left('k2', 'B', 6);
      h.left('k1', 'C', 12);
      h.right('k3', 'd', 14); // unmatched right records never appear in a left join
      h.left('k1', 'E', 17); // stream time 17 > 6 + 10: B's window closed
      h.left('k4', 'F', 30); // closes E's window
      h.left('k5', 'G', 2); // out of order, its window already closed: emitted at once
      assert.deepEqual(h.read(), ['k1:[A,a]@5', 'k1:[C,a]@12', 'k2:[B,null]@6', 'k1:[E,null]@17', 'k5:[G,null]@2']);
    } finally {
      h.driver.close();
    }
  });

  it('grace delays the emission of unmatched records and lets late partners still match', () => {
    const h = joinHarness('left', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    try {
      h.left('k', 'A', 0);
      h.left('x', 'X', 12); // 0 + 10 + 5 >= 12: A still waits
      h.right('k', 'a', 9); // late, but within grace: A finds its partner
      h.left('y', 'Y', 40); // closes X's window
      assert.deepEqual(h.read(), ['k:[A,a]@9', 'x:[X,null]@12']);
    } finally {
      h.driver.close();
    }
  });

  it('outer join emits unmatched records of both sides once their windows closed', () => {
    const h = joinHarness('outer', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    try {
      h.left('k1', 'A', 0);
      h.right('k2', 'b', 3);
      h.right('k1', 'a', 8);
      h.left('k3', 'C', 25); // b's window closed
      h.right('k3', 'e', 40); // C's window closed (e is 15 ms after C)
      assert.deepEqual(h.read(), ['k1:[A,a]@8', 'k2:[null,b]@3', 'k3:[C,null]@25']);
    } finally {
      h.driver.close();
    }
  });

  it('a left join passes records with a null key through at once (KIP-962)', () => {
    const h = joinHarness('left', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    try {
      h.left(null, 'N', 1);
      assert.deepEqual(h.read(), ['null:[N,null]@1']);
    } finally {
      h.driver.close();
    }
  });

  it('repartitions a side whose key changed and records the co-partitioning', () => {
    const h = joinHarness('inner', JoinWindows.ofTimeDifferenceWithNoGrace(10), true);
    try {
      h.left('k', 'A', 0);
      h.right('k', 'a', 1);
      assert.deepEqual(h.read(), ['k:[A,a]@1']);
      assert.ok(h.driver.producedTopicNames().has('join-inner-KSTREAM-KEY-SELECT-0000000002-repartition'));
      assert.ok(h.driver.producedTopicNames().has('join-inner-KSTREAM-JOINTHIS-0000000008-store-changelog'));
    } finally {
      h.driver.close();
    }
  });

  it('describes like Kafka Streams: windowed, join and merge nodes with their stores', () => {
    const builder = new StreamsBuilder();
    const left = builder.stream<string, string>('left', { keySerde: S, valueSerde: S });
    const right = builder.stream<string, string>('right', { keySerde: S, valueSerde: S });
    left.outerJoin(right, (l, r) => `${l}-${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out');
    assert.equal(
      builder.build().describe().toString(),
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [left])',
        '      --> KSTREAM-WINDOWED-0000000002',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [right])',
        '      --> KSTREAM-WINDOWED-0000000003',
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-OUTERTHIS-0000000004-store])',
        '      --> KSTREAM-OUTERTHIS-0000000004',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-OUTEROTHER-0000000005-store])',
        '      --> KSTREAM-OUTEROTHER-0000000005',
        '      <-- KSTREAM-SOURCE-0000000001',
        '    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [KSTREAM-OUTERTHIS-0000000004-store, KSTREAM-OUTERSHARED-0000000004-store])',
        '      --> KSTREAM-MERGE-0000000006',
        '      <-- KSTREAM-WINDOWED-0000000003',
        '    Processor: KSTREAM-OUTERTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])',
        '      --> KSTREAM-MERGE-0000000006',
        '      <-- KSTREAM-WINDOWED-0000000002',
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])',
        '      --> KSTREAM-SINK-0000000007',
        '      <-- KSTREAM-OUTERTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005',
        '    Sink: KSTREAM-SINK-0000000007 (topic: out)',
        '      <-- KSTREAM-MERGE-0000000006',
        '',
        '',
      ].join('\n'),
    );
  });

  it('names processors, stores and repartition topics after StreamJoined options', () => {
    const builder = new StreamsBuilder();
    const left = builder.stream<string, string>('left', { keySerde: S, valueSerde: S }).selectKey((k) => k);
    const right = builder.stream<string, string>('right', { keySerde: S, valueSerde: S });
    left
      .leftJoin(right, (l, r) => `${l}-${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(10), { name: 'pay', storeName: 'pay-store' })
      .to('out', { valueSerde: S });
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'named' }, 0);
    try {
      driver.createInputTopic('left', S, S).pipeInput('k', 'A', 1);
      driver.createInputTopic('right', S, S).pipeInput('k', 'a', 2);
      assert.deepEqual(driver.createOutputTopic('out', S, S).readKeyValuesToList(), [{ key: 'k', value: 'A-a' }]);
      const topics = driver.producedTopicNames();
      assert.ok(topics.has('named-pay-left-repartition'));
      assert.ok(topics.has('named-pay-store-this-join-store-changelog'));
      assert.ok(topics.has('named-pay-store-other-join-store-changelog'));
      assert.ok(topics.has('named-pay-store-left-shared-join-store-changelog'));
    } finally {
      driver.close();
    }
  });

  it('validates join windows', () => {
    assert.throws(() => JoinWindows.ofTimeDifferenceWithNoGrace(-1), RangeError);
    assert.throws(() => JoinWindows.ofTimeDifferenceWithNoGrace(5).before(-6), RangeError);
    const w = JoinWindows.ofTimeDifferenceAndGrace(5, 2).before(3).after(7);
    assert.deepEqual([w.beforeMs, w.afterMs, w.graceMs, w.sizeMs], [3, 7, 2, 10]);
  });
});
