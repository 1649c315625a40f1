/**
 * The store left and outer stream-stream joins share for records that have not (yet) found a partner (Kafka
 * Streams' `KSTREAM-OUTERSHARED` store). Keys sort by timestamp, then side (right before left, as Kafka's
 * `TimestampedKeyAndJoinSide`), then key bytes, so a scan from the start meets the oldest candidates first. A key
 * holds the list of every unmatched value for it (Kafka's list-value store).
 */
import type { Serde } from '../../serde/serde.js';
import { SerializationError } from '../../serde/serde.js';
import { readInt64BE, writeInt64BE } from '../../serde/int64.js';

export interface OuterJoinKey<K> {
  readonly timestamp: number;
  readonly leftSide: boolean;
  readonly key: K;
}

export interface OuterJoinValue<L, R> {
  readonly leftSide: boolean;
  readonly left: L | null;
  readonly right: R | null;
}

export function outerJoinKeySerde<K>(inner: Serde<K>): Serde<OuterJoinKey<K>> {
  return {
    serialize(topic, data) {
      if (data === null) return null;
      const key = inner.serialize(topic, data.key);
      if (key === null) throw new SerializationError(topic, 'join keys cannot be null');
      const out = Buffer.allocUnsafe(9 + key.length);
      writeInt64BE(out, data.timestamp, 0);
      out.writeUInt8(data.leftSide ? 1 : 0, 8);
      key.copy(out, 9);
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null;
      if (data.length < 9) throw new SerializationError(topic, `outer-join key needs at least 9 bytes, got ${data.length}`);
      return {
        timestamp: readInt64BE(data, 0),
        leftSide: data.readUInt8(8) === 1,
        key: inner.deserialize(topic, data.subarray(9)) as K,
      };
    },
  };
}

/** A list of `[side byte][4-byte length][value bytes]` entries. */
export function outerJoinValuesSerde<L, R>(left: Serde<L>, right: Serde<R>): Serde<ReadonlyArray<OuterJoinValue<L, R>>> {
  return {
    serialize(topic, data) {
      if (data === null) return null;
      const parts: Buffer[] = [];
      for (const entry of data) {
        const bytes = entry.leftSide ? left.serialize(topic, entry.left as L) : right.serialize(topic, entry.right as R);
        if (bytes === null) throw new SerializationError(topic, 'outer-join values cannot be null');
        const head = Buffer.allocUnsafe(5);
        head.writeUInt8(entry.leftSide ? 1 : 0, 0);
        head.writeUInt32BE(bytes.length, 1);
        parts.push(head, bytes);
      }
      return Buffer.concat(parts);
    },
    deserialize(topic, data) {
      if (data === null) return null;
      const out: Array<OuterJoinValue<L, R>> = [];
      let offset = 0;
      while (offset < data.length) {
        if (offset + 5 > data.length) throw new SerializationError(topic, 'outer-join value list is truncated');
        const leftSide = data.readUInt8(offset) === 1;
        const length = data.readUInt32BE(offset + 1);
        const bytes = data.subarray(offset + 5, offset + 5 + length);
        if (bytes.length !== length) throw new SerializationError(topic, 'outer-join value list is truncated');
        offset += 5 + length;
        out.push(
          leftSide
            ? { leftSide, left: left.deserialize(topic, bytes), right: null }
            : { leftSide, left: null, right: right.deserialize(topic, bytes) },
        );
      }
      return out;
    },
  };
}
