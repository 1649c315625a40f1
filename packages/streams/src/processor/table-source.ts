/**
 * Materialises a topic (or a stream, via `toTable`) as a table (Kafka Streams' `KTableSource`): each record
 * upserts its key, a null value deletes it, and the update is forwarded as a Change. Records with a null key cannot
 * be placed in a table and are dropped.
 */
import type { ProcessorContext, ProcessorSupplier } from '../api/processor.js';
import type { KeyValueStore } from '../state/store.js';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.js';
import { change } from './change.js';
import { droppedRecord } from './logger.js';
import { tableForwarder, type TableForwarder } from './table-forwarder.js';

export function tableSourceProcessor<K, V>(storeName: string, sendOldValues: () => boolean, forward = true): ProcessorSupplier<K, V, K, unknown> {
  return () => {
    let ctx: ProcessorContext<K, unknown>;
    let store: KeyValueStore<K, ValueAndTimestamp<V>>;
    let forwarder: TableForwarder<K, V> | undefined;
    return {
      init(context) {
        ctx = context;
        store = context.getStateStore<KeyValueStore<K, ValueAndTimestamp<V>>>(storeName);
        if (forward) forwarder = tableForwarder(store, context as ProcessorContext<K, never>, sendOldValues());
      },
      close() {
        forwarder?.close();
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          droppedRecord(ctx, 'null key in table source', undefined);
          return;
        }
        const old = store.get(record.key);
        const value = record.value === undefined ? null : record.value;
        store.put(record.key, value === null ? null : { value, timestamp: record.timestamp });
        forwarder?.maybeForward({
          key: record.key,
          value: change<V>(value, sendOldValues() && old !== null ? old.value : null),
          timestamp: record.timestamp,
          headers: record.headers,
        });
      },
    };
  };
}
