import type { Serde } from '../serde/serde.js';
import type { CachedStateStore } from './cache-flush-listener.js';
import { plainChangelogFormat, timestampedChangelogFormat } from './changelog-format.js';
import { InMemoryKeyValueBytesStore } from './in-memory-key-value-bytes-store.js';
import type { KeyValueBytesStore, KeyValueBytesStoreSupplier } from './key-value-bytes-store.js';
import { assembleKeyValueStack } from './key-value-stack.js';
import { LmdbKeyValueBytesStore } from './lmdb-key-value-bytes-store.js';
import { LayeredStoreBuilder } from './store-builder.js';
import type { KeyValueStore, SessionStore, StoreBuilder, WindowStore, Windowed } from './store.js';
import {
  sessionSupplier,
  windowedChangelogSettings,
  windowSupplier,
  type SessionBytesStoreSupplier,
  type WindowBytesStoreSupplier,
} from './window-suppliers.js';
import type { TimestampedKeyValueStore } from './timestamped-key-value-store.js';
import { assembleSessionStack } from './session-stack.js';
import { assembleWindowStack } from './window-stack.js';
import { VersionedKeyValueStoreImpl } from './versioned-key-value-store.js';
import type { VersionedBytesStoreSupplier, VersionedKeyValueStore } from './versioned-store.js';
import { valueAndTimestampSerde, type ValueAndTimestamp } from './value-and-timestamp.js';

function versionedSupplier(name: string, persistent: boolean, historyRetentionMs: number, make: () => KeyValueBytesStore): VersionedBytesStoreSupplier {
  if (!Number.isSafeInteger(historyRetentionMs) || historyRetentionMs < 0) {
    throw new RangeError(`history retention must be a non-negative integer number of ms, got ${historyRetentionMs}`);
  }
  return { name, persistent, versioned: true, historyRetentionMs, get: make };
}

function keyValueSupplier(name: string, persistent: boolean, timestamped: boolean, make: () => KeyValueBytesStore): KeyValueBytesStoreSupplier {
  return { name, persistent, timestamped, get: make, metricsScope: persistent ? 'lmdb' : 'in-memory' };
}

const defaults = { loggingEnabled: true, logConfig: {}, cachingEnabled: false } as const;

/** Factories for store suppliers and builders (Kafka Streams' `Stores`). */
export const Stores = {
  persistentKeyValueStore: (name: string): KeyValueBytesStoreSupplier =>
    keyValueSupplier(name, true, false, () => new LmdbKeyValueBytesStore(name)),
  persistentTimestampedKeyValueStore: (name: string): KeyValueBytesStoreSupplier =>
    keyValueSupplier(name, true, true, () => new LmdbKeyValueBytesStore(name)),
  inMemoryKeyValueStore: (name: string): KeyValueBytesStoreSupplier =>
    keyValueSupplier(name, false, false, () => new InMemoryKeyValueBytesStore(name)),

  keyValueStoreBuilder: <K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<KeyValueStore<K, V> & CachedStateStore<K, V>> =>
    new LayeredStoreBuilder(supplier.name, 'keyValue', supplier.persistent, defaults, (settings) =>
      assembleKeyValueStack(supplier.get(), keySerde, valueSerde, plainChangelogFormat, settings),
    ),

  /** Values are stored as `ValueAndTimestamp<V>` (8-byte timestamp + value bytes); give the plain value serde. */
  timestampedKeyValueStoreBuilder: <K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<TimestampedKeyValueStore<K, V> & CachedStateStore<K, ValueAndTimestamp<V>>> =>
    new LayeredStoreBuilder(supplier.name, 'keyValue', supplier.persistent, defaults, (settings) =>
      assembleKeyValueStack(supplier.get(), keySerde, valueAndTimestampSerde(valueSerde), timestampedChangelogFormat, settings),
    ),

  /** A versioned store (KIP-889) that keeps each key's versions for `historyRetentionMs` of stream time. */
  persistentVersionedKeyValueStore: (name: string, historyRetentionMs: number): VersionedBytesStoreSupplier =>
    versionedSupplier(name, true, historyRetentionMs, () => new LmdbKeyValueBytesStore(name)),
  /** The same in memory (Kafka has only the persistent one); restored from its changelog on start. */
  inMemoryVersionedKeyValueStore: (name: string, historyRetentionMs: number): VersionedBytesStoreSupplier =>
    versionedSupplier(name, false, historyRetentionMs, () => new InMemoryKeyValueBytesStore(name)),

  /** Versioned stores do not cache (as in Kafka): `withCachingEnabled()` has no effect on them. */
  versionedKeyValueStoreBuilder: <K, V>(
    supplier: VersionedBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<VersionedKeyValueStore<K, V>> =>
    new LayeredStoreBuilder(
      supplier.name,
      'keyValue',
      supplier.persistent,
      { ...defaults, changelogRetention: { config: 'min.compaction.lag.ms', baseMs: supplier.historyRetentionMs } },
      (settings) => new VersionedKeyValueStoreImpl(supplier.get(), keySerde, valueSerde, supplier.historyRetentionMs, settings.loggingEnabled),
    ),

  /** `retainDuplicates` keeps every put (stream-stream join buffers); otherwise a put replaces the window's value. */
  persistentWindowStore: (name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowBytesStoreSupplier =>
    windowSupplier(name, true, retentionMs, windowSizeMs, retainDuplicates),
  persistentTimestampedWindowStore: (name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowBytesStoreSupplier =>
    windowSupplier(name, true, retentionMs, windowSizeMs, retainDuplicates),
  inMemoryWindowStore: (name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowBytesStoreSupplier =>
    windowSupplier(name, false, retentionMs, windowSizeMs, retainDuplicates),
  persistentSessionStore: (name: string, retentionMs: number): SessionBytesStoreSupplier => sessionSupplier(name, true, retentionMs),
  inMemorySessionStore: (name: string, retentionMs: number): SessionBytesStoreSupplier => sessionSupplier(name, false, retentionMs),

  /** With caching on, updates of a window are coalesced until commit (not for stores that retain duplicates). */
  windowStoreBuilder: <K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<WindowStore<K, V> & CachedStateStore<Windowed<K>, V>> =>
    new LayeredStoreBuilder(
      supplier.name,
      'window',
      supplier.persistent,
      { ...defaults, ...windowedChangelogSettings(supplier.retentionMs) },
      (settings) => assembleWindowStack(supplier.get(), keySerde, valueSerde, plainChangelogFormat, settings),
    ),

  timestampedWindowStoreBuilder: <K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
  ): StoreBuilder<WindowStore<K, ValueAndTimestamp<V>> & CachedStateStore<Windowed<K>, ValueAndTimestamp<V>>> =>
    new LayeredStoreBuilder(
      supplier.name,
      'window',
      supplier.persistent,
      { ...defaults, ...windowedChangelogSettings(supplier.retentionMs) },
      (settings) =>
        assembleWindowStack(supplier.get(), keySerde, valueAndTimestampSerde(valueSerde), timestampedChangelogFormat, settings),
    ),

  sessionStoreBuilder: <K, AGG>(
    supplier: SessionBytesStoreSupplier,
    keySerde: Serde<K>,
    aggSerde: Serde<AGG>,
  ): StoreBuilder<SessionStore<K, AGG> & CachedStateStore<Windowed<K>, AGG>> =>
    new LayeredStoreBuilder(
      supplier.name,
      'session',
      supplier.persistent,
      { ...defaults, ...windowedChangelogSettings(supplier.retentionMs) },
      (settings) => assembleSessionStack(supplier.get(), keySerde, aggSerde, settings),
    ),
} as const;
