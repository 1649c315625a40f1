import { Segments, type SegmentFactory } from './segments.js';
import type { StateStoreContext } from './store.js';
import type { WindowBytesEntry, WindowBytesLayer } from './window-bytes-layer.js';
import {
  keyUpperBound,
  WINDOW_SUFFIX,
  windowKeyOf,
  windowLowerBound,
  windowStartOf,
  windowStoreKey,
  windowUpperBound,
} from './window-key-schema.js';

export type { WindowBytesEntry } from './window-bytes-layer.js';

/**
 * A segmented window store over bytes stores (Kafka Streams' RocksDBWindowStore / InMemoryWindowStore semantics):
 * keys are `key + start + seqnum`, segments by window start, and data older than `observedStreamTime - retention`
 * is neither written nor returned.
 */
export class WindowBytesStore implements WindowBytesLayer {
  private readonly segments: Segments;
  private observedStreamTime = -1;
  private seq = 0;
  /** The store key of the last single-window read: the write that follows it (an aggregation) reuses it. */
  private lastRead: { key: Buffer; windowStart: number; storeKey: Buffer } | undefined;

  constructor(
    readonly name: string,
    readonly persistent: boolean,
    readonly retentionMs: number,
    readonly windowSizeMs: number,
    readonly retainDuplicates: boolean,
    factory: SegmentFactory,
    readonly segmentIntervalMs: number,
  ) {
    this.segments = new Segments(name, retentionMs, segmentIntervalMs, persistent, factory);
  }

  init(context: StateStoreContext): void {
    this.segments.open(context);
  }

  /** Returns the store key written (the changelog key), or null when nothing was written. */
  put(key: Buffer, value: Buffer | null, windowStart: number): Buffer | null {
    this.observedStreamTime = Math.max(this.observedStreamTime, windowStart);
    if (windowStart <= this.observedStreamTime - this.retentionMs) return null;
    if (value === null && this.retainDuplicates) return null;
    if (this.retainDuplicates) this.seq = (this.seq + 1) & 0x7fffffff;
    const last = this.lastRead;
    const storeKey =
      !this.retainDuplicates && last !== undefined && last.key === key && last.windowStart === windowStart
        ? last.storeKey
        : windowStoreKey(key, windowStart, this.retainDuplicates ? this.seq : 0);
    this.write(storeKey, value, windowStart);
    return storeKey;
  }

  /** Applies a changelog record (its key is a store key). */
  restore(storeKey: Buffer, value: Buffer | null): void {
    const windowStart = windowStartOf(storeKey);
    this.observedStreamTime = Math.max(this.observedStreamTime, windowStart);
    if (windowStart <= this.observedStreamTime - this.retentionMs) return;
    this.write(storeKey, value, windowStart);
  }

  fetch(key: Buffer, windowStart: number): Buffer | null {
    if (windowStart <= this.observedStreamTime - this.retentionMs) return null;
    const segment = this.segments.segment(this.segments.idOf(windowStart), false);
    if (segment === undefined) return null;
    if (!this.retainDuplicates) {
      // Keys are not changed once serialized (the key buffer is the caller's, reused only for the same key).
      const storeKey = windowStoreKey(key, windowStart, 0);
      this.lastRead = { key, windowStart, storeKey };
      return segment.get(storeKey);
    }
    for (const entry of segment.range(windowLowerBound(key, windowStart), windowUpperBound(key, windowStart))) {
      if (windowKeyOf(entry.key).equals(key)) return entry.value;
    }
    return null;
  }

  *fetchRange(key: Buffer, timeFrom: number, timeTo: number, reverse: boolean): Generator<WindowBytesEntry> {
    // Window starts are never negative; a negative bound (e.g. `ts - 10` early on) would encode as a huge key and
    // empty the byte range, so it is clamped to 0, as Kafka's WindowKeySchema.lowerRangeFixedSize does.
    const from = Math.max(timeFrom, 0, this.observedStreamTime - this.retentionMs + 1);
    if (from > timeTo) return;
    for (const segment of this.segments.between(from, timeTo, reverse)) {
      const lower = windowLowerBound(key, from);
      const upper = windowUpperBound(key, timeTo);
      for (const entry of reverse ? segment.reverseRange(lower, upper) : segment.range(lower, upper)) {
        const decoded = decode(entry.key, entry.value);
        if (decoded.key.equals(key) && decoded.windowStart >= from && decoded.windowStart <= timeTo) yield decoded;
      }
    }
  }

  /** Per segment (oldest first), then by key bytes, then by start, as Kafka's segmented stores return them. */
  fetchKeyRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, reverse: boolean): Generator<WindowBytesEntry> {
    return this.scan(keyFrom, keyTo, Math.max(timeFrom, this.observedStreamTime - this.retentionMs + 1), timeTo, reverse);
  }

  /**
   * Kafka's time-ordered window store `fetchAll`, which emit-on-window-close reads: windows of every key starting in
   * [max(timeFrom, observedStreamTime - retention), timeTo], ordered by start, then key. Its lower bound is one less
   * than the other reads' (Kafka's time-first key schema), so the window that closed exactly at retention's edge
   * is still seen; older ones are not, as in Kafka.
   */
  fetchAllByTime(timeFrom: number, timeTo: number): WindowBytesEntry[] {
    const from = Math.max(timeFrom, 0, this.observedStreamTime - this.retentionMs);
    if (from > timeTo) return [];
    const out = [...this.scan(null, null, from, timeTo, false)];
    return out.sort((a, b) => a.windowStart - b.windowStart || Buffer.compare(a.key, b.key));
  }

  private *scan(keyFrom: Buffer | null, keyTo: Buffer | null, from: number, timeTo: number, reverse: boolean): Generator<WindowBytesEntry> {
    if (keyFrom !== null && keyTo !== null && Buffer.compare(keyFrom, keyTo) > 0) return;
    if (from > timeTo) return;
    const lower = keyFrom;
    const upper = keyTo === null ? null : keyUpperBound(keyTo, WINDOW_SUFFIX);
    for (const segment of this.segments.between(from, timeTo, reverse)) {
      for (const entry of reverse ? segment.reverseRange(lower, upper) : segment.range(lower, upper)) {
        if (entry.key.length < WINDOW_SUFFIX) continue;
        const decoded = decode(entry.key, entry.value);
        if (decoded.windowStart < from || decoded.windowStart > timeTo) continue;
        if (keyFrom !== null && Buffer.compare(decoded.key, keyFrom) < 0) continue;
        if (keyTo !== null && Buffer.compare(decoded.key, keyTo) > 0) continue;
        yield decoded;
      }
    }
  }

  all(reverse = false): Generator<WindowBytesEntry> {
    return this.fetchKeyRange(null, null, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, reverse);
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

  private write(storeKey: Buffer, value: Buffer | null, windowStart: number): void {
    const segment = this.segments.segment(this.segments.idOf(windowStart), value !== null);
    segment?.put(storeKey, value);
    this.segments.expire(this.observedStreamTime);
  }
}

function decode(storeKey: Buffer, value: Buffer): WindowBytesEntry {
  return { key: windowKeyOf(storeKey), windowStart: windowStartOf(storeKey), value, storeKey };
}
