import { writeInt64BE } from '../serde/int64.js';
import { isInvertedRange } from './bytes.js';
import { mergeCached, type Cached } from './cache-merge.js';
import { DEFAULT_CACHE_MAX_BYTES } from './record-cache.js';
import { ThreadCache } from './thread-cache.js';
import { segmentBound, SegmentedCachingStore } from './segmented-caching-store.js';
import type { WindowBytesEntry, WindowBytesLayer } from './window-bytes-layer.js';
import { keyUpperBound, WINDOW_SUFFIX, windowKeyOf, windowLowerBound, windowStartOf, windowUpperBound } from './window-key-schema.js';

export type WindowFlushListener = (key: Buffer, windowStart: number, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void;

const EMPTY = Buffer.alloc(0);

/**
 * A write-back cache over a window store's change-logging layer (Kafka Streams' CachingWindowStore): updates of one
 * (key, window) are coalesced, and only the latest reaches the changelog and the flush listener (with the old value
 * from the store below) when the store is flushed at commit or a dirty entry is evicted. Reads merge the cache over
 * the store. Cache keys are the store key (`key + start + seqnum 0`) behind the segment id of the window's start.
 *
 * Windows that the store would treat as expired (started at or before observed stream time - retention) are not
 * returned from the cache either, so reads answer the same whether or not the cache has flushed.
 */
export class CachingWindowBytesStore extends SegmentedCachingStore<WindowBytesLayer, WindowBytesEntry> implements WindowBytesLayer {
  /** A windowed aggregation reads a window and then writes it: the second cache key is the first's. */
  private lastCacheKey: { key: Buffer; windowStart: number; cacheKey: Buffer } | undefined;

  constructor(wrapped: WindowBytesLayer, segmentIntervalMs: number, memory: ThreadCache = new ThreadCache(DEFAULT_CACHE_MAX_BYTES)) {
    super(wrapped, segmentIntervalMs, WINDOW_SUFFIX, memory);
  }

  get windowSizeMs(): number {
    return this.wrapped.windowSizeMs;
  }

  setFlushListener(listener: WindowFlushListener, sendOldValues: boolean): void {
    this.writeBack.setListener((window, newValue, oldValue, timestamp) => listener(window.key, window.windowStart, newValue, oldValue, timestamp), sendOldValues);
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): Buffer | null {
    this.cachePut(this.cacheKey(key, windowStart), windowStart, value);
    return null;
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.observe(windowStartOf(storeKey));
    this.wrapped.restore(storeKey, value);
  }

  fetch(key: Buffer, windowStart: number): Buffer | null {
    if (this.isExpired(windowStart)) return null;
    const entry = this.writeBack.cache.get(this.cacheKey(key, windowStart));
    return entry !== undefined ? entry.value : this.wrapped.fetch(key, windowStart);
  }

  fetchRange(key: Buffer, timeFrom: number, timeTo: number, reverse: boolean): Iterable<WindowBytesEntry> {
    const from = Math.max(timeFrom, 0, this.observedStreamTime - this.retentionMs + 1);
    if (from > timeTo) return [];
    const cached = this.cached(from, timeTo, reverse, (segment) => ({
      lower: segmentBound(segment, windowLowerBound(key, from)),
      upper: segmentBound(segment, windowUpperBound(key, timeTo)),
      accept: (entry) => entry.key.equals(key),
    }));
    return mergeCached(cached, this.wrapped.fetchRange(key, from, timeTo, reverse), this.bySegment, reverse);
  }

  fetchKeyRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, reverse: boolean): Iterable<WindowBytesEntry> {
    if (isInvertedRange(keyFrom, keyTo)) return [];
    const from = Math.max(timeFrom, 0, this.observedStreamTime - this.retentionMs + 1);
    if (from > timeTo) return [];
    const cached = this.cached(from, timeTo, reverse, (segment) => ({
      lower: segmentBound(segment, keyFrom ?? EMPTY),
      // No key of this segment sorts after the next segment's bare prefix.
      upper: keyTo === null ? segmentBound(segment + 1, EMPTY) : segmentBound(segment, keyUpperBound(keyTo, WINDOW_SUFFIX)),
      accept: (entry) => (keyFrom === null || Buffer.compare(entry.key, keyFrom) >= 0) && (keyTo === null || Buffer.compare(entry.key, keyTo) <= 0),
    }));
    return mergeCached(cached, this.wrapped.fetchKeyRange(keyFrom, keyTo, from, timeTo, reverse), this.bySegment, reverse);
  }

  /** One less at the lower edge than the other reads, as the store's (see WindowBytesStore.fetchAllByTime). */
  fetchAllByTime(timeFrom: number, timeTo: number): Iterable<WindowBytesEntry> {
    const from = Math.max(timeFrom, 0, this.observedStreamTime - this.retentionMs);
    if (from > timeTo) return [];
    const cached = [
      ...this.cached(from, timeTo, false, (segment) => ({ lower: segmentBound(segment, EMPTY), upper: segmentBound(segment + 1, EMPTY), accept: () => true })),
    ].sort(byStartThenKey);
    return mergeCached(cached, this.wrapped.fetchAllByTime(from, timeTo), byStartThenKey, false);
  }

  all(): Iterable<WindowBytesEntry> {
    return this.fetchKeyRange(null, null, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, false);
  }

  protected entryOf(storeKey: Buffer, value: Buffer | null): Cached<WindowBytesEntry> {
    return { key: windowKeyOf(storeKey), windowStart: windowStartOf(storeKey), storeKey, value };
  }

  protected timeOf(window: Cached<WindowBytesEntry>): number {
    return window.windowStart;
  }

  protected readBelow(window: Cached<WindowBytesEntry>): Buffer | null {
    return this.wrapped.fetch(window.key, window.windowStart);
  }

  protected writeBelow(window: Cached<WindowBytesEntry>, value: Buffer | null): void {
    this.wrapped.put(window.key, value, window.windowStart);
  }

  private cacheKey(key: Buffer, windowStart: number): Buffer {
    const last = this.lastCacheKey;
    if (last !== undefined && last.key === key && last.windowStart === windowStart) return last.cacheKey;
    const cacheKey = this.newCacheKey(key, windowStart);
    const suffix = this.suffixOffset(key);
    writeInt64BE(cacheKey, windowStart, suffix);
    cacheKey.writeInt32BE(0, suffix + 8);
    this.lastCacheKey = { key, windowStart, cacheKey };
    return cacheKey;
  }
}

/** The order of `fetchAllByTime`: start, then key bytes. */
function byStartThenKey(a: Cached<WindowBytesEntry>, b: Cached<WindowBytesEntry>): number {
  return a.windowStart - b.windowStart || Buffer.compare(a.key, b.key);
}
