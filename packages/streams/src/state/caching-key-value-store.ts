import type { KeyValue } from '../api/record.js';
import { isInvertedRange, mergeOverlay } from './bytes.js';
import type { KeyValueBytesStore, WrappingStore } from './key-value-bytes-store.js';
import { KeyValueBytesStoreBase } from './key-value-bytes-store-base.js';
import { DEFAULT_CACHE_MAX_BYTES } from './record-cache.js';
import { ThreadCache } from './thread-cache.js';
import type { StateStoreContext } from './store.js';
import { WriteBackCache, type FlushListenerOf } from './write-back-cache.js';

export type BytesFlushListener = FlushListenerOf<Buffer>;

/**
 * A write-back cache over the change-logging layer (Kafka Streams' CachingKeyValueStore): consecutive updates of a
 * key are compacted, and only the latest reaches the changelog and the flush listener when the store is flushed (at
 * commit) or a dirty entry is evicted (the cache outgrew its budget). Dirty keys flush in the order of their last
 * write, as in Kafka; the cache and its flush (WriteBackCache) are shared with the window and session caches.
 */
export class CachingKeyValueBytesStore extends KeyValueBytesStoreBase implements WrappingStore {
  private readonly writeBack: WriteBackCache<Buffer>;

  constructor(
    readonly wrapped: KeyValueBytesStore,
    memory: ThreadCache = new ThreadCache(DEFAULT_CACHE_MAX_BYTES),
  ) {
    super();
    this.writeBack = new WriteBackCache<Buffer>(wrapped, memory, {
      decode: (key) => key,
      read: (key) => wrapped.get(key),
      write: (key, value) => wrapped.put(key, value),
    });
  }

  get name(): string {
    return this.wrapped.name;
  }
  get persistent(): boolean {
    return this.wrapped.persistent;
  }

  setFlushListener(listener: BytesFlushListener, sendOldValues: boolean): void {
    this.writeBack.setListener(listener, sendOldValues);
  }

  init(context: StateStoreContext): void {
    this.wrapped.init(this.writeBack.init(context));
  }

  get(key: Buffer): Buffer | null {
    const entry = this.writeBack.cache.get(key);
    if (entry !== undefined) return entry.value;
    const value = this.wrapped.get(key);
    if (value !== null) this.writeBack.cache.putClean(key, value);
    return value;
  }

  put(key: Buffer, value: Buffer | null): void {
    this.writeBack.cache.put(key, value, this.writeBack.now());
  }

  /** Unconditional, as Kafka's cache: the tombstone is cached (and logged on flush) even for an absent key. */
  override delete(key: Buffer): Buffer | null {
    const old = this.get(key);
    this.put(key, null);
    return old;
  }

  range(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>> {
    if (isInvertedRange(from, to)) return [];
    return mergeOverlay(this.cachedRange(from, to, false), this.wrapped.range(from, to), false);
  }

  reverseRange(from: Buffer | null, to: Buffer | null): Iterable<KeyValue<Buffer, Buffer>> {
    if (isInvertedRange(from, to)) return [];
    return mergeOverlay(this.cachedRange(from, to, true), this.wrapped.reverseRange(from, to), true);
  }

  approximateNumEntries(): number {
    return this.wrapped.approximateNumEntries() + this.writeBack.cache.dirtyCount;
  }

  flush(): void {
    this.writeBack.flush();
    this.wrapped.flush();
  }

  close(): void {
    this.writeBack.close();
    this.wrapped.close();
  }

  isOpen(): boolean {
    return this.wrapped.isOpen();
  }

  private *cachedRange(from: Buffer | null, to: Buffer | null, reverse: boolean): Generator<KeyValue<Buffer, Buffer | null>> {
    for (const { key, entry } of this.writeBack.cache.range(from, to, reverse)) yield { key, value: entry.value };
  }
}
