import type { KeyValue } from '../api/record.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValueStore, ReadOnlyKeyValueStore } from './store.js';
import type { ValueAndTimestamp } from './value-and-timestamp.js';

/** The DSL's key-value stores keep each value with its record timestamp. */
export type TimestampedKeyValueStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>>;

/** Marks typed stores whose values are `ValueAndTimestamp`, so queries know to unwrap them. */
export interface MaybeTimestamped {
  readonly timestamped?: boolean;
}

export function isTimestampedStore(store: object): boolean {
  return (store as MaybeTimestamped).timestamped === true;
}

/** A read-only view of a timestamped store that hides the timestamps (interactive queries, the test driver). */
export function readOnlyKeyValueFacade<K, V>(store: ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>): ReadOnlyKeyValueStore<K, V> {
  return {
    get: (key) => store.get(key)?.value ?? null,
    range: (from, to) => unwrap(store.range(from, to)),
    reverseRange: (from, to) => unwrap(store.reverseRange(from, to)),
    all: () => unwrap(store.all()),
    reverseAll: () => unwrap(store.reverseAll()),
    prefixScan: (prefix: K, prefixSerde: Serde<K>) => unwrap(store.prefixScan(prefix, prefixSerde)),
    approximateNumEntries: () => store.approximateNumEntries(),
  };
}

function* unwrap<K, V>(entries: Iterable<KeyValue<K, ValueAndTimestamp<V>>>): Generator<KeyValue<K, V>> {
  for (const { key, value } of entries) yield { key, value: value.value };
}
