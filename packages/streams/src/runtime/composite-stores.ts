/**
 * Interactive-query views over one store name across the tasks of this instance (Kafka Streams'
 * `CompositeReadOnlyKeyValueStore`): a key lives in exactly one task, scans visit every task's store.
 */
import type { KeyValue } from '../api/record.js';
import type { Serde } from '../serde/serde.js';
import type { ReadableWindowStore, ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore } from '../state/store.js';

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

/** Queries see Kafka's `fetch` overloads, as processors do: one window by its start, or a key's windows in a time range. */
export function compositeWindowStore<K, V>(stores: () => ReadonlyArray<ReadOnlyWindowStore<K, V>>): ReadableWindowStore<K, V> {
  function* concat<T>(pick: (s: ReadOnlyWindowStore<K, V>) => Iterable<T>): Generator<T> {
    for (const s of stores()) yield* pick(s);
  }
  function single(key: K, windowStart: number): V | null {
    for (const s of stores()) {
      const v = s.fetch(key, windowStart);
      if (v !== null) return v;
    }
    return null;
  }
  function fetch(key: K, windowStart: number): V | null;
  function fetch(key: K, timeFrom: number, timeTo: number): Iterable<KeyValue<number, V>>;
  function fetch(key: K, from: number, to?: number): V | null | Iterable<KeyValue<number, V>> {
    return to === undefined ? single(key, from) : concat((s) => s.fetchRange(key, from, to));
  }
  return {
    fetch,
    fetchRange: (key, from, to) => concat((s) => s.fetchRange(key, from, to)),
    backwardFetch: (key, from, to) => concat((s) => s.backwardFetchRange(key, from, to)),
    backwardFetchRange: (key, from, to) => concat((s) => s.backwardFetchRange(key, from, to)),
    fetchKeyRange: (keyFrom, keyTo, from, to) => concat((s) => s.fetchKeyRange(keyFrom, keyTo, from, to)),
    fetchAll: (from, to) => concat((s) => s.fetchAll(from, to)),
    all: () => concat((s) => s.all()),
  };
}

export function compositeSessionStore<K, V>(stores: () => ReadonlyArray<ReadOnlySessionStore<K, V>>): ReadOnlySessionStore<K, V> {
  function* concat<T>(pick: (s: ReadOnlySessionStore<K, V>) => Iterable<T>): Generator<T> {
    for (const s of stores()) yield* pick(s);
  }
  return {
    findSessions: (key, earliestEnd, latestStart) => concat((s) => s.findSessions(key, earliestEnd, latestStart)),
    fetchSession(key, start, end) {
      for (const s of stores()) {
        const v = s.fetchSession(key, start, end);
        if (v !== null) return v;
      }
      return null;
    },
    fetch: (key) => concat((s) => s.fetch(key)),
    all: () => concat((s) => s.all()),
  };
}
