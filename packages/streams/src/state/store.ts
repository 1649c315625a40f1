import type { KeyValue } from '../api/record.js';
import type { Serde } from '../serde/serde.js';

// Declared in api/ (every layer names them); re-exported here so the store interfaces stay in one import.
import type { StateStore } from '../api/state-store.js';
import type { Windowed } from '../api/windowed.js';
export type { Window, Windowed } from '../api/windowed.js';
export type { StateStore, StateStoreContext, RestoreRecord } from '../api/state-store.js';

/** What interactive queries get: reads only. */
export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | null;
  /** Keys in serialized-byte order, `from` and `to` inclusive; either may be null for an open end. */
  range(from: K | null, to: K | null): Iterable<KeyValue<K, V>>;
  reverseRange(from: K | null, to: K | null): Iterable<KeyValue<K, V>>;
  all(): Iterable<KeyValue<K, V>>;
  reverseAll(): Iterable<KeyValue<K, V>>;
  prefixScan(prefix: K, prefixSerde: Serde<K>): Iterable<KeyValue<K, V>>;
  approximateNumEntries(): number;
}

export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  /** A null value deletes, as in Kafka Streams. */
  put(key: K, value: V | null): void;
  putIfAbsent(key: K, value: V | null): V | null;
  putAll(entries: ReadonlyArray<KeyValue<K, V | null>>): void;
  /** Returns the old value. */
  delete(key: K): V | null;
}

export interface ReadOnlyWindowStore<K, V> {
  /** The value of the window of `key` that starts exactly at `windowStart`. */
  fetch(key: K, windowStart: number): V | null;
  /** Windows of `key` whose start lies in [timeFrom, timeTo], oldest first: `key` is the window start. */
  fetchRange(key: K, timeFrom: number, timeTo: number): Iterable<KeyValue<number, V>>;
  backwardFetchRange(key: K, timeFrom: number, timeTo: number): Iterable<KeyValue<number, V>>;
  /** Windows of keys in [keyFrom, keyTo] (null: open) starting in [timeFrom, timeTo]. */
  fetchKeyRange(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): Iterable<KeyValue<Windowed<K>, V>>;
  fetchAll(timeFrom: number, timeTo: number): Iterable<KeyValue<Windowed<K>, V>>;
  all(): Iterable<KeyValue<Windowed<K>, V>>;
}

/**
 * A window store as processors and the test driver see it, with Kafka's `fetch` overloads: `fetch(key, windowStart)`
 * is the one window's value, `fetch(key, timeFrom, timeTo)` the windows of `key` whose start lies in
 * [timeFrom, timeTo], oldest first, keyed by window start (Kafka's `WindowStore.fetch(K, Instant, Instant)`).
 */
export interface ReadableWindowStore<K, V> extends ReadOnlyWindowStore<K, V> {
  fetch(key: K, windowStart: number): V | null;
  fetch(key: K, timeFrom: number, timeTo: number): Iterable<KeyValue<number, V>>;
  /** `fetch(key, timeFrom, timeTo)` newest first. */
  backwardFetch(key: K, timeFrom: number, timeTo: number): Iterable<KeyValue<number, V>>;
}

export interface WindowStore<K, V> extends StateStore, ReadableWindowStore<K, V> {
  /**
   * Puts the window of `key` starting at `windowStart`; null deletes it. With `retainDuplicates` every put is kept
   * (stream-stream joins) and null is ignored. Puts older than retention (relative to the largest window start
   * seen) are dropped.
   */
  put(key: K, value: V | null, windowStart: number): void;
  /**
   * Windows of every key starting in [timeFrom, timeTo] by start, then key, down to the window that reached
   * retention's edge (Kafka's time-ordered window store `fetchAll`, which emit-on-window-close reads).
   */
  fetchAllByTime(timeFrom: number, timeTo: number): Iterable<KeyValue<Windowed<K>, V>>;
}

export interface ReadOnlySessionStore<K, AGG> {
  /** Sessions of `key` that end at or after `earliestSessionEnd` and start at or before `latestSessionStart`. */
  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): Iterable<KeyValue<Windowed<K>, AGG>>;
  fetchSession(key: K, sessionStart: number, sessionEnd: number): AGG | null;
  /** Every session of `key`. */
  fetch(key: K): Iterable<KeyValue<Windowed<K>, AGG>>;
  all(): Iterable<KeyValue<Windowed<K>, AGG>>;
}

export interface SessionStore<K, AGG> extends StateStore, ReadOnlySessionStore<K, AGG> {
  put(session: Windowed<K>, aggregate: AGG | null): void;
  remove(session: Windowed<K>): void;
  /**
   * Sessions of every key that ended in [earliestSessionEnd, latestSessionEnd], by end, then key, including ones
   * past retention whose segment is still kept (Kafka's time-ordered `findSessions(earliestSessionEndTime,
   * latestSessionEndTime)`, which emit-on-window-close reads).
   */
  findSessionsByEnd(earliestSessionEnd: number, latestSessionEnd: number): Iterable<KeyValue<Windowed<K>, AGG>>;
}

export type StoreType = 'keyValue' | 'window' | 'session';

/**
 * How long a changelog keeps what its store may still need, before the app's
 * `windowStoreChangeLogAdditionalRetentionMs` is added: window and session stores' changelogs keep `retention.ms`
 * = store retention + that margin, versioned stores' keep `min.compaction.lag.ms` = history retention + that margin
 * (Kafka's `WindowedChangelogTopicConfig` and `VersionedChangelogTopicConfig`). A value set by
 * `withLoggingEnabled(config)` wins.
 */
export interface ChangelogRetention {
  readonly config: 'retention.ms' | 'min.compaction.lag.ms';
  readonly baseMs: number;
}

/** Makes fresh store instances (one per task) with their serdes and wrappers (Kafka Streams' `StoreBuilder`). */
export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string;
  readonly type: StoreType;
  readonly persistent: boolean;
  readonly loggingEnabled: boolean;
  /** Extra configs for the changelog topic (e.g. retention for window stores). */
  readonly logConfig: Readonly<Record<string, string>>;
  /** Window, session and versioned stores: the changelog retention the app's margin is added to. */
  readonly changelogRetention?: ChangelogRetention;
  readonly cachingEnabled: boolean;
  withLoggingDisabled(): StoreBuilder<S>;
  withLoggingEnabled(config?: Record<string, string>): StoreBuilder<S>;
  withCachingEnabled(): StoreBuilder<S>;
  withCachingDisabled(): StoreBuilder<S>;
  build(): S;
}
