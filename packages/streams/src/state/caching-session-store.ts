import { writeInt64BE } from '../serde/int64.js';
import { isInvertedRange } from './bytes.js';
import { mergeCached, type Cached } from './cache-merge.js';
import { DEFAULT_CACHE_MAX_BYTES } from './record-cache.js';
import { ThreadCache } from './thread-cache.js';
import { segmentBound, SegmentedCachingStore } from './segmented-caching-store.js';
import type { SessionBytesEntry, SessionBytesLayer } from './session-bytes-layer.js';
import { keyUpperBound, SESSION_SUFFIX, sessionEndOf, sessionKeyOf, sessionStartOf } from './window-key-schema.js';

export type SessionFlushListener = (key: Buffer, start: number, end: number, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void;

const EMPTY = Buffer.alloc(0);

/**
 * A write-back cache over a session store's change-logging layer (Kafka Streams' CachingSessionStore): updates of a
 * session are coalesced, and only the latest reaches the changelog and the flush listener (with the old value from
 * the store below) at commit or eviction. A session created and merged away between two flushes never reaches
 * either. Reads merge the cache over the store; cache keys are the store key (`key + end + start`) behind the
 * segment id of the session's end, so they sort as the segmented store returns sessions.
 */
export class CachingSessionBytesStore extends SegmentedCachingStore<SessionBytesLayer, SessionBytesEntry> implements SessionBytesLayer {
  constructor(wrapped: SessionBytesLayer, segmentIntervalMs: number, memory: ThreadCache = new ThreadCache(DEFAULT_CACHE_MAX_BYTES)) {
    super(wrapped, segmentIntervalMs, SESSION_SUFFIX, memory);
  }

  setFlushListener(listener: SessionFlushListener, sendOldValues: boolean): void {
    this.writeBack.setListener((session, newValue, oldValue, timestamp) => listener(session.key, session.start, session.end, newValue, oldValue, timestamp), sendOldValues);
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null): Buffer | null {
    this.cachePut(this.cacheKey(key, start, end), end, value);
    return null;
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.observe(sessionEndOf(storeKey));
    this.wrapped.restore(storeKey, value);
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | null {
    if (this.isExpired(end)) return null;
    const entry = this.writeBack.cache.get(this.cacheKey(key, start, end));
    return entry !== undefined ? entry.value : this.wrapped.fetchSession(key, start, end);
  }

  findSessions(keyFrom: Buffer | null, keyTo: Buffer | null, earliestSessionEnd: number, latestSessionStart: number, reverse: boolean): Iterable<SessionBytesEntry> {
    if (isInvertedRange(keyFrom, keyTo)) return [];
    const minEnd = Math.max(earliestSessionEnd, this.observedStreamTime - this.retentionMs + 1);
    const cached = this.cached(minEnd, Number.MAX_SAFE_INTEGER, reverse, (segment) => ({
      lower: segmentBound(segment, keyFrom ?? EMPTY),
      // No key of this segment sorts after the next segment's bare prefix.
      upper: keyTo === null ? segmentBound(segment + 1, EMPTY) : segmentBound(segment, keyUpperBound(keyTo, SESSION_SUFFIX)),
      accept: (session) =>
        session.start <= latestSessionStart &&
        (keyFrom === null || Buffer.compare(session.key, keyFrom) >= 0) &&
        (keyTo === null || Buffer.compare(session.key, keyTo) <= 0),
    }));
    return mergeCached(cached, this.wrapped.findSessions(keyFrom, keyTo, minEnd, latestSessionStart, reverse), this.bySegment, reverse);
  }

  /**
   * As the store's: sessions still held, even past retention (emit-on-window-close reads them once closed), that is
   * in segments the store keeps at this observed stream time. The store below may lag (it sees writes only when
   * they are flushed), so its answer is held to the same segments.
   */
  *findSessionsByEnd(earliestEnd: number, latestEnd: number): Generator<SessionBytesEntry> {
    if (earliestEnd > latestEnd) return;
    const minLiveSegment = this.segmentOf(this.observedStreamTime - this.retentionMs + 1);
    const live = (session: Cached<SessionBytesEntry>): boolean => this.segmentOf(session.end) >= minLiveSegment;
    const cached = [
      ...this.cached(earliestEnd, latestEnd, false, (segment) => ({ lower: segmentBound(segment, EMPTY), upper: segmentBound(segment + 1, EMPTY), accept: live })),
    ].sort(byEndKeyStart);
    for (const session of mergeCached(cached, this.wrapped.findSessionsByEnd(earliestEnd, latestEnd), byEndKeyStart, false)) {
      if (live(session)) yield session;
    }
  }

  protected entryOf(storeKey: Buffer, value: Buffer | null): Cached<SessionBytesEntry> {
    return { key: sessionKeyOf(storeKey), start: sessionStartOf(storeKey), end: sessionEndOf(storeKey), storeKey, value };
  }

  protected timeOf(session: Cached<SessionBytesEntry>): number {
    return session.end;
  }

  protected readBelow(session: Cached<SessionBytesEntry>): Buffer | null {
    return this.wrapped.fetchSession(session.key, session.start, session.end);
  }

  protected writeBelow(session: Cached<SessionBytesEntry>, value: Buffer | null): void {
    this.wrapped.put(session.key, session.start, session.end, value);
  }

  /** `segment + key + end + start`, in one buffer. */
  private cacheKey(key: Buffer, start: number, end: number): Buffer {
    const out = this.newCacheKey(key, end);
    const suffix = this.suffixOffset(key);
    writeInt64BE(out, end, suffix);
    writeInt64BE(out, start, suffix + 8);
    return out;
  }
}

/** The order of `findSessionsByEnd`: end, then key bytes, then start. */
function byEndKeyStart(a: Cached<SessionBytesEntry>, b: Cached<SessionBytesEntry>): number {
  return a.end - b.end || Buffer.compare(a.key, b.key) || a.start - b.start;
}
