import { writeInt64BE } from '../serde/int64.js';
import type { Cached } from './cache-merge.js';
import type { StateStore, StateStoreContext } from './store.js';
import type { ThreadCache } from './thread-cache.js';
import { WriteBackCache } from './write-back-cache.js';

/** The segment id in front of each cache key. */
const SEGMENT_PREFIX = 8;

/** What a window or session caching store wraps: the change-logging layer of a segmented store. */
interface SegmentedBytesLayer extends StateStore {
  readonly retentionMs: number;
  init(context: StateStoreContext): void;
}

/** Where `cached` reads in one segment: cache keys in [lower, upper], of which it keeps what `accept` takes. */
export interface SegmentBounds<E extends { readonly value: Buffer }> {
  readonly lower: Buffer;
  readonly upper: Buffer;
  readonly accept: (entry: Cached<E>) => boolean;
}

/**
 * What the window and session caching stores share (Kafka Streams' CachingWindowStore and CachingSessionStore,
 * over its SegmentedCacheFunction): cache keys are the store key behind the segment id of the entry's time (a
 * window's start, a session's end), so cached entries sort exactly as the segmented store returns them, and the
 * cache expires entries as the store would (by the stream time it has observed), so reads answer the same whether
 * or not the cache has flushed. Subclasses say how a store key decodes and how to read and write one below.
 */
export abstract class SegmentedCachingStore<L extends SegmentedBytesLayer, E extends { readonly storeKey: Buffer; readonly value: Buffer }> {
  protected readonly writeBack: WriteBackCache<Cached<E>>;
  /** The latest time put or restored; the store below may lag behind it (it sees writes only when flushed). */
  protected observedStreamTime = -1;

  constructor(
    readonly wrapped: L,
    private readonly segmentIntervalMs: number,
    /** The bytes behind the key in a store key. */
    private readonly suffixLength: number,
    memory: ThreadCache,
  ) {
    this.writeBack = new WriteBackCache<Cached<E>>(wrapped, memory, {
      decode: (cacheKey, value) => this.entryOf(cacheKey.subarray(SEGMENT_PREFIX), value),
      read: (entry) => this.readBelow(entry),
      write: (entry, value) => this.writeBelow(entry, value),
    });
  }

  /** The entry a store key holds. */
  protected abstract entryOf(storeKey: Buffer, value: Buffer | null): Cached<E>;
  /** The time that picks an entry's segment. */
  protected abstract timeOf(entry: Cached<E>): number;
  protected abstract readBelow(entry: Cached<E>): Buffer | null;
  protected abstract writeBelow(entry: Cached<E>, value: Buffer | null): void;

  get name(): string {
    return this.wrapped.name;
  }
  get persistent(): boolean {
    return this.wrapped.persistent;
  }
  get retentionMs(): number {
    return this.wrapped.retentionMs;
  }

  init(context: StateStoreContext): void {
    this.wrapped.init(this.writeBack.init(context));
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

  /** Whether the store would have dropped an entry of this time by now. */
  protected isExpired(time: number): boolean {
    return time <= this.observedStreamTime - this.retentionMs;
  }

  protected observe(time: number): void {
    this.observedStreamTime = Math.max(this.observedStreamTime, time);
  }

  /**
   * Caches the write; writes nothing below now. An entry already expired is not cached nor written (a store drops
   * it, nothing is logged) and goes to the listener at once, as it goes downstream without a cache.
   */
  protected cachePut(cacheKey: Buffer, time: number, value: Buffer | null): void {
    this.observe(time);
    const timestamp = this.writeBack.now();
    if (!this.isExpired(time)) {
      this.writeBack.cache.put(cacheKey, value, timestamp);
    } else if (value !== null) {
      // Not even written below: that store's stream time may lag behind (it sees writes when they are flushed).
      this.writeBack.forwardUncached(this.entryOf(cacheKey.subarray(SEGMENT_PREFIX), value), value, timestamp);
    }
  }

  /** A cache key with its segment id and `key` written; the subclass writes the `suffixLength` bytes behind. */
  protected newCacheKey(key: Buffer, time: number): Buffer {
    const out = Buffer.allocUnsafe(SEGMENT_PREFIX + key.length + this.suffixLength);
    writeInt64BE(out, this.segmentOf(time), 0);
    key.copy(out, SEGMENT_PREFIX);
    return out;
  }

  /** Where `key`'s suffix starts in a cache key. */
  protected suffixOffset(key: Buffer): number {
    return SEGMENT_PREFIX + key.length;
  }

  /** The order of the segmented store's reads: segment, then store key. */
  protected readonly bySegment = (a: Cached<E>, b: Cached<E>): number =>
    this.segmentOf(this.timeOf(a)) - this.segmentOf(this.timeOf(b)) || Buffer.compare(a.storeKey, b.storeKey);

  protected segmentOf(time: number): number {
    return Math.max(0, Math.floor(time / this.segmentIntervalMs));
  }

  /**
   * Cached entries with a time in [minTime, maxTime], segment by segment (only segments the cache can hold: no
   * entry's time is after the observed stream time), each segment's keys as `bounds` says.
   */
  protected *cached(minTime: number, maxTime: number, reverse: boolean, bounds: (segment: number) => SegmentBounds<E>): Generator<Cached<E>> {
    if (this.writeBack.cache.size === 0 || this.observedStreamTime < minTime) return;
    const first = this.segmentOf(minTime);
    const last = this.segmentOf(Math.min(maxTime, this.observedStreamTime));
    for (let i = 0; i <= last - first; i++) {
      const segment = reverse ? last - i : first + i;
      const { lower, upper, accept } = bounds(segment);
      for (const { key: cacheKey, entry } of this.writeBack.cache.range(lower, upper, reverse)) {
        const storeKey = cacheKey.subarray(SEGMENT_PREFIX);
        if (storeKey.length < this.suffixLength) continue;
        const cached = this.entryOf(storeKey, entry.value);
        const time = this.timeOf(cached);
        if (time >= minTime && time <= maxTime && accept(cached)) yield cached;
      }
    }
  }
}

/** A cache key bound: `bound` (a store key or a bound of one) behind the segment id. */
export function segmentBound(segment: number, bound: Buffer): Buffer {
  const out = Buffer.allocUnsafe(SEGMENT_PREFIX + bound.length);
  writeInt64BE(out, segment, 0);
  bound.copy(out, SEGMENT_PREFIX);
  return out;
}
