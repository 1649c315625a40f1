import { ChangeLoggingStore } from './change-logging-store.js';
import { plainChangelogFormat } from './changelog-format.js';
import type { SessionBytesEntry, SessionBytesLayer } from './session-bytes-layer.js';

/**
 * Sends every write that reached the store to its changelog (Kafka Streams' ChangeLoggingSessionBytesStore): the
 * changelog key is the store key (`key + end + start`), the value as stored. Below a cache it sees only what the
 * cache flushes.
 */
export class ChangeLoggingSessionBytesStore extends ChangeLoggingStore<SessionBytesLayer> implements SessionBytesLayer {
  constructor(wrapped: SessionBytesLayer) {
    super(wrapped, plainChangelogFormat);
  }

  get retentionMs(): number {
    return this.wrapped.retentionMs;
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null): Buffer | null {
    const storeKey = this.wrapped.put(key, start, end, value);
    // An expired session is not written, so not logged either.
    if (storeKey !== null) this.log(storeKey, value);
    return storeKey;
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.wrapped.restore(storeKey, value);
  }
  fetchSession(key: Buffer, start: number, end: number): Buffer | null {
    return this.wrapped.fetchSession(key, start, end);
  }
  findSessions(keyFrom: Buffer | null, keyTo: Buffer | null, earliestSessionEnd: number, latestSessionStart: number, reverse: boolean): Iterable<SessionBytesEntry> {
    return this.wrapped.findSessions(keyFrom, keyTo, earliestSessionEnd, latestSessionStart, reverse);
  }
  findSessionsByEnd(earliestEnd: number, latestEnd: number): Iterable<SessionBytesEntry> {
    return this.wrapped.findSessionsByEnd(earliestEnd, latestEnd);
  }
}
