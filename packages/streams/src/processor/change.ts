/**
 * What KTable processors pass between each other: the new value and, when a downstream node asked for it, the
 * previous one (Kafka Streams' `Change`). `toStream()` unwraps it; aggregations with subtractors need the old value.
 */
import type { Serde } from '../serde/serde.js';
import { SerializationError } from '../serde/serde.js';

export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
  /**
   * False for an out-of-order update of a versioned table (an older version than its latest): table-table joins and
   * aggregations ignore it, as Kafka's do (KIP-914). Absent means true.
   */
  readonly isLatest?: boolean;
}

export function change<V>(newValue: V | null, oldValue: V | null): Change<V> {
  return { newValue, oldValue };
}

/**
 * Carries a Change through a repartition topic (KTable `groupBy`): a flag byte (bit 0: new present, bit 1: old
 * present), the new value's length (4 bytes) and bytes, then the old value's bytes.
 */
export function changeSerde<V>(inner: Serde<V>): Serde<Change<V>> {
  return {
    serialize(topic, data) {
      if (data === null) return null;
      const n = data.newValue === null ? null : inner.serialize(topic, data.newValue);
      const o = data.oldValue === null ? null : inner.serialize(topic, data.oldValue);
      const out = Buffer.allocUnsafe(5 + (n?.length ?? 0) + (o?.length ?? 0));
      out.writeUInt8((n ? 1 : 0) | (o ? 2 : 0), 0);
      out.writeUInt32BE(n?.length ?? 0, 1);
      if (n) n.copy(out, 5);
      if (o) o.copy(out, 5 + (n?.length ?? 0));
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null;
      if (data.length < 5) throw new SerializationError(topic, `change record needs at least 5 bytes, got ${data.length}`);
      const flags = data.readUInt8(0);
      const nLen = data.readUInt32BE(1);
      if (5 + nLen > data.length) throw new SerializationError(topic, 'change record is truncated');
      const newValue = flags & 1 ? inner.deserialize(topic, data.subarray(5, 5 + nLen)) : null;
      const oldValue = flags & 2 ? inner.deserialize(topic, data.subarray(5 + nLen)) : null;
      return { newValue, oldValue };
    },
  };
}
