import type { KeyValue } from '../api/record.js';
import { BTree } from './btree.js';
import { compareBytes, isInvertedRange, mergeOverlay } from './bytes.js';
import type { KeyValueBytesStore, WrappingStore } from './key-value-bytes-store.js';
import { KeyValueBytesStoreBase } from './key-value-bytes-store-base.js';
import { recordTimestamp } from './record-timestamp.js';
import type { StateStoreContext } from './store.js';

export type BytesFlushListener = (key: Buffer, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void;

interface CacheEntry {
  readonly value: Buffer | null;
  readonly dirty: boolean;
  /** The timestamp of the record that wrote a dirty entry; changelog and downstream records carry it on flush. */
  readonly timestamp: number;
}

/** Kafka Streams' default `statestore.cache.max.bytes`. */
export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024;
const ENTRY_OVERHEAD_BYTES = 64;

/**
 * A write-back cache over the change-logging layer (Kafka Streams' CachingKeyValueStore): consecutive updates of a
 * key are compacted, and only the latest reaches the changelog and the flush listener when the store is flushed (at
 * commit) or the cache outgrows its budget. Dirty keys flush in the order of their last write, as in Kafka.
 */
export class CachingKeyValueBytesStore extends KeyValueBytesStoreBase implements WrappingStore {
  private cache = new BTree<Buffer, CacheEntry>(undefined, compareBytes);
  /** Dirty keys in last-write order; the string form (latin1 keeps every byte) makes them Map keys. */
  private dirty = new Map<string, Buffer>();
  private bytes = 0;
  private listener: { fn: BytesFlushListener; sendOldValues: boolean } | undefined;
  private context: StateStoreContext | undefined;
  /** While flushing, the wrapped layers must stamp changes with the entry's timestamp, not the current record's. */
  private timestampOverride: number | undefined;

  constructor(
    readonly wrapped: KeyValueBytesStore,
    private readonly maxBytes: number = DEFAULT_CACHE_MAX_BYTES,
  ) {
    super();
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
    this.context = context;
    const inner: StateStoreContext = {
      applicationId: context.applicationId,
      taskId: context.taskId,
      taskDir: context.taskDir,
      logChange: (storeName, key, value, timestamp) => context.logChange(storeName, key, value, timestamp),
      register: (store, restore) => context.register(store, restore),
      currentTimestamp: () => this.timestampOverride ?? recordTimestamp(context),
      ...(context.registerSync === undefined ? {} : { registerSync: context.registerSync.bind(context) }),
    };
    this.wrapped.init(inner);
  }

  get(key: Buffer): Buffer | null {
    const entry = this.cache.get(key);
    if (entry !== undefined) return entry.value;
    const value = this.wrapped.get(key);
    if (value !== null) this.store(key, { value, dirty: false, timestamp: 0 });
    return value;
  }

  put(key: Buffer, value: Buffer | null): void {
    const timestamp = this.context === undefined ? Date.now() : recordTimestamp(this.context);
    this.store(key, { value, dirty: true, timestamp });
    const id = key.toString('latin1');
    this.dirty.delete(id);
    this.dirty.set(id, key);
    if (this.bytes > this.maxBytes) this.evict();
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
    return this.wrapped.approximateNumEntries() + this.dirty.size;
  }

  flush(): void {
    this.flushDirty();
    this.wrapped.flush();
  }

  close(): void {
    this.flushDirty();
    this.cache.clear();
    this.bytes = 0;
    this.wrapped.close();
  }

  isOpen(): boolean {
    return this.wrapped.isOpen();
  }

  private store(key: Buffer, entry: CacheEntry): void {
    const previous = this.cache.get(key);
    if (previous !== undefined) this.bytes -= size(key, previous);
    this.cache.set(key, entry, true);
    this.bytes += size(key, entry);
  }

  private evict(): void {
    this.flushDirty();
    this.cache.clear();
    this.bytes = 0;
  }

  private flushDirty(): void {
    if (this.dirty.size === 0) return;
    const keys = [...this.dirty.values()];
    this.dirty.clear();
    for (const key of keys) {
      const entry = this.cache.get(key);
      if (entry === undefined || !entry.dirty) continue;
      this.store(key, { ...entry, dirty: false });
      const listener = this.listener;
      const oldValue = listener === undefined || (entry.value !== null && !listener.sendOldValues) ? null : this.wrapped.get(key);
      // Deleting a key the store never had: nothing to write or forward (Kafka's same optimisation).
      if (entry.value === null && oldValue === null && listener !== undefined) continue;
      this.timestampOverride = entry.timestamp;
      try {
        this.wrapped.put(key, entry.value);
        listener?.fn(key, entry.value, listener.sendOldValues ? oldValue : null, entry.timestamp);
      } catch (error) {
        // A processor downstream failed on a flushed record: say which store's flush it was, as Kafka does.
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`Failed to flush cache of store ${this.name}: ${reason}`, { cause: error });
      } finally {
        this.timestampOverride = undefined;
      }
    }
  }

  private *cachedRange(from: Buffer | null, to: Buffer | null, reverse: boolean): Generator<KeyValue<Buffer, Buffer | null>> {
    const snapshot = this.cache.clone();
    const entries = reverse ? snapshot.entriesReversed(to ?? undefined) : snapshot.entries(from ?? undefined);
    for (const [key, entry] of entries) {
      if (reverse ? from !== null && Buffer.compare(key, from) < 0 : to !== null && Buffer.compare(key, to) > 0) return;
      yield { key, value: entry.value };
    }
  }
}

function size(key: Buffer, entry: CacheEntry): number {
  return key.length + (entry.value?.length ?? 0) + ENTRY_OVERHEAD_BYTES;
}
