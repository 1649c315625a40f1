/**
 * Kafka's TableTableJoinIntegrationTest through the test driver: its inputs (out-of-order updates included) and its
 * expected outputs per input record, for inner, left and outer joins over plain and versioned tables and for the
 * chained (multi-) joins. `null` means "no output"; `null@7` a tombstone stamped 7; `x,x` two records.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KTable } from '../../src/dsl/ktable.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { Stores } from '../../src/state/stores.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const L = Serdes.long();
const S = Serdes.string();
const N = null;
type Step = readonly [side: 'L' | 'R', value: string | null, timestamp: number, nullKey?: true];
type JoinType = 'inner' | 'left' | 'outer';

/** AbstractJoinIntegrationTest.input: with out-of-order updates from step 14 on. */
const input: Step[] = [
  ['L', N, 1], ['R', N, 2], ['L', 'A', 3], ['R', 'a', 4], ['L', 'B', 5], ['R', 'b', 6], ['L', N, 7], ['R', N, 8],
  ['L', 'C', 9], ['R', 'c', 10], ['R', N, 11], ['L', N, 12], ['R', N, 13], ['R', 'd', 7], ['L', 'D', 6], ['L', N, 2],
  ['R', N, 3], ['R', 'e', 14], ['L', 'E', 15], ['L', N, 10], ['R', N, 9], ['L', 'F', 4], ['R', 'f', 3],
];
/** AbstractJoinIntegrationTest.inputWithoutOutOfOrderData (its last two records have null keys). */
const inOrderInput: Step[] = [
  ['L', N, 1], ['R', N, 2], ['L', 'A', 3], ['R', 'a', 4], ['L', 'B', 5], ['R', 'b', 6], ['L', N, 7], ['R', N, 8],
  ['L', 'C', 9], ['R', 'c', 10], ['R', N, 11], ['L', N, 12], ['R', N, 13], ['R', 'd', 14], ['L', 'D', 15],
  ['L', 'E', 16, true], ['R', 'e', 17, true],
];
const twice = (r: string): string => `${r},${r}`;

