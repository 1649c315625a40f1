import type { KeyValue } from '../api/record.js';
import type { StateStore } from './store.js';

/**
 * The innermost layer: keys and values are bytes, keys ordered by unsigned byte order (Kafka Streams'
 * `KeyValueStore<Bytes, byte[]>`). The wrapping layers (change-logging, caching) implement it too.
 *
 * `init` only opens the store; the outermost (typed) layer registers the whole stack with the runtime.
 * Iterators see a snapshot taken when they are created, so callers may write to the store while iterating.
 */
export interface KeyValueBytesStore extends StateStore {
  get(key: Buffer): Buffer | null;
  /** A null value deletes. */
  put(key: Buffer, value: Buffer | null): void;
  putIfAbsent(key: Buffer, value: Buffer | null): Buffer | null;
  putAll(entries: ReadonlyArray<KeyValue<Buffer, Buffer | null>>): void;
  delete(key: Buffer): Buffer | null;
  /** `from` and `to` inclusive, null for an open end; an inverted range is empty. */
  range(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>>;
  reverseRange(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>>;
  all(): Iterable<KeyValue<Buffer, Buffer>>;
  reverseAll(): Iterable<KeyValue<Buffer, Buffer>>;
  prefixScan(prefix: Buffer): Iterable<KeyValue<Buffer, Buffer>>;
  approximateNumEntries(): number;
}

/** Makes fresh bytes stores, one per task (Kafka Streams' `KeyValueBytesStoreSupplier`). */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  /** Informational: the supplier was asked for as a timestamped store (the bytes store itself is format-agnostic). */
  readonly timestamped: boolean;
  get(): KeyValueBytesStore;
  readonly metricsScope: string;
}

/** A layer that wraps another bytes store; lets the typed layer find the innermost store for restoration. */
export interface WrappingStore {
  readonly wrapped: KeyValueBytesStore;
}

export function innermostBytesStore(store: KeyValueBytesStore): KeyValueBytesStore {
  let current: KeyValueBytesStore = store;
  while ('wrapped' in current) current = (current as KeyValueBytesStore & WrappingStore).wrapped;
  return current;
}
