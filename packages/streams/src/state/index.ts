export type * from './store.js';
export { Stores } from './stores.js';
export { QueryableStoreTypes } from './queryable-store-types.js';
export type { QueryableStoreType } from './queryable-store-types.js';
export { valueAndTimestampSerde } from './value-and-timestamp.js';
export type { ValueAndTimestamp } from './value-and-timestamp.js';
export { readOnlyKeyValueFacade, isTimestampedStore } from './timestamped-key-value-store.js';
export type { TimestampedKeyValueStore } from './timestamped-key-value-store.js';
export { isCachedStateStore } from './cache-flush-listener.js';
export type { CacheFlushEvent, CacheFlushListener, CachedStateStore } from './cache-flush-listener.js';
export type { KeyValueBytesStore, KeyValueBytesStoreSupplier } from './key-value-bytes-store.js';
export { InMemoryKeyValueBytesStore } from './in-memory-key-value-bytes-store.js';
export { LmdbKeyValueBytesStore } from './lmdb-key-value-bytes-store.js';
export { changelogTopicFor } from './metered-key-value-store.js';
export type { WindowBytesStoreSupplier, SessionBytesStoreSupplier } from './window-suppliers.js';
export { MeteredKeyValueStore } from './metered-key-value-store.js';
export { MeteredWindowStore } from './metered-window-store.js';
export { MeteredSessionStore } from './metered-session-store.js';
export { readOnlyWindowFacade } from './timestamped-window-store.js';
export {
  PUT_RETURN_CODE_NOT_PUT,
  PUT_RETURN_CODE_VALID_TO_UNDEFINED,
  isVersionedStore,
  isVersionedSupplier,
} from './versioned-store.js';
export type { VersionedKeyValueStore, VersionedRecord, VersionedBytesStoreSupplier } from './versioned-store.js';
