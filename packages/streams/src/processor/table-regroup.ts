/**
 * KTable `groupBy` (Kafka Streams' `KTableRepartitionMap`): every table update becomes "remove the old value from
 * its old group, add the new value to its new group". When both land on the same new key they travel as one
 * record (KIP-904), so the aggregate changes once instead of twice.
 */
import type { ProcessorContext, ProcessorSupplier } from '../api/processor.js';
import type { Change } from './change.js';

export function tableRegroupProcessor<K, V, K2, V2>(
  selector: (key: K, value: V) => readonly [K2, V2],
): ProcessorSupplier<K, Change<V>, K2, Change<V2>> {
  return () => {
    let ctx: ProcessorContext<K2, Change<V2>>;
    return {
      init(context) {
        ctx = context;
      },
      process(record) {
        // An out-of-order update of a versioned table does not change aggregations (Kafka's KIP-914).
        if (record.value.isLatest === false) return;
        const { newValue, oldValue } = record.value;
        const next = newValue === null ? null : selector(record.key, newValue);
        const prev = oldValue === null ? null : selector(record.key, oldValue);
        const base = { timestamp: record.timestamp, headers: record.headers };
        if (next !== null && prev !== null && sameKey(next[0], prev[0])) {
          ctx.forward({ ...base, key: next[0], value: { newValue: next[1], oldValue: prev[1] } });
          return;
        }
        if (prev !== null) ctx.forward({ ...base, key: prev[0], value: { newValue: null, oldValue: prev[1] } });
        if (next !== null) ctx.forward({ ...base, key: next[0], value: { newValue: next[1], oldValue: null } });
      },
    };
  };
}

/** Keys are compared by value for primitives and by JSON for plain objects (as their serialized bytes would be). */
function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
