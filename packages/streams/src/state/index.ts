// The state layer's public names: store interfaces, `Stores` (the only way to the implementations) and queries.
export type * from './store.js';
export { Stores } from './stores.js';
export { QueryableStoreTypes } from './queryable-store-types.js';
export type { QueryableStoreType } from './queryable-store-types.js';
export type { ValueAndTimestamp } from './value-and-timestamp.js';
export type { TimestampedKeyValueStore } from './timestamped-key-value-store.js';
export type { KeyValueBytesStore, KeyValueBytesStoreSupplier } from './key-value-bytes-store.js';
export type { WindowBytesStoreSupplier, SessionBytesStoreSupplier } from './window-suppliers.js';
export type { CachedStateStore, CacheFlushListener, CacheFlushEvent } from './cache-flush-listener.js';
export { PUT_RETURN_CODE_NOT_PUT, PUT_RETURN_CODE_VALID_TO_UNDEFINED } from './versioned-store.js';
export type { VersionedKeyValueStore, VersionedRecord, VersionedBytesStoreSupplier } from './versioned-store.js';