const singleJoins: Record<string, { type: JoinType; versioned: 'none' | 'both' | 'left' | 'right'; expected: Array<string | null> }> = {
  inner: { type: 'inner', versioned: 'none', expected: [N, N, N, 'A-a@4', 'B-a@5', 'B-b@6', 'null@7', N, N, 'C-c@10', 'null@11', N, N, N, 'D-d@7', 'null@7', N, N, 'E-e@15', 'null@14', N, N, 'F-f@4'] },
  left: { type: 'left', versioned: 'none', expected: [N, N, 'A-null@3', 'A-a@4', 'B-a@5', 'B-b@6', 'null@7', N, 'C-null@9', 'C-c@10', 'C-null@11', 'null@12', N, N, 'D-d@7', 'null@7', N, N, 'E-e@15', 'null@14', N, 'F-null@4', 'F-f@4'] },
  outer: { type: 'outer', versioned: 'none', expected: [N, N, 'A-null@3', 'A-a@4', 'B-a@5', 'B-b@6', 'null-b@7', 'null@8', 'C-null@9', 'C-c@10', 'C-null@11', 'null@12', N, 'null-d@7', 'D-d@7', 'null-d@7', 'null@3', 'null-e@14', 'E-e@15', 'null-e@14', 'null@9', 'F-null@4', 'F-f@4'] },
  'inner, versioned stores': { type: 'inner', versioned: 'both', expected: [N, N, N, 'A-a@4', 'B-a@5', 'B-b@6', 'null@7', N, N, 'C-c@10', 'null@11', N, N, N, N, N, N, N, 'E-e@15', N, N, N, N] },
  'left, versioned stores': { type: 'left', versioned: 'both', expected: [N, N, 'A-null@3', 'A-a@4', 'B-a@5', 'B-b@6', 'null@7', N, 'C-null@9', 'C-c@10', 'C-null@11', 'null@12', N, N, N, N, N, N, 'E-e@15', N, N, N, N] },
  'outer, versioned stores': { type: 'outer', versioned: 'both', expected: [N, N, 'A-null@3', 'A-a@4', 'B-a@5', 'B-b@6', 'null-b@7', 'null@8', 'C-null@9', 'C-c@10', 'C-null@11', 'null@12', N, N, N, N, N, 'null-e@14', 'E-e@15', N, N, N, N] },
  'inner, left versioned': { type: 'inner', versioned: 'left', expected: [N, N, N, 'A-a@4', 'B-a@5', 'B-b@6', 'null@7', N, N, 'C-c@10', 'null@11', N, N, N, N, N, N, N, 'E-e@15', N, 'null@15', N, 'E-f@15'] },
  'left, left versioned': { type: 'left', versioned: 'left', expected: [N, N, 'A-null@3', 'A-a@4', 'B-a@5', 'B-b@6', 'null@7', N, 'C-null@9', 'C-c@10', 'C-null@11', 'null@12', N, N, N, N, N, N, 'E-e@15', N, 'E-null@15', N, 'E-f@15'] },
  'outer, left versioned': { type: 'outer', versioned: 'left', expected: [N, N, 'A-null@3', 'A-a@4', 'B-a@5', 'B-b@6', 'null-b@7', 'null@8', 'C-null@9', 'C-c@10', 'C-null@11', 'null@12', N, 'null-d@7', N, N, 'null@3', 'null-e@14', 'E-e@15', N, 'E-null@15', N, 'E-f@15'] },
  'inner, right versioned': { type: 'inner', versioned: 'right', expected: [N, N, N, 'A-a@4', 'B-a@5', 'B-b@6', 'null@7', N, N, 'C-c@10', 'null@11', N, N, N, N, N, N, N, 'E-e@15', 'null@14', N, 'F-e@14', N] },
  'left, right versioned': { type: 'left', versioned: 'right', expected: [N, N, 'A-null@3', 'A-a@4', 'B-a@5', 'B-b@6', 'null@7', N, 'C-null@9', 'C-c@10', 'C-null@11', 'null@12', N, N, 'D-null@6', 'null@2', N, N, 'E-e@15', 'null@14', N, 'F-e@14', N] },
  'outer, right versioned': { type: 'outer', versioned: 'right', expected: [N, N, 'A-null@3', 'A-a@4', 'B-a@5', 'B-b@6', 'null-b@7', 'null@8', 'C-null@9', 'C-c@10', 'C-null@11', 'null@12', N, N, 'D-null@6', 'null@2', N, 'null-e@14', 'E-e@15', 'null-e@14', N, 'F-e@14', N] },
};

/** Two joins in a row, both against the right table: the duplicates are Kafka's too (KAFKA-6443). */
const multiJoins: Record<string, Array<string | null>> = {
  'inner-inner': [N, N, N, twice('A-a-a@4'), 'B-a-a@5', twice('B-b-b@6'), 'null@7', N, N, twice('C-c-c@10'), N, N, N, N, 'D-d-d@15', N, N],
  'inner-left': [N, N, N, twice('A-a-a@4'), 'B-a-a@5', twice('B-b-b@6'), 'null@7', N, N, twice('C-c-c@10'), 'null@11', N, N, N, 'D-d-d@15', N, N],
  'inner-outer': [N, N, N, twice('A-a-a@4'), 'B-a-a@5', twice('B-b-b@6'), 'null-b@7', 'null@8', N, twice('C-c-c@10'), twice('null@11'), N, N, 'null-d@14', 'D-d-d@15', N, N],
  'left-inner': [N, N, N, twice('A-a-a@4'), 'B-a-a@5', twice('B-b-b@6'), 'null@7', N, N, twice('C-c-c@10'), 'null@11', N, N, N, 'D-d-d@15', N, N],
  'left-left': [N, N, 'A-null-null@3', twice('A-a-a@4'), 'B-a-a@5', twice('B-b-b@6'), 'null@7', N, 'C-null-null@9', twice('C-c-c@10'), twice('C-null-null@11'), 'null@12', N, N, 'D-d-d@15', N, N],
  'left-outer': [N, N, 'A-null-null@3', twice('A-a-a@4'), 'B-a-a@5', twice('B-b-b@6'), 'null-b@7', 'null@8', 'C-null-null@9', twice('C-c-c@10'), twice('C-null-null@11'), 'null@12', N, 'null-d@14', 'D-d-d@15', N, N],
  'outer-inner': [N, N, N, twice('A-a-a@4'), 'B-a-a@5', twice('B-b-b@6'), 'null-b-b@7', N, N, twice('C-c-c@10'), 'null@11', N, N, twice('null-d-d@14'), 'D-d-d@15', N, N],
  'outer-left': [N, N, 'A-null-null@3', twice('A-a-a@4'), 'B-a-a@5', twice('B-b-b@6'), 'null-b-b@7', 'null@8', 'C-null-null@9', twice('C-c-c@10'), twice('C-null-null@11'), 'null@12', N, twice('null-d-d@14'), 'D-d-d@15', N, N],
  'outer-outer': [N, N, 'A-null-null@3', twice('A-a-a@4'), 'B-a-a@5', twice('B-b-b@6'), 'null-b-b@7', twice('null@8'), 'C-null-null@9', twice('C-c-c@10'), twice('C-null-null@11'), 'null@12', N, twice('null-d-d@14'), 'D-d-d@15', N, N],
};

