/**
 * The buffer behind `suppress()` (Kafka Streams' `InMemoryTimeOrderedKeyValueBuffer`): one entry per key, ordered
 * by buffer time, evicted oldest first. A newer update of a buffered key replaces its value but keeps its place
 * (non-resetting) and its prior value. Entries live in a change-logged key-value store, so the buffer survives
 * restarts; the time index is rebuilt from it when the processor starts.
 */
import type { Headers } from '../../api/record.js';
import { SerializationError, type Serde } from '../../serde/serde.js';
import { BTree } from '../../state/btree.js';
import type { KeyValueStore } from '../../state/store.js';
import { changeSerde } from '../change.js';
import { readInt64BE, writeInt64BE } from '../../serde/int64.js';

export interface BufferEntry<V> {
  /** When the entry becomes due (window end, or the first update's record time). */
  readonly bufferTime: number;
  /** Timestamp of the latest update, which the emitted record carries. */
  readonly timestamp: number;
  readonly newValue: V | null;
  /** The value before the first buffered update: the old value downstream sees when the entry is emitted. */
  readonly priorValue: V | null;
}

export function bufferEntrySerde<V>(valueSerde: Serde<V>): Serde<BufferEntry<V>> {
  const changes = changeSerde(valueSerde);
  return {
    serialize(topic, data) {
      if (data === null) return null;
      const change = changes.serialize(topic, { newValue: data.newValue, oldValue: data.priorValue }) as Buffer;
      const out = Buffer.allocUnsafe(16 + change.length);
      writeInt64BE(out, data.bufferTime, 0);
      writeInt64BE(out, data.timestamp, 8);
      change.copy(out, 16);
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null;
      if (data.length < 16) throw new SerializationError(topic, `suppression buffer entry needs at least 16 bytes, got ${data.length}`);
      const change = changes.deserialize(topic, data.subarray(16));
      return {
        bufferTime: readInt64BE(data, 0),
        timestamp: readInt64BE(data, 8),
        newValue: change?.newValue ?? null,
        priorValue: change?.oldValue ?? null,
      };
    },
  };
}

interface IndexKey {
  readonly time: number;
  readonly seq: number;
}

interface Indexed<K> {
  readonly at: IndexKey;
  readonly key: K;
  readonly bytes: number;
  headers: Headers;
}

export interface EvictedEntry<K, V> {
  readonly key: K;
  readonly entry: BufferEntry<V>;
  readonly headers: Headers;
}

export class TimeOrderedBuffer<K, V> {
  private readonly index = new BTree<IndexKey, string>(undefined, (a, b) => a.time - b.time || a.seq - b.seq);
  private readonly byId = new Map<string, Indexed<K>>();
  private seq = 0;
  private totalBytes = 0;

  constructor(
    private readonly store: KeyValueStore<K, BufferEntry<V>>,
    private readonly keySerde: Serde<K>,
    private readonly entrySerde: Serde<BufferEntry<V>>,
  ) {
    for (const { key, value } of store.all()) this.track(key, value, {});
  }

  get numRecords(): number {
    return this.byId.size;
  }

  get bufferSize(): number {
    return this.totalBytes;
  }

  /** The smallest buffer time, or +Infinity when empty. */
  minTimestamp(): number {
    return this.index.minKey()?.time ?? Number.POSITIVE_INFINITY;
  }

  get(key: K): BufferEntry<V> | null {
    return this.byId.has(this.id(key)) ? this.store.get(key) : null;
  }

  put(bufferTime: number, key: K, newValue: V | null, oldValue: V | null, timestamp: number, headers: Headers): void {
    const previous = this.byId.has(this.id(key)) ? this.store.get(key) : null;
    const entry: BufferEntry<V> = {
      bufferTime: previous?.bufferTime ?? bufferTime,
      timestamp,
      newValue,
      priorValue: previous ? previous.priorValue : oldValue,
    };
    this.store.put(key, entry);
    this.track(key, entry, headers);
  }

  /** Removes and hands over the oldest entries while `condition` holds. */
  evictWhile(condition: () => boolean, emit: (evicted: EvictedEntry<K, V>) => void): void {
    while (this.byId.size > 0 && condition()) {
      const first = this.index.minKey();
      if (first === undefined) return;
      const id = this.index.get(first) as string;
      const indexed = this.byId.get(id) as Indexed<K>;
      const entry = this.store.get(indexed.key);
      this.untrack(id);
      this.store.delete(indexed.key);
      if (entry !== null) emit({ key: indexed.key, entry, headers: indexed.headers });
    }
  }

  private track(key: K, entry: BufferEntry<V>, headers: Headers): void {
    const id = this.id(key);
    const bytes = id.length + (this.entrySerde.serialize('', entry)?.length ?? 0);
    const existing = this.byId.get(id);
    if (existing) {
      this.totalBytes += bytes - existing.bytes;
      this.byId.set(id, { ...existing, bytes, headers });
      return;
    }
    const at = { time: entry.bufferTime, seq: this.seq++ };
    this.index.set(at, id);
    this.byId.set(id, { at, key, bytes, headers });
    this.totalBytes += bytes;
  }

  private untrack(id: string): void {
    const indexed = this.byId.get(id);
    if (!indexed) return;
    this.index.delete(indexed.at);
    this.byId.delete(id);
    this.totalBytes -= indexed.bytes;
  }

  private id(key: K): string {
    const bytes = this.keySerde.serialize('', key);
    if (bytes === null) throw new TypeError('suppress() cannot buffer a null key');
    return bytes.toString('latin1');
  }
}
