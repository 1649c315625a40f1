/**
 * The first step of each side of a stream-stream join (Kafka Streams' `KStreamJoinWindow`): remember the record
 * in this side's window store, keyed by its timestamp, so the other side can find it. Records with a null key can
 * never join; they still go on when the join emits unmatched records (left/outer joins, KIP-962).
 */
import type { ProcessorContext, ProcessorSupplier } from '../../api/processor.js';
import type { WindowStore } from '../../state/store.js';

export function joinWindowProcessor<K, V>(storeName: string, forwardNullKeys: boolean): ProcessorSupplier<K, V, K, V> {
  return () => {
    let ctx: ProcessorContext<K, V>;
    let store: WindowStore<K, V>;
    return {
      init(context) {
        ctx = context;
        store = context.getStateStore<WindowStore<K, V>>(storeName);
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          if (forwardNullKeys) ctx.forward(record);
          return;
        }
        ctx.forward(record);
        if (record.value !== null && record.value !== undefined) store.put(record.key, record.value, record.timestamp);
      },
    };
  };
}
