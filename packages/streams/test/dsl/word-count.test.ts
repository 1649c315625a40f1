import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

describe('word count through the test driver', () => {
  it('counts words across a repartition and matches Kafka Streams describe()', () => {
    const builder = new StreamsBuilder();
    builder
      .stream<string, string>('streams-plaintext-input', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
      .flatMapValues((v) => v.toLowerCase().split(/\W+/).filter(Boolean))
      .groupBy((_k, word) => word, { keySerde: Serdes.string() })
      .count({ storeName: 'counts-store' })
      .toStream()
      .to('streams-wordcount-output', { keySerde: Serdes.string(), valueSerde: Serdes.long() });
    const topology = builder.build();
    assert.equal(
      topology.describe().toString(),
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])',
        '      --> KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])',
        '      --> KSTREAM-KEY-SELECT-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])',
        '      --> KSTREAM-FILTER-0000000005',
        '      <-- KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: KSTREAM-FILTER-0000000005 (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-KEY-SELECT-0000000002',
        '    Sink: KSTREAM-SINK-0000000004 (topic: counts-store-repartition)',
        '      <-- KSTREAM-FILTER-0000000005',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [counts-store-repartition])',
        '      --> KSTREAM-AGGREGATE-0000000003',
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts-store])',
        '      --> KTABLE-TOSTREAM-0000000007',
        '      <-- KSTREAM-SOURCE-0000000006',
        '    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])',
        '      --> KSTREAM-SINK-0000000008',
        '      <-- KSTREAM-AGGREGATE-0000000003',
        '    Sink: KSTREAM-SINK-0000000008 (topic: streams-wordcount-output)',
        '      <-- KTABLE-TOSTREAM-0000000007',
        '',
        '',
      ].join('\n'),
    );
    const driver = new TopologyTestDriver(topology, { applicationId: 'wordcount' }, 0);
    try {
      const input = driver.createInputTopic('streams-plaintext-input', Serdes.string(), Serdes.string());
      const output = driver.createOutputTopic('streams-wordcount-output', Serdes.string(), Serdes.long());
      input.pipeInput(null, 'Hello Kafka Streams', 10);
      input.pipeInput(null, 'hello all', 20);
      assert.deepEqual(output.readKeyValuesToList(), [
        { key: 'hello', value: 1 },
        { key: 'kafka', value: 1 },
        { key: 'streams', value: 1 },
        { key: 'hello', value: 2 },
        { key: 'all', value: 1 },
      ]);
      assert.equal(driver.getKeyValueStore<string, number>('counts-store').get('hello'), 2);
      assert.ok(driver.producedTopicNames().has('wordcount-counts-store-changelog'));
      assert.ok(driver.producedTopicNames().has('wordcount-counts-store-repartition'));
    } finally {
      driver.close();
    }
  });
});
