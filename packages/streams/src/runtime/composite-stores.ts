/**
 * Interactive-query views over one store name across the tasks of this instance (Kafka Streams'
 * `CompositeReadOnlyKeyValueStore`): a key lives in exactly one task, scans visit every task's store.
 */
import type { KeyValue } from '../api/record.js';
import type { Serde } from '../serde/serde.js';
import type { ReadOnlyKeyValueStore } from '../state/store.js';

export function compositeKeyValueStore<K, V>(stores: () => ReadonlyArray<ReadOnlyKeyValueStore<K, V>>): ReadOnlyKeyValueStore<K, V> {
  function* concat(pick: (s: ReadOnlyKeyValueStore<K, V>) => Iterable<KeyValue<K, V>>): Generator<KeyValue<K, V>> {
    for (const s of stores()) yield* pick(s);
  }
  return {
    get(key) {
      for (const s of stores()) {
        const v = s.get(key);
        if (v !== null) return v;
      }
      return null;
    },
    range: (from, to) => concat((s) => s.range(from, to)),
    reverseRange: (from, to) => concat((s) => s.reverseRange(from, to)),
    all: () => concat((s) => s.all()),
    reverseAll: () => concat((s) => s.reverseAll()),
    prefixScan: (prefix: K, prefixSerde: Serde<K>) => concat((s) => s.prefixScan(prefix, prefixSerde)),
    approximateNumEntries: () => stores().reduce((n, s) => n + s.approximateNumEntries(), 0),
  };
}
