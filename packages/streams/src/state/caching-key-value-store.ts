import type { KeyValue } from '../api/record.js';
import { isInvertedRange, mergeOverlay } from './bytes.js';
import { CacheFlushContext } from './cache-flush-context.js';
import type { KeyValueBytesStore, WrappingStore } from './key-value-bytes-store.js';
import { KeyValueBytesStoreBase } from './key-value-bytes-store-base.js';
import { cacheFlushError, DEFAULT_CACHE_MAX_BYTES, RecordCache } from './record-cache.js';
import type { StateStoreContext } from './store.js';

export type BytesFlushListener = (key: Buffer, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void;

/**
 * A write-back cache over the change-logging layer (Kafka Streams' CachingKeyValueStore): consecutive updates of a
 * key are compacted, and only the latest reaches the changelog and the flush listener when the store is flushed (at
 * commit) or a dirty entry is evicted (the cache outgrew its budget). Dirty keys flush in the order of their last
 * write, as in Kafka; the cache itself (RecordCache) is shared with the window stores' caching layer.
 */
export class CachingKeyValueBytesStore extends KeyValueBytesStoreBase implements WrappingStore {
  private readonly cache: RecordCache;
  private listener: { fn: BytesFlushListener; sendOldValues: boolean } | undefined;
  private flushContext: CacheFlushContext | undefined;

  constructor(
    readonly wrapped: KeyValueBytesStore,
    maxBytes: number = DEFAULT_CACHE_MAX_BYTES,
  ) {
    super();
    this.cache = new RecordCache(maxBytes, () => this.flushDirty());
  }

  get name(): string {
    return this.wrapped.name;
  }
  get persistent(): boolean {
    return this.wrapped.persistent;
  }

  setFlushListener(listener: BytesFlushListener, sendOldValues: boolean): void {
    this.listener = { fn: listener, sendOldValues };
  }

  init(context: StateStoreContext): void {
    this.flushContext = new CacheFlushContext(context);
    this.wrapped.init(this.flushContext.inner);
  }

  get(key: Buffer): Buffer | null {
    const entry = this.cache.get(key);
    if (entry !== undefined) return entry.value;
    const value = this.wrapped.get(key);
    if (value !== null) this.cache.putClean(key, value);
    return value;
  }

  put(key: Buffer, value: Buffer | null): void {
    this.cache.put(key, value, this.flushContext?.now() ?? Date.now());
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
    return this.wrapped.approximateNumEntries() + this.cache.dirtyCount;
  }

  flush(): void {
    this.flushDirty();
    this.wrapped.flush();
  }

  close(): void {
    this.flushDirty();
    this.cache.clear();
    this.wrapped.close();
  }

  isOpen(): boolean {
    return this.wrapped.isOpen();
  }

  private flushDirty(): void {
    const entries = this.cache.takeDirty();
    if (entries.length === 0) return;
    const listener = this.listener;
    for (const entry of entries) {
      const { key } = entry;
      const oldValue = listener === undefined || (entry.value !== null && !listener.sendOldValues) ? null : this.wrapped.get(key);
      // Deleting a key the store never had: nothing to write or forward (Kafka's same optimisation).
      if (entry.value === null && oldValue === null && listener !== undefined) continue;
      try {
        this.stamped(entry.timestamp, () => {
          this.wrapped.put(key, entry.value);
          listener?.fn(key, entry.value, listener.sendOldValues ? oldValue : null, entry.timestamp);
        });
      } catch (error) {
        throw cacheFlushError(this.name, error);
      }
    }
    this.cache.flushed(entries);
  }

  private stamped(timestamp: number, write: () => void): void {
    if (this.flushContext === undefined) write();
    else this.flushContext.stamped(timestamp, write);
  }

  private *cachedRange(from: Buffer | null, to: Buffer | null, reverse: boolean): Generator<KeyValue<Buffer, Buffer | null>> {
    for (const { key, entry } of this.cache.range(from, to, reverse)) yield { key, value: entry.value };
  }
}
