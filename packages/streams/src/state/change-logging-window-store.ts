import type { ChangelogFormat } from './changelog-format.js';
import { recordTimestamp } from './record-timestamp.js';
import type { StateStoreContext } from './store.js';
import type { WindowBytesEntry, WindowBytesLayer } from './window-bytes-layer.js';

/**
 * Sends every write that reached the store to its changelog (Kafka Streams' ChangeLoggingWindowBytesStore): the
 * changelog key is the store key (`key + start + seqnum`). Below a cache it sees only what the cache flushes.
 */
export class ChangeLoggingWindowBytesStore implements WindowBytesLayer {
  private context: StateStoreContext | undefined;

  constructor(
    readonly wrapped: WindowBytesLayer,
    private readonly format: ChangelogFormat,
  ) {}

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

  init(context: StateStoreContext): void {
    this.context = context;
    this.wrapped.init(context);
  }

  put(key: Buffer, value: Buffer | null, windowStart: number): Buffer | null {
    const storeKey = this.wrapped.put(key, value, windowStart);
    const context = this.context;
    // Nothing written (an expired window, a delete in a store of duplicates): nothing to log, as before caching.
    if (storeKey === null || context === undefined) return storeKey;
    context.logChange(this.name, storeKey, this.format.changelogValue(value), this.format.changelogTimestamp(value, recordTimestamp(context)));
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