const BASE = 1000;
const joiner = (l: string | null, r: string | null): string => `${l}-${r}`;
const resultStore = { storeName: 'table-table-join-store', keySerde: L, valueSerde: S, logging: false } as const;

function join(type: JoinType, left: KTable<number, string>, right: KTable<number, string>, named = false): KTable<number, string> {
  const materialized = named ? resultStore : undefined;
  if (type === 'inner') return left.join(right, joiner, materialized);
  if (type === 'left') return left.leftJoin(right, joiner, materialized);
  return left.outerJoin(right, joiner, materialized);
}

function table(b: StreamsBuilder, topic: string, versioned: boolean): KTable<number, string> {
  return b.table<number, string>(topic, {
    keySerde: L,
    valueSerde: S,
    logging: false,
    ...(versioned ? { storeSupplier: Stores.persistentVersionedKeyValueStore(topic, 5 * 60_000) } : { storeName: topic }),
  });
}

/** Pipes each step and reads what it produced; checks the result store holds the last result. */
function run(build: (b: StreamsBuilder) => KTable<number, string>, steps: Step[]): Array<string | null> {
  const b = new StreamsBuilder();
  build(b).toStream().to('out', { keySerde: L, valueSerde: S });
  const driver = new TopologyTestDriver(b.build(), { applicationId: 'table-table-join-integration-test', statestoreCacheMaxBytes: 0 }, 0);
  try {
    const inputs = { L: driver.createInputTopic('left', L, S), R: driver.createInputTopic('right', L, S) };
    const out = driver.createOutputTopic('out', L, S);
    const produced = steps.map(([side, value, ts, nullKey]) => {
      inputs[side].pipeInput(nullKey ? null : 0, value, BASE + ts);
      const records = out.readRecordsToList();
      return records.length === 0 ? null : records.map((r) => `${r.value}@${r.timestamp - BASE}`).join(',');
    });
    const last = produced.filter((p): p is string => p !== null).at(-1)?.split(',').at(-1);
    const stored = [...driver.getTimestampedKeyValueStore<number, string>(resultStore.storeName).all()].map((e) => `${e.value.value}@${e.value.timestamp - BASE}`);
    assert.deepEqual(stored, last === undefined || last.startsWith('null@') ? [] : [last], 'the result store holds the last result');
    return produced;
  } finally {
    driver.close();
  }
}

describe("Kafka's TableTableJoinIntegrationTest", () => {
  for (const [name, { type, versioned, expected }] of Object.entries(singleJoins)) {
    it(name, () => {
      const produced = run(
        (b) => join(type, table(b, 'left', versioned === 'both' || versioned === 'left'), table(b, 'right', versioned === 'both' || versioned === 'right'), true),
        input,
      );
      assert.deepEqual(produced, expected);
    });
  }
  for (const [name, expected] of Object.entries(multiJoins)) {
    it(`${name} (multi-join)`, () => {
      const [first, second] = name.split('-') as [JoinType, JoinType];
      const produced = run((b) => {
        const left = table(b, 'left', false);
        const right = table(b, 'right', false);
        return join(second, join(first, left, right), right, true);
      }, inOrderInput);
      assert.deepEqual(produced, expected);
    });
  }
});
