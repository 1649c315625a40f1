import { recordTimestamp } from './record-timestamp.js';
import type { SessionBytesEntry, SessionBytesLayer } from './session-bytes-layer.js';
import type { StateStoreContext } from './store.js';

/**
 * Sends every write that reached the store to its changelog (Kafka Streams' ChangeLoggingSessionBytesStore): the
 * changelog key is the store key (`key + end + start`). Below a cache it sees only what the cache flushes.
 */
export class ChangeLoggingSessionBytesStore implements SessionBytesLayer {
  private context: StateStoreContext | undefined;

  constructor(readonly wrapped: SessionBytesLayer) {}

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
    this.context = context;
    this.wrapped.init(context);
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null): Buffer | null {
    const storeKey = this.wrapped.put(key, start, end, value);
    const context = this.context;
    // An expired session is not written, so not logged either.
    if (storeKey === null || context === undefined) return storeKey;
    context.logChange(this.name, storeKey, value, recordTimestamp(context));
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
  flush(): void {
    this.wrapped.flush();
  }
  close(): void {
    this.wrapped.close();
  }
  isOpen(): boolean {
    return this.wrapped.isOpen();
  }
}
