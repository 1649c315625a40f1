import { ChangeLoggingStore } from './change-logging-store.js';
import type { WindowBytesEntry, WindowBytesLayer } from './window-bytes-layer.js';

/**
 * Sends every write that reached the store to its changelog (Kafka Streams' ChangeLoggingWindowBytesStore): the
 * changelog key is the store key (`key + start + seqnum`). Below a cache it sees only what the cache flushes.
 */
export class ChangeLoggingWindowBytesStore extends ChangeLoggingStore<WindowBytesLayer> implements WindowBytesLayer {
  get retentionMs(): number {
    return this.wrapped.retentionMs;
  }
  get windowSizeMs(): number {
    return this.wrapped.windowSizeMs;
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): Buffer | null {
    const storeKey = this.wrapped.put(key, value, windowStart);
    // Nothing written (an expired window, a delete in a store of duplicates): nothing to log, as before caching.
    if (storeKey !== null) this.log(storeKey, value);
    return storeKey;
  }

  restore(storeKey: Buffer, value: Buffer | null): void {
    this.wrapped.restore(storeKey, value);
  }
  fetch(key: Buffer, windowStart: number): Buffer | null {
    return this.wrapped.fetch(key, windowStart);
  }
  fetchRange(key: Buffer, timeFrom: number, timeTo: number, reverse: boolean): Iterable<WindowBytesEntry> {
    return this.wrapped.fetchRange(key, timeFrom, timeTo, reverse);
  }
  fetchKeyRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, reverse: boolean): Iterable<WindowBytesEntry> {
    return this.wrapped.fetchKeyRange(keyFrom, keyTo, timeFrom, timeTo, reverse);
  }
  fetchAllByTime(timeFrom: number, timeTo: number): Iterable<WindowBytesEntry> {
    return this.wrapped.fetchAllByTime(timeFrom, timeTo);
  }
  all(): Iterable<WindowBytesEntry> {
    return this.wrapped.all();
  }
}
