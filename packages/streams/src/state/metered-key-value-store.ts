import type { KeyValue } from '../api/record.js';
import type { Serde } from '../serde/serde.js';
import type { CacheFlushListener, CachedStateStore } from './cache-flush-listener.js';
import { CachingKeyValueBytesStore } from './caching-key-value-store.js';
import type { ChangelogFormat } from './changelog-format.js';
import { innermostBytesStore, type KeyValueBytesStore, type WrappingStore } from './key-value-bytes-store.js';
import type { KeyValueStore, StateStoreContext } from './store.js';

/** Kafka Streams names the topic that serdes see after the store's changelog, even when logging is off. */
export function changelogTopicFor(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}

/**
 * The outermost layer: typed keys and values over the bytes stack (Kafka Streams' MeteredKeyValueStore). It
 * registers the whole stack with the runtime; restoration writes changelog records into the innermost bytes store.
 */
export class MeteredKeyValueStore<K, V> implements KeyValueStore<K, V>, CachedStateStore<K, V>, WrappingStore {
  private topic: string;
  readonly timestamped: boolean;
  private lastKey: unknown;
  private lastKeyBytes: Buffer | undefined;

  constructor(
    readonly wrapped: KeyValueBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly format: ChangelogFormat,
  ) {
    this.topic = wrapped.name;
    this.timestamped = format.timestamped;
  }

  get name(): string {
    return this.wrapped.name;
  }
  get persistent(): boolean {
    return this.wrapped.persistent;
  }

  init(context: StateStoreContext): void {
    this.topic = changelogTopicFor(context.applicationId, this.name);
    this.wrapped.init(context);
    const innermost = innermostBytesStore(this.wrapped);
    context.register(this, (batch) => {
      innermost.putAll(batch.map((record) => ({ key: record.key, value: this.format.fromChangelog(record) })));
    });
  }

  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): boolean {
    if (!(this.wrapped instanceof CachingKeyValueBytesStore)) return false;
    this.wrapped.setFlushListener((key, newValue, oldValue, timestamp) => {
      listener({ key: this.keyFrom(key), newValue: this.valueFrom(newValue), oldValue: this.valueFrom(oldValue), timestamp });
    }, sendOldValues);
    return true;
  }

  get(key: K): V | null {
    return this.valueFrom(this.wrapped.get(this.keyBytes(key)));
  }

  put(key: K, value: V | null): void {
    this.wrapped.put(this.keyBytes(key), this.valueBytes(value));
  }

  putIfAbsent(key: K, value: V | null): V | null {
    return this.valueFrom(this.wrapped.putIfAbsent(this.keyBytes(key), this.valueBytes(value)));
  }

  putAll(entries: ReadonlyArray<KeyValue<K, V | null>>): void {
    this.wrapped.putAll(entries.map(({ key, value }) => ({ key: this.keyBytes(key), value: this.valueBytes(value) })));
  }

  delete(key: K): V | null {
    return this.valueFrom(this.wrapped.delete(this.keyBytes(key)));
  }

  range(from: K | null, to: K | null): Iterable<KeyValue<K, V>> {
    return this.typed(this.wrapped.range(this.boundBytes(from), this.boundBytes(to)));
  }

  reverseRange(from: K | null, to: K | null): Iterable<KeyValue<K, V>> {
    return this.typed(this.wrapped.reverseRange(this.boundBytes(from), this.boundBytes(to)));
  }

  all(): Iterable<KeyValue<K, V>> {
    return this.typed(this.wrapped.all());
  }

  reverseAll(): Iterable<KeyValue<K, V>> {
    return this.typed(this.wrapped.reverseAll());
  }

  prefixScan(prefix: K, prefixSerde: Serde<K>): Iterable<KeyValue<K, V>> {
    const bytes = prefixSerde.serialize(this.topic, prefix);
    if (bytes === null) throw new TypeError(`prefix for store ${this.name} serialized to null`);
    return this.typed(this.wrapped.prefixScan(bytes));
  }

  approximateNumEntries(): number {
    return this.wrapped.approximateNumEntries();
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

  private *typed(entries: Iterable<KeyValue<Buffer, Buffer>>): Generator<KeyValue<K, V>> {
    for (const { key, value } of entries) yield { key: this.keyFrom(key), value: this.valueFrom(value) as V };
  }

  private keyBytes(key: K): Buffer {
    // A read-modify-write (every aggregation) serializes the same key twice in a row: the second time is free.
    if (Object.is(key, this.lastKey) && this.lastKeyBytes !== undefined) return this.lastKeyBytes;
    if (key === null || key === undefined) throw new TypeError(`null key for store ${this.name}`);
    const bytes = this.keySerde.serialize(this.topic, key);
    if (bytes === null) throw new TypeError(`key for store ${this.name} serialized to null`);
    // Only values compared by content: an object key may have been changed since it was serialized.
    if (typeof key === 'string' || typeof key === 'number') {
      this.lastKey = key;
      this.lastKeyBytes = bytes;
    }
    return bytes;
  }

  private boundBytes(key: K | null): Buffer | null {
    return key === null ? null : this.keyBytes(key);
  }

  private valueBytes(value: V | null): Buffer | null {
    return value === null ? null : this.valueSerde.serialize(this.topic, value);
  }

  private keyFrom(bytes: Buffer): K {
    return this.keySerde.deserialize(this.topic, bytes) as K;
  }

  private valueFrom(bytes: Buffer | null): V | null {
    return bytes === null ? null : this.valueSerde.deserialize(this.topic, bytes);
  }
}
