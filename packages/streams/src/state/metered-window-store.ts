import type { KeyValue } from '../api/record.js';
import type { Serde } from '../serde/serde.js';
import type { CacheFlushListener, CachedStateStore } from './cache-flush-listener.js';
import { CachingWindowBytesStore } from './caching-window-store.js';
import type { ChangelogFormat } from './changelog-format.js';
import { changelogTopicFor } from './metered-key-value-store.js';
import type { StateStoreContext, WindowStore, Windowed } from './store.js';
import type { WindowBytesEntry, WindowBytesLayer } from './window-bytes-layer.js';

/**
 * The outermost layer of a window store (Kafka Streams' MeteredWindowStore): typed keys and values over the bytes
 * stack (caching → change-logging → segmented store, see window-stack.ts). It registers the whole stack with the
 * runtime; restoration writes changelog records into the innermost store.
 */
export class MeteredWindowStore<K, V> implements WindowStore<K, V>, CachedStateStore<Windowed<K>, V> {
  private topic: string;
  readonly timestamped: boolean;
  private lastKey: unknown;
  private lastKeyBytes: Buffer | undefined;

  constructor(
    readonly inner: WindowBytesLayer,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly format: ChangelogFormat,
  ) {
    this.topic = inner.name;
    this.timestamped = format.timestamped;
  }

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }

  init(context: StateStoreContext): void {
    this.topic = changelogTopicFor(context.applicationId, this.name);
    this.inner.init(context);
    context.register(this, (batch) => {
      for (const record of batch) this.inner.restore(record.key, this.format.fromChangelog(record));
    });
  }

  /** Without a cache below, false: the caller forwards every update itself. */
  setFlushListener(listener: CacheFlushListener<Windowed<K>, V>, sendOldValues: boolean): boolean {
    if (!(this.inner instanceof CachingWindowBytesStore)) return false;
    this.inner.setFlushListener((key, windowStart, newValue, oldValue, timestamp) => {
      listener({ key: this.windowedKey(key, windowStart), newValue: this.valueFrom(newValue), oldValue: this.valueFrom(oldValue), timestamp });
    }, sendOldValues);
    return true;
  }

  put(key: K, value: V | null, windowStart: number): void {
    const valueBytes = value === null ? null : this.valueSerde.serialize(this.topic, value);
    this.inner.put(this.keyBytes(key), valueBytes, windowStart);
  }

  fetch(key: K, windowStart: number): V | null;
  fetch(key: K, timeFrom: number, timeTo: number): Iterable<KeyValue<number, V>>;
  fetch(key: K, timeFromOrStart: number, timeTo?: number): V | null | Iterable<KeyValue<number, V>> {
    if (timeTo !== undefined) return this.fetchRange(key, timeFromOrStart, timeTo);
    return this.valueFrom(this.inner.fetch(this.keyBytes(key), timeFromOrStart));
  }

  backwardFetch(key: K, timeFrom: number, timeTo: number): Iterable<KeyValue<number, V>> {
    return this.backwardFetchRange(key, timeFrom, timeTo);
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): Iterable<KeyValue<number, V>> {
    return this.byStart(this.inner.fetchRange(this.keyBytes(key), timeFrom, timeTo, false));
  }

  backwardFetchRange(key: K, timeFrom: number, timeTo: number): Iterable<KeyValue<number, V>> {
    return this.byStart(this.inner.fetchRange(this.keyBytes(key), timeFrom, timeTo, true));
  }

  fetchKeyRange(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): Iterable<KeyValue<Windowed<K>, V>> {
    const from = keyFrom === null ? null : this.keyBytes(keyFrom);
    const to = keyTo === null ? null : this.keyBytes(keyTo);
    return this.windowed(this.inner.fetchKeyRange(from, to, timeFrom, timeTo, false));
  }

  fetchAll(timeFrom: number, timeTo: number): Iterable<KeyValue<Windowed<K>, V>> {
    return this.windowed(this.inner.fetchKeyRange(null, null, timeFrom, timeTo, false));
  }

  all(): Iterable<KeyValue<Windowed<K>, V>> {
    return this.windowed(this.inner.all());
  }

  fetchAllByTime(timeFrom: number, timeTo: number): Iterable<KeyValue<Windowed<K>, V>> {
    return this.windowed(this.inner.fetchAllByTime(timeFrom, timeTo));
  }

  flush(): void {
    this.inner.flush();
  }
  close(): void {
    this.inner.close();
  }
  isOpen(): boolean {
    return this.inner.isOpen();
  }

  private *byStart(entries: Iterable<WindowBytesEntry>): Generator<KeyValue<number, V>> {
    for (const entry of entries) yield { key: entry.windowStart, value: this.valueFrom(entry.value) as V };
  }

  private *windowed(entries: Iterable<WindowBytesEntry>): Generator<KeyValue<Windowed<K>, V>> {
    for (const entry of entries) yield { key: this.windowedKey(entry.key, entry.windowStart), value: this.valueFrom(entry.value) as V };
  }

  private windowedKey(key: Buffer, windowStart: number): Windowed<K> {
    return { key: this.keySerde.deserialize(this.topic, key) as K, window: { start: windowStart, end: windowStart + this.inner.windowSizeMs } };
  }

  private keyBytes(key: K): Buffer {
    // A read-modify-write (every windowed aggregation) serializes the same key twice in a row: the second is free.
    if (Object.is(key, this.lastKey) && this.lastKeyBytes !== undefined) return this.lastKeyBytes;
    const bytes = this.keySerde.serialize(this.topic, key);
    if (bytes === null) throw new TypeError(`null key for store ${this.name}`);
    // Only values compared by content: an object key may have been changed since it was serialized.
    if (typeof key === 'string' || typeof key === 'number') {
      this.lastKey = key;
      this.lastKeyBytes = bytes;
    }
    return bytes;
  }

  private valueFrom(bytes: Buffer | null): V | null {
    return bytes === null ? null : this.valueSerde.deserialize(this.topic, bytes);
  }
}
