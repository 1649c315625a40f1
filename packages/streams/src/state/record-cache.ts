import { BTree } from './btree.js';
import type { ThreadCache } from './thread-cache.js';

/** Kafka Streams' default `statestore.cache.max.bytes`. */
export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024;
/**
 * What an entry costs besides its key and value bytes, so that the budget bounds memory: measured on Node 20 (heap
 * used after a full GC, 200k cached counts of 8-byte keys), an entry, its index slot and its key and value Buffer
 * objects take about 315 bytes of heap, a few dozen more while it is dirty. Kafka counts only its JVM entries'
 * fields (tens of bytes); counting 64 here let a budget of 10 MiB hold over 40 MiB of heap.
 */
export const CACHE_ENTRY_OVERHEAD_BYTES = 320;

/** What the cache holds for a key, as a range read sees it. */
export interface CachedValue {
  /** null: a delete not yet flushed (or flushed, until the flush is done). */
  readonly value: Buffer | null;
  readonly dirty: boolean;
  /** The timestamp of the record that wrote a dirty entry; changelog and downstream records carry it on flush. */
  readonly timestamp: number;
}

/** A dirty entry handed to the store at a flush, in the order of last writes. */
export interface DirtyEntry {
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

/**
 * One cached key. Changed in place while no range snapshot can see it (`epoch` is the snapshot count when it was
 * made), else replaced by a copy, so that a range keeps what it saw. `older`/`newer` link the recency order.
 */
interface Entry extends CachedValue {
  readonly key: Buffer;
  value: Buffer | null;
  dirty: boolean;
  timestamp: number;
  readonly epoch: number;
  older: Entry | undefined;
  newer: Entry | undefined;
}

/**
 * The record cache of one store (Kafka Streams' NamedCache; one namespace of its ThreadCache): keys in byte order
 * for range reads, dirty keys in the order of their last write, and least-recently-used eviction once the cache
 * holds more than its budget. Evicting a dirty entry first flushes every dirty entry of the store (`onEvictDirty`),
 * as Kafka does, so that downstream sees the store's updates in the order they were made.
 *
 * The caching stores (key-value and window) own one each and decide what a key is: a key-value store's key, or a
 * window store's segment-prefixed store key. A read followed by a write of the same key buffer (every aggregation)
 * finds the entry once.
 */
export class RecordCache {
  private readonly index = new BTree<Buffer, Entry>(undefined, compareKeys);
  private oldest: Entry | undefined;
  private newest: Entry | undefined;
  /** Insertion-ordered: delete + add moves an entry to the end. */
  private readonly dirty = new Set<Entry>();
  private bytes = 0;
  private evicting = false;
  /** Range snapshots taken so far: entries made before the last one are copied, not changed, on their next write. */
  private epoch = 0;
  private lastKey: Buffer | undefined;
  private lastEntry: Entry | undefined;
  /** The entry last added to `dirty` (a Set has no last()): writing the same key twice in a row skips the move. */
  private lastDirty: Entry | undefined;

  constructor(
    /** The memory this cache shares with the other caches of its stream thread. */
    readonly memory: ThreadCache,
    /** Flushes every dirty entry (the store calls `takeDirty`); called when a dirty entry must be evicted. */
    private readonly onEvictDirty: () => void,
  ) {}

  get dirtyCount(): number {
    return this.dirty.size;
  }

  /** Bytes this cache holds, as counted against its thread's budget. */
  get sizeBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.index.size;
  }

  /** The cached entry (counts as a use), or undefined when the key is not cached. */
  get(key: Buffer): CachedValue | undefined {
    const entry = this.find(key);
    if (entry !== undefined) this.touch(entry);
    return entry;
  }

  /** A write: the entry becomes dirty and the newest in both orders. May evict (and so flush) before returning. */
  put(key: Buffer, value: Buffer | null, timestamp: number): void {
    const entry = this.write(key, value, true, timestamp);
    if (this.lastDirty !== entry) {
      this.dirty.delete(entry);
      this.dirty.add(entry);
      this.lastDirty = entry;
    }
    this.maybeEvict();
  }

  /** A value read from the store below, kept to answer the next read. May evict. */
  putClean(key: Buffer, value: Buffer): void {
    this.write(key, value, false, 0);
    this.maybeEvict();
  }

  /**
   * Entries with keys in [from, to] (null: open), ascending or descending, over a snapshot taken now: the caller may
   * write to the cache while it iterates. Reading does not count as a use, as in Kafka.
   */
  *range(from: Buffer | null, to: Buffer | null, reverse: boolean): Generator<{ key: Buffer; entry: CachedValue }> {
    const snapshot = this.index.clone();
    this.epoch++;
    const entries = reverse ? snapshot.entriesReversed(to ?? undefined) : snapshot.entries(from ?? undefined);
    for (const [key, entry] of entries) {
      if (reverse ? from !== null && compareKeys(key, from) < 0 : to !== null && compareKeys(key, to) > 0) return;
      yield { key, entry };
    }
  }

