import { writeInt64BE } from '../serde/int64.js';
import { CacheFlushContext } from './cache-flush-context.js';
import { cacheFlushError, DEFAULT_CACHE_MAX_BYTES, RecordCache } from './record-cache.js';
import type { StateStoreContext } from './store.js';
import type { WindowBytesEntry, WindowBytesLayer } from './window-bytes-layer.js';
import { keyUpperBound, WINDOW_SUFFIX, windowKeyOf, windowLowerBound, windowStartOf, windowUpperBound } from './window-key-schema.js';
import { mergeCached, type Cached } from './cache-merge.js';

export type WindowFlushListener = (key: Buffer, windowStart: number, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void;

const SEGMENT_PREFIX = 8;

/**
 * A write-back cache over a window store's change-logging layer (Kafka Streams' CachingWindowStore): updates of one
 * (key, window) are coalesced, and only the latest reaches the changelog and the flush listener (with the old value
 * from the store below) when the store is flushed at commit or a dirty entry is evicted. Reads merge the cache over
 * the store. Cache keys are the store key behind its segment id (Kafka's SegmentedCacheFunction), so cached windows
 * sort exactly as the segmented store returns them.
 *
 * Windows that the store would treat as expired (started at or before observed stream time - retention) are not
 * returned from the cache either, so reads answer the same whether or not the cache has flushed.
 */
export class CachingWindowBytesStore implements WindowBytesLayer {
  private readonly cache: RecordCache;
  private listener: { fn: WindowFlushListener; sendOldValues: boolean } | undefined;
  private flushContext: CacheFlushContext | undefined;
  private observedStreamTime = -1;
  /** A windowed aggregation reads a window and then writes it: the second cache key is the first's. */
  private lastCacheKey: { key: Buffer; windowStart: number; cacheKey: Buffer } | undefined;

  constructor(
    readonly wrapped: WindowBytesLayer,
    private readonly segmentIntervalMs: number,
    maxBytes: number = DEFAULT_CACHE_MAX_BYTES,
  ) {
    this.cache = new RecordCache(maxBytes, () => this.flushDirty());
  }

  get name(): string {
    return this.wrapped.name;
  }
  get persistent(): boolean {
    return this.wrapped.persistent;
  }
  get retentionMs(): number {
    return this.wrapped.retentionMs;
  }
  get windowSizeMs(): number {
    return this.wrapped.windowSizeMs;
  }

  setFlushListener(listener: WindowFlushListener, sendOldValues: boolean): void {
    this.listener = { fn: listener, sendOldValues };
  }

  init(context: StateStoreContext): void {
    this.flushContext = new CacheFlushContext(context);
    this.wrapped.init(this.flushContext.inner);
  }

  /**
   * Caches the write; writes nothing below now. A window already expired is not cached nor written (a store drops
   * it, nothing is logged) and goes to the listener at once, as it goes downstream without a cache.
   */
  put(key: Buffer, value: Buffer | null, windowStart: number): Buffer | null {
    this.observedStreamTime = Math.max(this.observedStreamTime, windowStart);
    const timestamp = this.flushContext?.now() ?? Date.now();
    if (windowStart > this.observedStreamTime - this.retentionMs) {
      this.cache.put(this.cacheKey(key, windowStart), value, timestamp);
    } else if (value !== null) {
      // Not even written below: that store's stream time may lag behind (it sees writes when they are flushed).
      this.listener?.fn(key, windowStart, value, null, timestamp);
    }
    return null;
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.observedStreamTime = Math.max(this.observedStreamTime, windowStartOf(storeKey));
    this.wrapped.restore(storeKey, value);
  }

  fetch(key: Buffer, windowStart: number): Buffer | null {
    if (windowStart <= this.observedStreamTime - this.retentionMs) return null;
    const entry = this.cache.get(this.cacheKey(key, windowStart));
    return entry !== undefined ? entry.value : this.wrapped.fetch(key, windowStart);
  }

  fetchRange(key: Buffer, timeFrom: number, timeTo: number, reverse: boolean): Iterable<WindowBytesEntry> {
    const from = Math.max(timeFrom, 0, this.observedStreamTime - this.retentionMs + 1);
    if (from > timeTo) return [];
    const cached = this.cached(from, timeTo, reverse, (segment) => ({
      lower: prefixed(segment, windowLowerBound(key, from)),
      upper: prefixed(segment, windowUpperBound(key, timeTo)),
      accept: (entry) => entry.key.equals(key),
    }));
    return mergeCached(cached, this.wrapped.fetchRange(key, from, timeTo, reverse), this.bySegment, reverse);
  }

  fetchKeyRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, reverse: boolean): Iterable<WindowBytesEntry> {
    if (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0) return [];
    const from = Math.max(timeFrom, 0, this.observedStreamTime - this.retentionMs + 1);
    if (from > timeTo) return [];
    const cached = this.cached(from, timeTo, reverse, (segment) => ({
      lower: prefixed(segment, keyFrom ?? Buffer.alloc(0)),
      // No key of this segment sorts after the next segment's bare prefix.
      upper: keyTo === null ? prefixed(segment + 1, Buffer.alloc(0)) : prefixed(segment, keyUpperBound(keyTo, WINDOW_SUFFIX)),
      accept: (entry) => (keyFrom === null || Buffer.compare(entry.key, keyFrom) >= 0) && (keyTo === null || Buffer.compare(entry.key, keyTo) <= 0),
    }));
    return mergeCached(cached, this.wrapped.fetchKeyRange(keyFrom, keyTo, from, timeTo, reverse), this.bySegment, reverse);
  }

  /** One less at the lower edge than the other reads, as the store's (see WindowBytesStore.fetchAllByTime). */
  fetchAllByTime(timeFrom: number, timeTo: number): Iterable<WindowBytesEntry> {
    const from = Math.max(timeFrom, 0, this.observedStreamTime - this.retentionMs);
    if (from > timeTo) return [];
    const cached = [
      ...this.cached(from, timeTo, false, (segment) => ({
        lower: prefixed(segment, Buffer.alloc(0)),
        upper: prefixed(segment + 1, Buffer.alloc(0)),
        accept: () => true,
      })),
    ].sort(byStartThenKey);
    return mergeCached(cached, this.wrapped.fetchAllByTime(from, timeTo), byStartThenKey, false);
  }

  all(): Iterable<WindowBytesEntry> {
    return this.fetchKeyRange(null, null, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, false);
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

  private readonly bySegment = (a: Cached<WindowBytesEntry>, b: Cached<WindowBytesEntry>): number =>
    this.segmentOf(a.windowStart) - this.segmentOf(b.windowStart) || Buffer.compare(a.storeKey, b.storeKey);

  private segmentOf(windowStart: number): number {
    return Math.max(0, Math.floor(windowStart / this.segmentIntervalMs));
  }

  /**
   * Cached windows starting in [from, to], segment by segment (only segments the cache can hold: none starts after
   * the observed stream time), each segment's keys in [lower, upper] that `accept` takes.
   */
  private *cached(
    from: number,
    to: number,
    reverse: boolean,
    bounds: (segment: number) => { lower: Buffer; upper: Buffer; accept: (entry: Cached<WindowBytesEntry>) => boolean },
  ): Generator<Cached<WindowBytesEntry>> {
    const first = this.segmentOf(from);
    const last = this.segmentOf(Math.min(to, this.observedStreamTime));
    if (this.cache.size === 0 || this.observedStreamTime < from) return;
    for (let i = 0; i <= last - first; i++) {
      const segment = reverse ? last - i : first + i;
      const { lower, upper, accept } = bounds(segment);
      for (const { key: cacheKey, entry } of this.cache.range(lower, upper, reverse)) {
        const storeKey = cacheKey.subarray(SEGMENT_PREFIX);
        if (storeKey.length < WINDOW_SUFFIX) continue;
        const window: Cached<WindowBytesEntry> = { key: windowKeyOf(storeKey), windowStart: windowStartOf(storeKey), storeKey, value: entry.value };
        if (window.windowStart >= from && window.windowStart <= to && accept(window)) yield window;
      }
    }
  }

  private cacheKey(key: Buffer, windowStart: number): Buffer {
    const last = this.lastCacheKey;
    if (last !== undefined && last.key === key && last.windowStart === windowStart) return last.cacheKey;
    // The store key behind its segment id, in one buffer: `segment + key + start + seqnum 0`.
    const cacheKey = Buffer.allocUnsafe(SEGMENT_PREFIX + key.length + WINDOW_SUFFIX);
    writeInt64BE(cacheKey, this.segmentOf(windowStart), 0);
    key.copy(cacheKey, SEGMENT_PREFIX);
    writeInt64BE(cacheKey, windowStart, SEGMENT_PREFIX + key.length);
    cacheKey.writeInt32BE(0, SEGMENT_PREFIX + key.length + 8);
    this.lastCacheKey = { key, windowStart, cacheKey };
    return cacheKey;
  }

  private flushDirty(): void {
    const entries = this.cache.takeDirty();
    if (entries.length === 0) return;
    const listener = this.listener;
    for (const entry of entries) {
      const storeKey = entry.key.subarray(SEGMENT_PREFIX);
      const key = windowKeyOf(storeKey);
      const windowStart = windowStartOf(storeKey);
      const oldValue = listener === undefined || (entry.value !== null && !listener.sendOldValues) ? null : this.wrapped.fetch(key, windowStart);
      // Deleting a window the store never had: nothing to write or forward (Kafka's same optimisation).
      if (entry.value === null && oldValue === null && listener !== undefined) continue;
      const write = (): void => {
        this.wrapped.put(key, entry.value, windowStart);
        listener?.fn(key, windowStart, entry.value, listener.sendOldValues ? oldValue : null, entry.timestamp);
      };
      try {
        if (this.flushContext === undefined) write();
        else this.flushContext.stamped(entry.timestamp, write);
      } catch (error) {
        throw cacheFlushError(this.name, error);
      }
    }
    this.cache.flushed(entries);
  }
}

function prefixed(segment: number, storeKeyOrBound: Buffer): Buffer {
  const out = Buffer.allocUnsafe(SEGMENT_PREFIX + storeKeyOrBound.length);
  writeInt64BE(out, segment, 0);
  storeKeyOrBound.copy(out, SEGMENT_PREFIX);
  return out;
}

/** The order of `fetchAllByTime`: start, then key bytes. */
function byStartThenKey(a: Cached<WindowBytesEntry>, b: Cached<WindowBytesEntry>): number {
  return a.windowStart - b.windowStart || Buffer.compare(a.key, b.key);
}
