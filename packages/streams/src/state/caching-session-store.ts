import { writeInt64BE } from '../serde/int64.js';
import { CacheFlushContext } from './cache-flush-context.js';
import { mergeCached, type Cached } from './cache-merge.js';
import { cacheFlushError, DEFAULT_CACHE_MAX_BYTES, RecordCache } from './record-cache.js';
import type { SessionBytesEntry, SessionBytesLayer } from './session-bytes-layer.js';
import type { StateStoreContext } from './store.js';
import { keyUpperBound, SESSION_SUFFIX, sessionEndOf, sessionKeyOf, sessionStartOf } from './window-key-schema.js';

export type SessionFlushListener = (key: Buffer, start: number, end: number, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void;

const SEGMENT_PREFIX = 8;
const EMPTY = Buffer.alloc(0);

/**
 * A write-back cache over a session store's change-logging layer (Kafka Streams' CachingSessionStore): updates of a
 * session are coalesced, and only the latest reaches the changelog and the flush listener (with the old value from
 * the store below) at commit or eviction. A session created and merged away between two flushes never reaches
 * either. Reads merge the cache over the store; cache keys are the store key (`key + end + start`) behind the
 * segment id of the session's end, so they sort as the segmented store returns sessions.
 */
export class CachingSessionBytesStore implements SessionBytesLayer {
  private readonly cache: RecordCache;
  private listener: { fn: SessionFlushListener; sendOldValues: boolean } | undefined;
  private flushContext: CacheFlushContext | undefined;
  private observedStreamTime = -1;

  constructor(
    readonly wrapped: SessionBytesLayer,
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

  setFlushListener(listener: SessionFlushListener, sendOldValues: boolean): void {
    this.listener = { fn: listener, sendOldValues };
  }

  init(context: StateStoreContext): void {
    this.flushContext = new CacheFlushContext(context);
    this.wrapped.init(this.flushContext.inner);
  }

  /**
   * Caches the write; writes nothing below now. A session already expired is not cached nor written (a store drops
   * it, nothing is logged) and goes to the listener at once, as it goes downstream without a cache.
   */
  put(key: Buffer, start: number, end: number, value: Buffer | null): Buffer | null {
    this.observedStreamTime = Math.max(this.observedStreamTime, end);
    const timestamp = this.flushContext?.now() ?? Date.now();
    if (end > this.observedStreamTime - this.retentionMs) {
      this.cache.put(this.cacheKey(key, start, end), value, timestamp);
    } else if (value !== null) {
      // Not even written below: that store's stream time may lag behind (it sees writes when they are flushed).
      this.listener?.fn(key, start, end, value, null, timestamp);
    }
    return null;
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.observedStreamTime = Math.max(this.observedStreamTime, sessionEndOf(storeKey));
    this.wrapped.restore(storeKey, value);
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | null {
    if (end <= this.observedStreamTime - this.retentionMs) return null;
    const entry = this.cache.get(this.cacheKey(key, start, end));
    return entry !== undefined ? entry.value : this.wrapped.fetchSession(key, start, end);
  }

  findSessions(keyFrom: Buffer | null, keyTo: Buffer | null, earliestSessionEnd: number, latestSessionStart: number, reverse: boolean): Iterable<SessionBytesEntry> {
    if (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0) return [];
    const minEnd = Math.max(earliestSessionEnd, this.observedStreamTime - this.retentionMs + 1);
    const cached = this.cached(minEnd, Number.MAX_SAFE_INTEGER, reverse, (segment) => ({
      lower: prefixed(segment, keyFrom ?? EMPTY),
      // No key of this segment sorts after the next segment's bare prefix.
      upper: keyTo === null ? prefixed(segment + 1, EMPTY) : prefixed(segment, keyUpperBound(keyTo, SESSION_SUFFIX)),
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
      ...this.cached(earliestEnd, latestEnd, false, (segment) => ({ lower: prefixed(segment, EMPTY), upper: prefixed(segment + 1, EMPTY), accept: live })),
    ].sort(byEndKeyStart);
    for (const session of mergeCached(cached, this.wrapped.findSessionsByEnd(earliestEnd, latestEnd), byEndKeyStart, false)) {
      if (live(session)) yield session;
    }
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

  private readonly bySegment = (a: Cached<SessionBytesEntry>, b: Cached<SessionBytesEntry>): number =>
    this.segmentOf(a.end) - this.segmentOf(b.end) || Buffer.compare(a.storeKey, b.storeKey);

  private segmentOf(end: number): number {
    return Math.max(0, Math.floor(end / this.segmentIntervalMs));
  }

  /** Cached sessions that ended in [minEnd, maxEnd], segment by segment (none ends after observed stream time). */
  private *cached(
    minEnd: number,
    maxEnd: number,
    reverse: boolean,
    bounds: (segment: number) => { lower: Buffer; upper: Buffer; accept: (session: Cached<SessionBytesEntry>) => boolean },
  ): Generator<Cached<SessionBytesEntry>> {
    if (this.cache.size === 0 || this.observedStreamTime < minEnd) return;
    const first = this.segmentOf(minEnd);
    const last = this.segmentOf(Math.min(maxEnd, this.observedStreamTime));
    for (let i = 0; i <= last - first; i++) {
      const segment = reverse ? last - i : first + i;
      const { lower, upper, accept } = bounds(segment);
      for (const { key: cacheKey, entry } of this.cache.range(lower, upper, reverse)) {
        const storeKey = cacheKey.subarray(SEGMENT_PREFIX);
        if (storeKey.length < SESSION_SUFFIX) continue;
        const session = { key: sessionKeyOf(storeKey), start: sessionStartOf(storeKey), end: sessionEndOf(storeKey), storeKey, value: entry.value };
        if (session.end >= minEnd && session.end <= maxEnd && accept(session)) yield session;
      }
    }
  }

  /** `segment + key + end + start`, in one buffer. */
  private cacheKey(key: Buffer, start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(SEGMENT_PREFIX + key.length + SESSION_SUFFIX);
    writeInt64BE(out, this.segmentOf(end), 0);
    key.copy(out, SEGMENT_PREFIX);
    writeInt64BE(out, end, SEGMENT_PREFIX + key.length);
    writeInt64BE(out, start, SEGMENT_PREFIX + key.length + 8);
    return out;
  }

  private flushDirty(): void {
    const entries = this.cache.takeDirty();
    if (entries.length === 0) return;
    const listener = this.listener;
    for (const entry of entries) {
      const storeKey = entry.key.subarray(SEGMENT_PREFIX);
      const key = sessionKeyOf(storeKey);
      const start = sessionStartOf(storeKey);
      const end = sessionEndOf(storeKey);
      const oldValue = listener === undefined || (entry.value !== null && !listener.sendOldValues) ? null : this.wrapped.fetchSession(key, start, end);
      // Removing a session the store never had (created and merged away since the last flush): nothing to do.
      if (entry.value === null && oldValue === null && listener !== undefined) continue;
      const write = (): void => {
        this.wrapped.put(key, start, end, entry.value);
        listener?.fn(key, start, end, entry.value, listener.sendOldValues ? oldValue : null, entry.timestamp);
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

function prefixed(segment: number, bound: Buffer): Buffer {
  const out = Buffer.allocUnsafe(SEGMENT_PREFIX + bound.length);
  writeInt64BE(out, segment, 0);
  bound.copy(out, SEGMENT_PREFIX);
  return out;
}

/** The order of `findSessionsByEnd`: end, then key bytes, then start. */
function byEndKeyStart(a: Cached<SessionBytesEntry>, b: Cached<SessionBytesEntry>): number {
  return a.end - b.end || Buffer.compare(a.key, b.key) || a.start - b.start;
}
