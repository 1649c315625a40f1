/**
 * The versioned key-value store over a bytes store (in memory or LMDB). Each version is one entry keyed
 * `4-byte key length + key + 8-byte timestamp`, so a key's versions are adjacent and ordered by time; the value is a
 * flag byte (0: tombstone, 1: value) and the value bytes. Versions that no reader within the history retention can
 * see any more are dropped as the key is written. Change-logging is folded in: each put goes to the changelog as
 * `(key, value)` stamped with the version's timestamp, as Kafka's ChangeLoggingVersionedKeyValueBytesStore logs it,
 * and restore replays those puts.
 */
import type { Serde } from '../serde/serde.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import { changelogTopicFor } from './metered-key-value-store.js';
import type { StateStoreContext } from './store.js';
import {
  PUT_RETURN_CODE_NOT_PUT,
  PUT_RETURN_CODE_VALID_TO_UNDEFINED,
  type VersionedKeyValueStore,
  type VersionedRecord,
} from './versioned-store.js';

const TOMBSTONE = 0;
const VALUE = 1;
const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

interface Version {
  readonly timestamp: number;
  /** null: a tombstone. */
  readonly value: Buffer | null;
}

export class VersionedKeyValueStoreImpl<K, V> implements VersionedKeyValueStore<K, V> {
  readonly versioned = true;
  private topic: string;
  private context: StateStoreContext | undefined;
  private observedStreamTime = -1;

  constructor(
    private readonly inner: KeyValueBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    readonly historyRetentionMs: number,
    private readonly logging: boolean,
  ) {
    this.topic = inner.name;
  }

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }

  init(context: StateStoreContext): void {
    this.context = context;
    this.topic = changelogTopicFor(context.applicationId, this.name);
    this.inner.init(context);
    context.register(this, (batch) => {
      for (const record of batch) this.write(record.key, record.value, record.timestamp);
    });
  }

  put(key: K, value: V | null, timestamp: number): number {
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`version timestamp must be a non-negative integer, got ${timestamp}`);
    const keyBytes = this.keyBytes(key);
    const valueBytes = value === null ? null : this.valueSerde.serialize(this.topic, value);
    const result = this.write(keyBytes, valueBytes, timestamp);
    if (result !== PUT_RETURN_CODE_NOT_PUT && this.logging && this.context !== undefined) {
      this.context.logChange(this.name, keyBytes, valueBytes, timestamp);
    }
    return result;
  }

  delete(key: K, timestamp: number): VersionedRecord<V> | null {
    const old = this.get(key, timestamp);
    this.put(key, null, timestamp);
    return old;
  }

  get(key: K, asOfTimestamp?: number): VersionedRecord<V> | null {
    const keyBytes = this.keyBytes(key);
    if (asOfTimestamp === undefined) {
      const latest = this.versionAtOrBefore(keyBytes, MAX_TIMESTAMP);
      return latest === undefined ? null : this.record(latest, undefined);
    }
    if (asOfTimestamp < this.observedStreamTime - this.historyRetentionMs) return null;
    const version = this.versionAtOrBefore(keyBytes, asOfTimestamp);
    if (version === undefined) return null;
    return this.record(version, this.versionAfter(keyBytes, version.timestamp)?.timestamp);
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

  /** Applies a put (from the processor or the changelog); Kafka's rules for history retention. */
  private write(keyBytes: Buffer, valueBytes: Buffer | null, timestamp: number): number {
    if (timestamp < this.observedStreamTime - this.historyRetentionMs) return PUT_RETURN_CODE_NOT_PUT;
    this.observedStreamTime = Math.max(this.observedStreamTime, timestamp);
    this.inner.put(versionKey(keyBytes, timestamp), encode(valueBytes));
    this.dropInvisible(keyBytes);
    return this.versionAfter(keyBytes, timestamp)?.timestamp ?? PUT_RETURN_CODE_VALID_TO_UNDEFINED;
  }

  /**
   * Keeps the version valid at the retention boundary (a reader may still ask for that time) and everything newer;
   * older versions can no longer be read.
   */
  private dropInvisible(keyBytes: Buffer): void {
    const boundary = this.observedStreamTime - this.historyRetentionMs;
    if (boundary <= 0) return;
    const atBoundary = this.versionAtOrBefore(keyBytes, boundary);
    if (atBoundary === undefined || atBoundary.timestamp === 0) return;
    for (const entry of this.inner.range(versionKey(keyBytes, 0), versionKey(keyBytes, atBoundary.timestamp - 1))) this.inner.delete(entry.key);
  }

  private versionAtOrBefore(keyBytes: Buffer, timestamp: number): Version | undefined {
    for (const entry of this.inner.reverseRange(versionKey(keyBytes, 0), versionKey(keyBytes, timestamp))) return decode(entry.key, entry.value);
    return undefined;
  }

  private versionAfter(keyBytes: Buffer, timestamp: number): Version | undefined {
    if (timestamp >= MAX_TIMESTAMP) return undefined;
    for (const entry of this.inner.range(versionKey(keyBytes, timestamp + 1), versionKey(keyBytes, MAX_TIMESTAMP))) return decode(entry.key, entry.value);
    return undefined;
  }

  private record(version: Version, validTo: number | undefined): VersionedRecord<V> | null {
    if (version.value === null) return null;
    const value = this.valueSerde.deserialize(this.topic, version.value) as V;
    return validTo === undefined ? { value, timestamp: version.timestamp } : { value, timestamp: version.timestamp, validTo };
  }

  private keyBytes(key: K): Buffer {
    const bytes = this.keySerde.serialize(this.topic, key);
    if (bytes === null) throw new TypeError(`null key for store ${this.name}`);
    return bytes;
  }
}

function versionKey(key: Buffer, timestamp: number): Buffer {
  const out = Buffer.allocUnsafe(4 + key.length + 8);
  out.writeUInt32BE(key.length, 0);
  key.copy(out, 4);
  out.writeBigUInt64BE(BigInt(timestamp), 4 + key.length);
  return out;
}

function encode(value: Buffer | null): Buffer {
  if (value === null) return Buffer.from([TOMBSTONE]);
  const out = Buffer.allocUnsafe(1 + value.length);
  out[0] = VALUE;
  value.copy(out, 1);
  return out;
}

function decode(storeKey: Buffer, stored: Buffer): Version {
  const timestamp = Number(storeKey.readBigUInt64BE(storeKey.length - 8));
  return { timestamp, value: stored[0] === TOMBSTONE ? null : stored.subarray(1) };
}
