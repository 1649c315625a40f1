import type { Windowed } from '../api/windowed.js';
import { SerializationError, type Serde } from './serde.js';
import { readInt64BE, writeInt64BE } from './int64.js';

/**
 * Serdes for windowed keys with Kafka's byte layouts, so that windowed results read by Java consumers (and Kafka
 * Streams' own `WindowedSerdes`) agree: time windows are `key bytes + 8-byte start` (WindowKeySchema), sessions
 * are `key bytes + 8-byte end + 8-byte start` (SessionKeySchema).
 */
export const WindowedSerdes = {
  /** The end of a time window is not serialized; it is `start + windowSizeMs`, as in Kafka's TimeWindowedDeserializer. */
  timeWindowed<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    return {
      serialize(topic, data) {
        if (data === null) return null;
        const key = innerKey(inner, topic, data.key);
        const out = Buffer.allocUnsafe(key.length + 8);
        key.copy(out, 0);
        writeInt64BE(out, data.window.start, key.length);
        return out;
      },
      deserialize(topic, data) {
        if (data === null) return null;
        if (data.length < 8) throw new SerializationError(topic, `time-windowed key needs at least 8 bytes, got ${data.length}`);
        const start = readInt64BE(data, data.length - 8);
        const key = inner.deserialize(topic, data.subarray(0, data.length - 8)) as K;
        return { key, window: { start, end: start + windowSizeMs } };
      },
    };
  },
  sessionWindowed<K>(inner: Serde<K>): Serde<Windowed<K>> {
    return {
      serialize(topic, data) {
        if (data === null) return null;
        const key = innerKey(inner, topic, data.key);
        const out = Buffer.allocUnsafe(key.length + 16);
        key.copy(out, 0);
        writeInt64BE(out, data.window.end, key.length);
        writeInt64BE(out, data.window.start, key.length + 8);
        return out;
      },
      deserialize(topic, data) {
        if (data === null) return null;
        if (data.length < 16) throw new SerializationError(topic, `session-windowed key needs at least 16 bytes, got ${data.length}`);
        const end = readInt64BE(data, data.length - 16);
        const start = readInt64BE(data, data.length - 8);
        const key = inner.deserialize(topic, data.subarray(0, data.length - 16)) as K;
        return { key, window: { start, end } };
      },
    };
  },
} as const;

function innerKey<K>(inner: Serde<K>, topic: string, key: K): Buffer {
  const bytes = inner.serialize(topic, key);
  if (bytes === null) throw new SerializationError(topic, 'windowed keys cannot be null');
  return bytes;
}
