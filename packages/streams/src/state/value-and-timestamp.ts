import type { Serde } from '../serde/serde.js';
import { SerializationError } from '../serde/serde.js';
import { readInt64BE, writeInt64BE } from '../serde/int64.js';

/** A value with the timestamp of the record that last wrote it (Kafka Streams' `ValueAndTimestamp`). */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

export const TIMESTAMP_SIZE = 8;

/** `8-byte big-endian timestamp + value bytes`, the layout of Kafka Streams' timestamped stores. */
export function valueAndTimestampSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  return {
    serialize(topic, data) {
      if (data === null) return null;
      const value = inner.serialize(topic, data.value);
      if (value === null) return null;
      return withTimestamp(value, data.timestamp);
    },
    deserialize(topic, data) {
      if (data === null) return null;
      if (data.length < TIMESTAMP_SIZE) {
        throw new SerializationError(topic, `timestamped value needs at least 8 bytes, got ${data.length}`);
      }
      const value = inner.deserialize(topic, data.subarray(TIMESTAMP_SIZE)) as V;
      return { value, timestamp: timestampOf(data) };
    },
  };
}

export function withTimestamp(value: Buffer, timestamp: number): Buffer {
  const out = Buffer.allocUnsafe(value.length + TIMESTAMP_SIZE);
  writeInt64BE(out, timestamp, 0);
  value.copy(out, TIMESTAMP_SIZE);
  return out;
}

export function timestampOf(valueWithTimestamp: Buffer): number {
  return readInt64BE(valueWithTimestamp, 0);
}

export function rawValue(valueWithTimestamp: Buffer): Buffer {
  return valueWithTimestamp.subarray(TIMESTAMP_SIZE);
}
