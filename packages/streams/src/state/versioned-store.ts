/**
 * Versioned key-value stores (Kafka's `VersionedKeyValueStore`, KIP-889): every write is a version valid from its
 * timestamp until the next version's, so a reader can ask for a key's value as of any time within the history
 * retention. Stream-table joins read a versioned table as of the stream record's timestamp.
 */
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import type { StateStore } from './store.js';

/** `put` returns this when the new version is the latest (Kafka's `PUT_RETURN_CODE_VALID_TO_UNDEFINED`). */
export const PUT_RETURN_CODE_VALID_TO_UNDEFINED = -1;
/** `put` returns this when the write was older than the history retention and was dropped. */
export const PUT_RETURN_CODE_NOT_PUT = Number.MIN_SAFE_INTEGER;

/** One version of a key: its value, the time it became valid, and until when (absent: still the latest). */
export interface VersionedRecord<V> {
  readonly value: V;
  readonly timestamp: number;
  readonly validTo?: number;
}

export interface VersionedKeyValueStore<K, V> extends StateStore {
  readonly versioned: true;
  readonly historyRetentionMs: number;
  /**
   * Adds the version of `key` valid from `timestamp` (null: deleted from then on). Returns the new version's
   * `validTo` (the next version's timestamp), `PUT_RETURN_CODE_VALID_TO_UNDEFINED` when it is the latest, or
   * `PUT_RETURN_CODE_NOT_PUT` when `timestamp` lies beyond the history retention.
   */
  put(key: K, value: V | null, timestamp: number): number;
  /** Puts a tombstone at `timestamp` and returns the version that was valid then. */
  delete(key: K, timestamp: number): VersionedRecord<V> | null;
  /** The latest version. */
  get(key: K): VersionedRecord<V> | null;
  /** The version valid at `asOfTimestamp`; null when there was none or the time lies beyond the history retention. */
  get(key: K, asOfTimestamp: number): VersionedRecord<V> | null;
}

/** Makes the bytes stores a versioned store keeps its versions in (Kafka's `VersionedBytesStoreSupplier`). */
export interface VersionedBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly versioned: true;
  readonly historyRetentionMs: number;
  get(): KeyValueBytesStore;
}

export function isVersionedStore<K, V>(store: object): store is VersionedKeyValueStore<K, V> {
  return (store as Partial<VersionedKeyValueStore<K, V>>).versioned === true;
}

export function isVersionedSupplier(supplier: unknown): supplier is VersionedBytesStoreSupplier {
  return typeof supplier === 'object' && supplier !== null && (supplier as Partial<VersionedBytesStoreSupplier>).versioned === true;
}
