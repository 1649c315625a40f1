/**
 * Runs every guide's example (packages/streams/docs/*.md link to them) and checks what it prints or returns, so the
 * documentation cannot drift from the library. The examples import the package by name, as applications do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countByCountry } from './examples/cluster.js';
import { wordCount } from './examples/dsl.js';
import { survivesRestart } from './examples/embedded-log.js';
import { skipPoisonPills } from './examples/error-handling.js';
import { exactlyOnceCounts } from './examples/exactly-once.js';
import { queryCounts } from './examples/interactive-queries.js';
import { enrichOrders } from './examples/joins.js';
import { runningTotals } from './examples/stores.js';
import { heartbeats } from './examples/testing.js';
import { clicksPerMinute } from './examples/windows.js';

describe('guide examples', () => {
  it('DSL: counts words', () => {
    assert.deepEqual(wordCount(['the cat', 'The dog']), [
      { key: 'the', value: 1 },
      { key: 'cat', value: 1 },
      { key: 'the', value: 2 },
      { key: 'dog', value: 1 },
    ]);
  });

  it('stores: keeps a running total in a persistent store', () => {
    assert.deepEqual(runningTotals([['alice', 5], ['bob', 2], ['alice', 3]]), { forwarded: [5, 2, 8], stored: { alice: 8, bob: 2 } });
  });

  it('joins: enriches orders with the customer row current at their time', () => {
    assert.deepEqual(enrichOrders(), ['o1: 30 for Ada', 'o2: 12 for an unknown customer', 'o3: 7 for Ada Lovelace']);
  });

  it('windows: counts per window, late records within grace counted, after it dropped', () => {
    assert.deepEqual(clicksPerMinute(), [
      { key: 'ann@0', value: 1 },
      { key: 'ann@0', value: 2 },
      { key: 'bob@1', value: 1 },
      { key: 'ann@1', value: 1 },
      { key: 'ann@0', value: 3 },
      { key: 'bob@3', value: 1 },
    ]);
  });

  it('testing: wall-clock punctuation follows the driver clock', () => {
    assert.deepEqual(heartbeats(), [2, 3]);
  });

  it('error handling: skips a record that cannot be deserialized', () => {
    const { output, skipped } = skipPoisonPills();
    assert.deepEqual(output, [68, 212]);
    assert.deepEqual(skipped, ['readings@1: SerializationError']);
  });

  it('interactive queries: reads the local store and finds the owner of a key', async () => {
    assert.deepEqual(await queryCounts(), { apples: 2, pears: 1, ownerPort: 7070 });
  });

  it('exactly-once: committed counts, read with read_committed', async () => {
    assert.deepEqual(await exactlyOnceCounts(), [['ann', 1], ['bob', 1], ['ann', 2]]);
  });

  it('embedded log: records survive a restart', async () => {
    assert.deepEqual(await survivesRestart(), ['created', 'paid', 'shipped']);
  });

  it(`cluster: the same app on ${process.env['KAFKA_BOOTSTRAP_SERVERS'] ? 'Apache Kafka' : 'the embedded log'}`, async () => {
    const counts = await countByCountry(process.env['KAFKA_BOOTSTRAP_SERVERS'] || undefined);
    assert.deepEqual(Object.fromEntries(counts), { NL: 3, DE: 1, FR: 1 });
  });
});
