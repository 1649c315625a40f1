/**
 * Where both sides of a KTable-KTable join meet (Kafka Streams' `KTableKTableJoinMerger`): passes each joined Change
 * on and, when the join result is materialised, keeps it in its store (old values then come from there).
 */
import type { ProcessorContext, ProcessorSupplier } from '../../api/processor.js';
import type { KeyValueStore } from '../../state/store.js';
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.js';
import type { Change } from '../change.js';
import { tableForwarder, type TableForwarder } from '../table-forwarder.js';

export function tableJoinMergeProcessor<K, V>(storeName: string | undefined, sendOldValues: () => boolean): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => {
    let ctx: ProcessorContext<K, Change<V>>;
    let store: KeyValueStore<K, ValueAndTimestamp<V>> | undefined;
    let forwarder: TableForwarder<K, V>;
    return {
      init(context) {
        ctx = context;
        if (storeName !== undefined) store = context.getStateStore<KeyValueStore<K, ValueAndTimestamp<V>>>(storeName);
        forwarder = tableForwarder(store, context, sendOldValues());
      },
      close() {
        forwarder.close();
      },
      process(record) {
        if (store === undefined) {
          ctx.forward(record);
          return;
        }
        const old = sendOldValues() ? (store.get(record.key)?.value ?? null) : null;
        const { newValue } = record.value;
        store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
        forwarder.maybeForward({ ...record, value: { newValue, oldValue: old } });
      },
    };
  };
}
