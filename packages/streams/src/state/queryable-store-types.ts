import type { ReadableWindowStore, ReadOnlyKeyValueStore, ReadOnlySessionStore, StoreType } from './store.js';
import type { ValueAndTimestamp } from './value-and-timestamp.js';

/**
 * Names the kind of view `KafkaStreams.store()` returns. `T` exists only for typing; `timestamps` says whether the
 * caller wants the stored timestamps (Kafka's `timestampedKeyValueStore()`) or plain values.
 */
export interface QueryableStoreType<T> {
  readonly storeType: StoreType;
  readonly timestamps: boolean;
  /** Phantom field carrying the view type; never set. */
  readonly viewType?: T;
}

export const QueryableStoreTypes = {
  keyValueStore: <K, V>(): QueryableStoreType<ReadOnlyKeyValueStore<K, V>> => ({ storeType: 'keyValue', timestamps: false }),
  timestampedKeyValueStore: <K, V>(): QueryableStoreType<ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>>> => ({
    storeType: 'keyValue',
    timestamps: true,
  }),
  windowStore: <K, V>(): QueryableStoreType<ReadableWindowStore<K, V>> => ({ storeType: 'window', timestamps: false }),
  timestampedWindowStore: <K, V>(): QueryableStoreType<ReadableWindowStore<K, ValueAndTimestamp<V>>> => ({
    storeType: 'window',
    timestamps: true,
  }),
  sessionStore: <K, V>(): QueryableStoreType<ReadOnlySessionStore<K, V>> => ({ storeType: 'session', timestamps: false }),
} as const;
