/** A read-only view of a timestamped window store that hides the timestamps (interactive queries, the test driver). */
import type { KeyValue } from '../api/record.js';
import type { ReadOnlyWindowStore } from './store.js';
import type { ValueAndTimestamp } from './value-and-timestamp.js';

export function readOnlyWindowFacade<K, V>(store: ReadOnlyWindowStore<K, ValueAndTimestamp<V>>): ReadOnlyWindowStore<K, V> {
  return {
    fetch: (key, windowStart) => store.fetch(key, windowStart)?.value ?? null,
    fetchRange: (key, from, to) => unwrap(store.fetchRange(key, from, to)),
    backwardFetchRange: (key, from, to) => unwrap(store.backwardFetchRange(key, from, to)),
    fetchKeyRange: (keyFrom, keyTo, from, to) => unwrap(store.fetchKeyRange(keyFrom, keyTo, from, to)),
    fetchAll: (from, to) => unwrap(store.fetchAll(from, to)),
    all: () => unwrap(store.all()),
  };
}

function* unwrap<K, V>(entries: Iterable<KeyValue<K, ValueAndTimestamp<V>>>): Generator<KeyValue<K, V>> {
  for (const { key, value } of entries) yield { key, value: value.value };
}
