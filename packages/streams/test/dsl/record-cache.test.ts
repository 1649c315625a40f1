/** The record cache through the test driver: coalescing within one input record, and how to turn it off. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { MaterializedOptions } from '../../src/dsl/options.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import type { TestDriverConfig } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const L = Serdes.long();

/** Counts the words of each line under the line's key: one input record updates its key once per word. */
function countWordsPerKey(config: Partial<TestDriverConfig>, materialized: MaterializedOptions<string, number> = { caching: true }): Array<[string | null, number | null]> {
  const b = new StreamsBuilder();
  b.stream<string, string>('lines', { keySerde: S, valueSerde: S })
    .flatMapValues((line) => line.split(' '))
    .groupByKey()
    .count({ storeName: 'counts', ...materialized })
    .toStream()
    .to('counts-out', { keySerde: S, valueSerde: L });
  const driver = new TopologyTestDriver(b.build(), { applicationId: 'cache', ...config }, 0);
  try {
    const input = driver.createInputTopic('lines', S, S);
    input.pipeInput('k', 'a b c', 1);
    input.pipeInput('k', 'd', 2);
    input.pipeInput('j', 'e f', 3);
    assert.equal(driver.getKeyValueStore<string, number>('counts').get('k'), 4);
    return driver
      .createOutputTopic('counts-out', S, L)
      .readKeyValuesToList()
      .map((kv) => [kv.key, kv.value]);
  } finally {
    driver.close();
  }
}

describe('record cache', () => {
  it('with caching on, the driver flushes after each input record, so updates within one record coalesce', () => {
    assert.deepEqual(countWordsPerKey({}), [
      ['k', 3],
      ['k', 4],
      ['j', 2],
    ]);
  });

  it('statestoreCacheMaxBytes 0, caching: false and the default forward every update', () => {
    const everyUpdate = [
      ['k', 1],
      ['k', 2],
      ['k', 3],
      ['k', 4],
      ['j', 1],
      ['j', 2],
    ];
    assert.deepEqual(countWordsPerKey({ statestoreCacheMaxBytes: 0 }), everyUpdate);
    assert.deepEqual(countWordsPerKey({}, { caching: false }), everyUpdate);
    assert.deepEqual(countWordsPerKey({}, {}), everyUpdate);
  });

  it('a tiny cache evicts, forwarding before the flush', () => {
    // Each entry costs more than 1 byte, so every write evicts at once: every update goes out.
    assert.equal(countWordsPerKey({ statestoreCacheMaxBytes: 1 }).length, 6);
  });

  it('old values come from the last flush, so a KGroupedTable aggregation subtracts what it saw downstream', () => {
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .flatMapValues((v) => v.split(' '))
      .toTable({ storeName: 'latest', caching: true })
      .groupBy((_k, v) => [v, v], { keySerde: S, valueSerde: S })
      .count({ storeName: 'per-value' })
      .toStream()
      .to('out', { keySerde: S, valueSerde: L });
    const driver = new TopologyTestDriver(b.build(), { applicationId: 'cache' }, 0);
    try {
      const input = driver.createInputTopic('in', S, S);
      input.pipeInput('k', 'x y', 1); // the table sees x then y for k; only y leaves the cache
      input.pipeInput('k', 'z', 2);
      assert.deepEqual(
        driver.createOutputTopic('out', S, L).readKeyValuesToList().map((kv) => [kv.key, kv.value]),
        [
          ['y', 1],
          ['y', 0],
          ['z', 1],
        ],
      );
    } finally {
      driver.close();
    }
  });

  it('a processor failing on a flushed record fails the flush, naming the store (Kafka message)', () => {
    const b = new StreamsBuilder();
    const seen: string[] = [];
    b.stream<string, string>('in', { keySerde: S, valueSerde: S })
      .groupByKey()
      .count({ caching: true })
      .toStream()
      .mapValues((v) => String(v))
      .foreach((_k, v) => {
        if (v === '3') throw new Error('Exception should be handled by processing exception handler');
        seen.push(v);
      });
    const driver = new TopologyTestDriver(b.build(), { applicationId: 'cache' }, 0);
    try {
      const input = driver.createInputTopic('in', S, S);
      assert.throws(
        () => input.pipeKeyValueList(['A1', 'A2', 'A3', 'A4'].map((value) => ({ key: 'ID123-1', value })), 0, 0),
        /Failed to flush cache of store KSTREAM-AGGREGATE-STATE-STORE-0000000001/,
      );
      assert.deepEqual(seen, ['1', '2']);
    } finally {
      driver.close();
    }
  });
});
