import { Segments, type SegmentFactory } from './segments.js';
import type { SessionBytesEntry, SessionBytesLayer } from './session-bytes-layer.js';
import type { StateStoreContext } from './store.js';
import { keyUpperBound, SESSION_SUFFIX, sessionEndOf, sessionKeyOf, sessionStartOf, sessionStoreKey } from './window-key-schema.js';

export type { SessionBytesEntry } from './session-bytes-layer.js';

/**
 * A segmented session store over bytes stores: keys are `key + end + start`, segments by session end, and sessions
 * that ended at or before `observedStreamTime - retention` are dropped (Kafka Streams' session store semantics).
 */
export class SessionBytesStore implements SessionBytesLayer {
  private readonly segments: Segments;
  private observedStreamTime = -1;

  constructor(
    readonly name: string,
    readonly persistent: boolean,
    readonly retentionMs: number,
    factory: SegmentFactory,
    readonly segmentIntervalMs: number,
  ) {
    this.segments = new Segments(name, retentionMs, segmentIntervalMs, persistent, factory);
  }

  init(context: StateStoreContext): void {
    this.segments.open(context);
  }

  /** Returns the store key written (the changelog key), or null when the session was already expired. */
  put(key: Buffer, start: number, end: number, value: Buffer | null): Buffer | null {
    const storeKey = sessionStoreKey(key, start, end);
    return this.write(storeKey, value) ? storeKey : null;
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.write(storeKey, value);
  }

  fetchSession(key: Buffer, start: number, end: number): Buffer | null {
    if (end <= this.observedStreamTime - this.retentionMs) return null;
    return this.segments.segment(this.segments.idOf(end), false)?.get(sessionStoreKey(key, start, end)) ?? null;
  }

  /**
   * Sessions of keys in [keyFrom, keyTo] (null: open) with end >= earliestSessionEnd and start <= latestSessionStart,
   * per segment (oldest first), then key bytes, end, start.
   */
  *findSessions(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    earliestSessionEnd: number,
    latestSessionStart: number,
    reverse: boolean,
  ): Generator<SessionBytesEntry> {
    if (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0) return;
    const minEnd = Math.max(earliestSessionEnd, this.observedStreamTime - this.retentionMs + 1);
    const upper = keyTo === null ? null : keyUpperBound(keyTo, SESSION_SUFFIX);
    for (const segment of this.segments.between(minEnd, Number.MAX_SAFE_INTEGER, reverse)) {
      for (const entry of reverse ? segment.reverseRange(keyFrom, upper) : segment.range(keyFrom, upper)) {
        if (entry.key.length < SESSION_SUFFIX) continue;
        const decoded = { key: sessionKeyOf(entry.key), start: sessionStartOf(entry.key), end: sessionEndOf(entry.key), value: entry.value, storeKey: entry.key };
        if (decoded.end < minEnd || decoded.start > latestSessionStart) continue;
        if (keyFrom !== null && Buffer.compare(decoded.key, keyFrom) < 0) continue;
        if (keyTo !== null && Buffer.compare(decoded.key, keyTo) > 0) continue;
        yield decoded;
      }
    }
  }

  /**
   * Sessions of every key that ended in [earliestEnd, latestEnd] and are still in a kept segment, even when older
   * than retention, ordered by end, then key, then start: Kafka's `findSessions(earliestSessionEndTime,
   * latestSessionEndTime)` of its time-ordered session store, which emit-on-window-close reads (a session has closed
   * only once it is past retention, gap and grace both having gone by).
   */
  findSessionsByEnd(earliestEnd: number, latestEnd: number): SessionBytesEntry[] {
    if (earliestEnd > latestEnd) return [];
    const out: SessionBytesEntry[] = [];
    for (const segment of this.segments.between(earliestEnd, latestEnd, false)) {
      for (const entry of segment.range(null, null)) {
        if (entry.key.length < SESSION_SUFFIX) continue;
        const end = sessionEndOf(entry.key);
        if (end < earliestEnd || end > latestEnd) continue;
        out.push({ key: sessionKeyOf(entry.key), start: sessionStartOf(entry.key), end, value: entry.value, storeKey: entry.key });
      }
    }
    return out.sort((a, b) => a.end - b.end || Buffer.compare(a.key, b.key) || a.start - b.start);
  }

  flush(): void {
    this.segments.flush();
  }

  close(): void {
    this.segments.close();
  }

  isOpen(): boolean {
    return this.segments.isOpen();
  }

  private write(storeKey: Buffer, value: Buffer | null): boolean {
    const end = sessionEndOf(storeKey);
    this.observedStreamTime = Math.max(this.observedStreamTime, end);
    if (end <= this.observedStreamTime - this.retentionMs) return false;
    this.segments.segment(this.segments.idOf(end), value !== null)?.put(storeKey, value);
    this.segments.expire(this.observedStreamTime);
    return true;
  }
}
