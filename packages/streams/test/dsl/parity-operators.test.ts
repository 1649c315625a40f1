/** Kafka Streams API shapes of the second parity round: toStream(keyMapper), Joined serdes, window-store fetch. */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcessorContext } from '../../src/api/processor.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { Serde } from '../../src/serde/serde.js';
import { Serdes } from '../../src/serde/serdes.js';
import { Stores } from '../../src/state/stores.js';
import type { WindowStore } from '../../src/state/store.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const I = Serdes.integer();
let driver: TopologyTestDriver | undefined;
afterEach(() => {
  driver?.close();
  driver = undefined;
});

/** A serde that counts its calls, to show which serde a repartition topic used. */
function counting<T>(inner: Serde<T>): Serde<T> & { calls: number } {
  const serde = {
    calls: 0,
    serialize(topic: string, data: T | null) {
      serde.calls++;
      return inner.serialize(topic, data);
    },
    deserialize(topic: string, data: Buffer | null) {
      return inner.deserialize(topic, data);
    },
  };
  return serde;
}

describe('second-round parity: DSL shapes', () => {
  it('KTable.toStream(keyMapper) re-keys the changelog stream, tombstones included', () => {
    const b = new StreamsBuilder();
    b.table<string, number>('t', { keySerde: S, valueSerde: I })
      .toStream((key, value) => `${key}-${value ?? 'deleted'}`)
      .to('out', { keySerde: S, valueSerde: I });
    driver = new TopologyTestDriver(b.build(), { applicationId: 'ts' }, 0);
    const input = driver.createInputTopic('t', S, I);
    input.pipeInput('a', 1, 1);
    input.pipeInput('a', null, 2);
    assert.deepEqual(driver.createOutputTopic('out', S, I).readKeyValuesToList(), [
      { key: 'a-1', value: 1 },
      { key: 'a-deleted', value: null },
    ]);
  });

  it('stream-table join takes Joined serdes for the repartition topic, and its name', () => {
    const keySerde = counting(S);
    const valueSerde = counting(I);
    const b = new StreamsBuilder();
    const table = b.table<string, string>('users', { keySerde: S, valueSerde: S });
    b.stream<string, number>('clicks', { keySerde: S, valueSerde: I })
      .selectKey((_k, v) => `u${v}`)
      .leftJoin(table, (clicks, user) => `${clicks}:${user ?? 'none'}`, { keySerde, valueSerde, otherValueSerde: S, name: 'enrich' })
      .to('out', { valueSerde: S });
    const topology = b.build();
    assert.match(topology.describe().toString(), /enrich-repartition/);
    driver = new TopologyTestDriver(topology, { applicationId: 'joined' }, 0);
    driver.createInputTopic('users', S, S).pipeInput('u1', 'ada', 1);
    const clicks = driver.createInputTopic('clicks', S, I);
    clicks.pipeInput('x', 1, 2);
    clicks.pipeInput('y', 2, 3);
    assert.deepEqual(driver.createOutputTopic('out', S, S).readKeyValuesToList(), [
      { key: 'u1', value: '1:ada' },
      { key: 'u2', value: '2:none' },
    ]);
    assert.ok(keySerde.calls >= 2 && valueSerde.calls >= 2, `Joined serdes used: key ${keySerde.calls}, value ${valueSerde.calls}`);
  });

  it('window store fetch(key, from, to) lists windows by start; fetch(key, start) is one value (deduplication)', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.windowStoreBuilder(Stores.inMemoryWindowStore('seen', 100, 10), S, Serdes.long()));
    b.stream<string, string>('events', { keySerde: S, valueSerde: S })
      .process<string, string>(() => {
        let ctx: ProcessorContext<string, string>;
        let seen: WindowStore<string, number>;
        return {
          init(context) {
            ctx = context;
            seen = context.getStateStore<WindowStore<string, number>>('seen');
          },
          // Kafka's EventDeduplicationExample: an id seen within 10 ms either side is a duplicate.
          process(record) {
            const id = record.value;
            const duplicate = [...seen.fetch(id, record.timestamp - 10, record.timestamp + 10)].length > 0;
            if (!duplicate) ctx.forward(record);
            seen.put(id, record.timestamp, record.timestamp);
          },
        };
      }, 'seen')
      .to('out', { keySerde: S, valueSerde: S });
    driver = new TopologyTestDriver(b.build(), { applicationId: 'dedup' }, 0);
    const input = driver.createInputTopic('events', S, S);
    input.pipeInput('k', 'e1', 1);
    input.pipeInput('k', 'e1', 5);
    input.pipeInput('k', 'e2', 6);
    input.pipeInput('k', 'e1', 30);
    assert.deepEqual(driver.createOutputTopic('out', S, S).readValuesToList(), ['e1', 'e2', 'e1']);
    const store = driver.getWindowStore<string, number>('seen');
    assert.deepEqual([...store.fetch('e1', 0, 10)], [{ key: 1, value: 1 }, { key: 5, value: 5 }]);
    assert.deepEqual([...store.backwardFetch('e1', 0, 100)].map((e) => e.key), [30, 5, 1]);
    assert.equal(store.fetch('e1', 5), 5);
    assert.equal(store.fetch('e1', 6), null);
    assert.deepEqual([...store.fetchRange('e2', 0, 100)], [{ key: 6, value: 6 }]);
  });
});
