/**
 * Kafka's StreamTableJoinIntegrationTest through the test driver: the same inputs (out-of-order updates included)
 * and expected outputs per input record, for inner and left joins against a plain and a versioned table (the
 * versioned one is read as of each stream record's timestamp). `null` means "no output".
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { Stores } from '../../src/state/stores.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const L = Serdes.long();
const S = Serdes.string();
const N = null;
const BASE = 1000;

/** AbstractJoinIntegrationTest.input: the stream is "left", the table "right". */
const input: Array<readonly ['L' | 'R', string | null, number]> = [
  ['L', N, 1], ['R', N, 2], ['L', 'A', 3], ['R', 'a', 4], ['L', 'B', 5], ['R', 'b', 6], ['L', N, 7], ['R', N, 8],
  ['L', 'C', 9], ['R', 'c', 10], ['R', N, 11], ['L', N, 12], ['R', N, 13], ['R', 'd', 7], ['L', 'D', 6], ['L', N, 2],
  ['R', N, 3], ['R', 'e', 14], ['L', 'E', 15], ['L', N, 10], ['R', N, 9], ['L', 'F', 4], ['R', 'f', 3],
];

const cases: Record<string, { left: boolean; versioned: boolean; expected: Array<string | null> }> = {
  inner: { left: false, versioned: false, expected: [N, N, N, N, 'B-a@5', N, N, N, N, N, N, N, N, N, 'D-d@6', N, N, N, 'E-e@15', N, N, N, N] },
  left: { left: true, versioned: false, expected: [N, N, 'A-null@3', N, 'B-a@5', N, N, N, 'C-null@9', N, N, N, N, N, 'D-d@6', N, N, N, 'E-e@15', N, N, 'F-null@4', N] },
  'inner, versioned table': { left: false, versioned: true, expected: [N, N, N, N, 'B-a@5', N, N, N, N, N, N, N, N, N, 'D-b@6', N, N, N, 'E-e@15', N, N, 'F-a@4', N] },
  'left, versioned table': { left: true, versioned: true, expected: [N, N, 'A-null@3', N, 'B-a@5', N, N, N, 'C-null@9', N, N, N, N, N, 'D-b@6', N, N, N, 'E-e@15', N, N, 'F-a@4', N] },
};

describe("Kafka's StreamTableJoinIntegrationTest", () => {
  for (const [name, { left, versioned, expected }] of Object.entries(cases)) {
    it(name, () => {
      const b = new StreamsBuilder();
      const stream = b.stream<number, string>('left', { keySerde: L, valueSerde: S });
      const table = b.table<number, string>('right', {
        keySerde: L,
        valueSerde: S,
        ...(versioned ? { storeSupplier: Stores.persistentVersionedKeyValueStore('stream-table-join-store', 5 * 60_000) } : {}),
      });
      const joiner = (l: string, r: string | null): string => `${l}-${r}`;
      (left ? stream.leftJoin(table, joiner) : stream.join(table, joiner)).to('out', { keySerde: L, valueSerde: S });
      const driver = new TopologyTestDriver(b.build(), { applicationId: 'stream-table-join-integration-test', statestoreCacheMaxBytes: 0 }, 0);
      try {
        const inputs = { L: driver.createInputTopic('left', L, S), R: driver.createInputTopic('right', L, S) };
        const out = driver.createOutputTopic('out', L, S);
        const produced = input.map(([side, value, ts]) => {
          inputs[side].pipeInput(0, value, BASE + ts);
          const records = out.readRecordsToList();
          return records.length === 0 ? null : records.map((r) => `${r.value}@${r.timestamp - BASE}`).join(',');
        });
        assert.deepEqual(produced, expected);
      } finally {
        driver.close();
      }
    });
  }
});
