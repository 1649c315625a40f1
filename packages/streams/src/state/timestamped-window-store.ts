/** A read-only view of a timestamped window store that hides the timestamps (interactive queries, the test driver). */
import type { KeyValue } from '../api/record.js';
import type { ReadableWindowStore, ReadOnlyWindowStore } from './store.js';
import type { ValueAndTimestamp } from './value-and-timestamp.js';

export function readOnlyWindowFacade<K, V>(store: ReadOnlyWindowStore<K, ValueAndTimestamp<V>>): ReadableWindowStore<K, V> {
  function fetch(key: K, windowStart: number): V | null;
  function fetch(key: K, timeFrom: number, timeTo: number): Iterable<KeyValue<number, V>>;
  function fetch(key: K, timeFromOrStart: number, timeTo?: number): V | null | Iterable<KeyValue<number, V>> {
    if (timeTo !== undefined) return unwrap(store.fetchRange(key, timeFromOrStart, timeTo));
    return store.fetch(key, timeFromOrStart)?.value ?? null;
  }
  return {
    fetch,
    backwardFetch: (key, from, to) => unwrap(store.backwardFetchRange(key, from, to)),
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
