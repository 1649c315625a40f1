import { BTree } from './btree.js';
import { compareBytes } from './bytes.js';

/** Kafka Streams' default `statestore.cache.max.bytes`. */
export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024;
const ENTRY_OVERHEAD_BYTES = 64;

/** A key's identity in the recency and dirty orders: one per cached key, kept across its writes. */
interface Slot {
  readonly key: Buffer;
}

/** What the cache holds for a key. Replaced, never changed, on each write: a range's snapshot keeps what it saw. */
export interface CachedValue {
  /** null: a delete not yet flushed (or flushed, until the flush is done). */
  readonly value: Buffer | null;
  readonly dirty: boolean;
  /** The timestamp of the record that wrote a dirty entry; changelog and downstream records carry it on flush. */
  readonly timestamp: number;
  readonly slot: Slot;
}

/** A dirty entry handed to the store at a flush, in the order of last writes. */
export interface DirtyEntry {
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

/**
 * The record cache of one store (Kafka Streams' NamedCache; one namespace of its ThreadCache): keys in byte order
 * for range reads, dirty keys in the order of their last write, and least-recently-used eviction once the cache
 * holds more than its budget. Evicting a dirty entry first flushes every dirty entry of the store (`onEvictDirty`),
 * as Kafka does, so that downstream sees the store's updates in the order they were made.
 *
 * The caching stores (key-value and window) own one each and decide what a key is: a key-value store's key, or a
 * window store's segment-prefixed store key.
 */
export class RecordCache {
  private readonly index = new BTree<Buffer, CachedValue>(undefined, compareBytes);
  /** Least recently used first: a Set keeps insertion order, and delete + add moves a slot to the end. */
  private readonly recency = new Set<Slot>();
  private readonly dirty = new Set<Slot>();
  private bytes = 0;
  private evicting = false;

  constructor(
    readonly maxBytes: number,
    /** Flushes every dirty entry (the store calls `takeDirty`); called when a dirty entry must be evicted. */
    private readonly onEvictDirty: () => void,
  ) {}

  get dirtyCount(): number {
    return this.dirty.size;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.index.size;
  }

  /** The cached entry (counts as a use), or undefined when the key is not cached. */
  get(key: Buffer): CachedValue | undefined {
    const entry = this.index.get(key);
    if (entry !== undefined) this.touch(entry.slot);
    return entry;
  }

  /** A write: the entry becomes dirty and the newest in both orders. May evict (and so flush) before returning. */
  put(key: Buffer, value: Buffer | null, timestamp: number): void {
    const slot = this.write(key, value, true, timestamp);
    this.dirty.delete(slot);
    this.dirty.add(slot);
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
    const entries = reverse ? snapshot.entriesReversed(to ?? undefined) : snapshot.entries(from ?? undefined);
    for (const [key, entry] of entries) {
      if (reverse ? from !== null && compareBytes(key, from) < 0 : to !== null && compareBytes(key, to) > 0) return;
      yield { key, entry };
    }
  }

  /** The dirty entries in last-write order, now marked clean; the caller writes them below and then calls `flushed`. */
  takeDirty(): DirtyEntry[] {
    if (this.dirty.size === 0) return [];
    const out: DirtyEntry[] = [];
    for (const slot of this.dirty) {
      const entry = this.index.get(slot.key);
      if (entry === undefined) continue;
      out.push({ key: slot.key, value: entry.value, timestamp: entry.timestamp });
      this.index.set(slot.key, { ...entry, dirty: false }, true);
    }
    this.dirty.clear();
    return out;
  }

  /** After a flush: deletes are in the store below now, so their tombstones leave the cache (as in Kafka). */
  flushed(entries: ReadonlyArray<DirtyEntry>): void {
    for (const { key, value } of entries) {
      if (value !== null) continue;
      const entry = this.index.get(key);
      // Written again while the flush forwarded: that write is still to be flushed.
      if (entry !== undefined && !entry.dirty && entry.value === null) this.remove(key, entry);
    }
  }

  clear(): void {
    this.index.clear();
    this.recency.clear();
    this.dirty.clear();
    this.bytes = 0;
  }

  private write(key: Buffer, value: Buffer | null, dirty: boolean, timestamp: number): Slot {
    const previous = this.index.get(key);
    const slot = previous?.slot ?? { key };
    if (previous !== undefined) this.bytes -= size(key, previous.value);
    this.index.set(key, { value, dirty, timestamp, slot }, true);
    this.bytes += size(key, value);
    this.touch(slot);
    return slot;
  }

  private touch(slot: Slot): void {
    this.recency.delete(slot);
    this.recency.add(slot);
  }

  private remove(key: Buffer, entry: CachedValue): void {
    this.index.delete(key);
    this.recency.delete(entry.slot);
    this.dirty.delete(entry.slot);
    this.bytes -= size(key, entry.value);
  }

  /**
   * Kafka's eviction: drop the least recently used entry while over budget; a dirty one makes the store flush all
   * its dirty entries first. Not re-entered from inside a flush (a downstream processor reading this store).
   */
  private maybeEvict(): void {
    if (this.evicting || this.bytes <= this.maxBytes) return;
    this.evicting = true;
    try {
      while (this.bytes > this.maxBytes) {
        const eldest = this.recency.values().next();
        if (eldest.done === true) break;
        const key = eldest.value.key;
        let entry = this.index.get(key);
        if (entry?.dirty === true) {
          this.onEvictDirty();
          entry = this.index.get(key);
          // Written again by whatever the flush forwarded to: keep it, it is the newest now.
          if (entry?.dirty === true) break;
        }
        if (entry === undefined) this.recency.delete(eldest.value);
        else this.remove(key, entry);
      }
    } finally {
      this.evicting = false;
    }
  }
}

/** A processor downstream failed on a flushed record: say which store's flush it was, as Kafka does. */
export function cacheFlushError(storeName: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`Failed to flush cache of store ${storeName}: ${reason}`, { cause: error });
}

function size(key: Buffer, value: Buffer | null): number {
  return key.length + (value?.length ?? 0) + ENTRY_OVERHEAD_BYTES;
}