  /** The dirty entries in last-write order, now marked clean; the caller writes them below and then calls `flushed`. */
  takeDirty(): DirtyEntry[] {
    if (this.dirty.size === 0) return [];
    const out: DirtyEntry[] = [];
    for (const entry of this.dirty) {
      out.push({ key: entry.key, value: entry.value, timestamp: entry.timestamp });
      this.writable(entry).dirty = false;
    }
    this.dirty.clear();
    this.lastDirty = undefined;
    return out;
  }

  /** After a flush: deletes are in the store below now, so their tombstones leave the cache (as in Kafka). */
  flushed(entries: ReadonlyArray<DirtyEntry>): void {
    for (const { key, value } of entries) {
      if (value !== null) continue;
      const entry = this.find(key);
      // Written again while the flush forwarded: that write is still to be flushed.
      if (entry !== undefined && !entry.dirty && entry.value === null) this.remove(entry);
    }
  }

  clear(): void {
    this.index.clear();
    this.oldest = this.newest = undefined;
    this.dirty.clear();
    this.grow(-this.bytes);
    this.lastKey = this.lastEntry = this.lastDirty = undefined;
  }

  private find(key: Buffer): Entry | undefined {
    if (key === this.lastKey) return this.lastEntry;
    const entry = this.index.get(key);
    this.lastKey = key;
    this.lastEntry = entry;
    return entry;
  }

  private write(key: Buffer, value: Buffer | null, dirty: boolean, timestamp: number): Entry {
    const previous = this.find(key);
    let entry: Entry;
    if (previous === undefined) {
      entry = { key, value, dirty, timestamp, epoch: this.epoch, older: undefined, newer: undefined };
      this.index.set(key, entry);
      this.lastKey = key;
      this.lastEntry = entry;
    } else {
      this.grow(-size(previous.key, previous.value));
      entry = this.writable(previous);
      // A copy takes the original's place in the dirty order too (put() moves it to the end next).
      if (entry !== previous && this.dirty.delete(previous)) {
        this.dirty.add(entry);
        this.lastDirty = entry;
      }
      entry.value = value;
      entry.dirty = dirty;
      entry.timestamp = timestamp;
    }
    this.grow(size(key, value));
    this.touch(entry);
    return entry;
  }

  private grow(bytes: number): void {
    this.bytes += bytes;
    this.memory.adjust(bytes);
  }

  /**
   * `entry`, or a copy taking its place in the index and the recency order when a range snapshot may still see it.
   * The dirty order is the caller's to fix (a write moves the entry to its end; a flush empties it).
   */
  private writable(entry: Entry): Entry {
    if (entry.epoch === this.epoch) return entry;
    const copy: Entry = { ...entry, epoch: this.epoch };
    this.index.set(entry.key, copy, true);
    if (this.lastEntry === entry) this.lastEntry = copy;
    if (copy.older !== undefined) copy.older.newer = copy;
    else this.oldest = copy;
    if (copy.newer !== undefined) copy.newer.older = copy;
    else this.newest = copy;
    return copy;
  }

  private touch(entry: Entry): void {
    if (this.newest === entry) return;
    this.unlink(entry);
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest !== undefined) this.newest.newer = entry;
    this.newest = entry;
    this.oldest ??= entry;
  }

  private unlink(entry: Entry): void {
    if (entry.older !== undefined) entry.older.newer = entry.newer;
    else if (this.oldest === entry) this.oldest = entry.newer;
    if (entry.newer !== undefined) entry.newer.older = entry.older;
    else if (this.newest === entry) this.newest = entry.older;
    entry.older = entry.newer = undefined;
  }

  private remove(entry: Entry): void {
    this.index.delete(entry.key);
    this.unlink(entry);
    this.dirty.delete(entry);
    this.grow(-size(entry.key, entry.value));
    if (this.lastEntry === entry) this.lastKey = this.lastEntry = undefined;
    if (this.lastDirty === entry) this.lastDirty = undefined;
  }

  /**
   * Kafka's eviction: while the thread's caches together are over budget, drop this cache's least recently used
   * entry; a dirty one makes the store flush all its dirty entries first. Not re-entered from inside a flush (a
   * downstream processor reading this store).
   */
  private maybeEvict(): void {
    if (this.evicting || !this.memory.overBudget) return;
    this.evicting = true;
    try {
      while (this.memory.overBudget && this.oldest !== undefined) {
        const key = this.oldest.key;
        if (this.oldest.dirty) {
          this.onEvictDirty();
          const entry = this.find(key);
          if (entry === undefined) continue;
          // Written again by whatever the flush forwarded to: keep it, it is the newest now.
          if (entry.dirty) break;
        }
        const eldest = this.find(key);
        if (eldest !== undefined) this.remove(eldest);
      }
    } finally {
      this.evicting = false;
    }
  }
}

/**
 * Unsigned byte order, as RocksDB and LMDB order keys. A loop in JavaScript: cache keys are short and share long
 * prefixes, and each lookup compares a dozen times, where Buffer.compare's call into C++ cost more than the bytes.
 */
function compareKeys(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** A processor downstream failed on a flushed record: say which store's flush it was, as Kafka does. */
export function cacheFlushError(storeName: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`Failed to flush cache of store ${storeName}: ${reason}`, { cause: error });
}

function size(key: Buffer, value: Buffer | null): number {
  return key.length + (value?.length ?? 0) + CACHE_ENTRY_OVERHEAD_BYTES;
}
