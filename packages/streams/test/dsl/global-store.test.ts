/** Global stores fed by a user processor (`addGlobalStore` on StreamsBuilder and on Topology). */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessorSupplier } from '../../src/api/processor.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serde/serdes.js';
import { Stores } from '../../src/state/stores.js';
import type { KeyValueStore } from '../../src/state/store.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import { Topology } from '../../src/topology/topology.js';

const S = Serdes.string();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

/** Keeps upper-cased values: shows that the user's processor, not a plain table source, writes the store. */
const upperCaser: ProcessorSupplier<string, string, void, void> = () => {
  let store: KeyValueStore<string, string>;
  return {
    init(context) {
      store = context.getStateStore<KeyValueStore<string, string>>('names');
    },
    process(record) {
      if (record.value === null) store.delete(record.key);
      else store.put(record.key, record.value.toUpperCase());
    },
  };
};

/** A stream processor that looks each key up in the global store. */
const enricher: ProcessorSupplier<string, string, string, string> = () => {
  let store: KeyValueStore<string, string>;
  let forward: (key: string, value: string, timestamp: number) => void;
  return {
    init(context) {
      store = context.getStateStore<KeyValueStore<string, string>>('names');
      forward = (key, value, timestamp) => context.forward({ key, value, timestamp, headers: {} });
    },
    process(record) {
      forward(record.key, `${record.value}:${store.get(record.key) ?? 'unknown'}`, record.timestamp);
    },
  };
};

describe('addGlobalStore', () => {
  it('StreamsBuilder: the user processor fills the store and stream processors read it', () => {
    const b = new StreamsBuilder();
    b.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('names'), S, S), 'names-topic', { keySerde: S, valueSerde: S }, upperCaser);
    b.stream<string, string>('events', { keySerde: S, valueSerde: S }).process(enricher).to('out', { keySerde: S, valueSerde: S });
    const topology = b.build();
    assert.match(topology.describe().toString(), /Global Store|names-topic/);
    driver = new TopologyTestDriver(topology, { applicationId: 'gs' }, 0);
    const names = driver.createInputTopic('names-topic', S, S);
    const events = driver.createInputTopic('events', S, S);
    names.pipeInput('1', 'ada', 1);
    events.pipeInput('1', 'login', 2);
    events.pipeInput('2', 'login', 3);
    names.pipeInput('1', null, 4);
    events.pipeInput('1', 'logout', 5);
    assert.deepEqual(driver.createOutputTopic('out', S, S).readValuesToList(), ['login:ADA', 'login:unknown', 'logout:unknown']);
    assert.equal(driver.getKeyValueStore<string, string>('names')?.get('1') ?? null, null);
  });

  it('Topology: the full form with node names and the short form', () => {
    for (const full of [true, false]) {
      const t = new Topology();
      const storeBuilder = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('names'), S, S);
      if (full) t.addGlobalStore(storeBuilder, 'names-source', { keySerde: S, valueSerde: S }, 'names-topic', 'names-processor', upperCaser);
      else t.addGlobalStore(storeBuilder, 'names-topic', { keySerde: S, valueSerde: S }, upperCaser);
      t.addSource('events-source', 'events', { keySerde: S, valueSerde: S });
      t.addProcessor('enrich', enricher, 'events-source');
      t.addSink('sink', 'out', 'enrich', { keySerde: S, valueSerde: S });
      if (full) assert.match(t.describe().toString(), /names-processor/);
      driver = new TopologyTestDriver(t, { applicationId: 'gs' }, 0);
      driver.createInputTopic('names-topic', S, S).pipeInput('k', 'grace', 1);
      driver.createInputTopic('events', S, S).pipeInput('k', 'hi', 2);
      assert.deepEqual(driver.createOutputTopic('out', S, S).readValuesToList(), ['hi:GRACE']);
      driver.close();
      driver = undefined;
    }
  });
});
