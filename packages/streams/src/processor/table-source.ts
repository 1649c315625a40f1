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
import { isVersionedStore, PUT_RETURN_CODE_NOT_PUT, PUT_RETURN_CODE_VALID_TO_UNDEFINED, type VersionedKeyValueStore } from '../state/versioned-store.js';

export function tableSourceProcessor<K, V>(storeName: string, sendOldValues: () => boolean, forward = true): ProcessorSupplier<K, V, K, unknown> {
  return () => {
    let ctx: ProcessorContext<K, unknown>;
    let store: KeyValueStore<K, ValueAndTimestamp<V>>;
    let versioned: VersionedKeyValueStore<K, V> | undefined;
    let forwarder: TableForwarder<K, V> | undefined;
    return {
      init(context) {
        ctx = context;
        const s = context.getStateStore(storeName);
        if (isVersionedStore<K, V>(s)) {
          versioned = s;
          return;
        }
        store = s as unknown as KeyValueStore<K, ValueAndTimestamp<V>>;
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
        const value = record.value === undefined ? null : record.value;
        if (versioned !== undefined) {
          // Kafka's KTableSource over a versioned store: the version is kept at the record's timestamp; one beyond
          // the history retention is dropped, an older-than-latest one goes on marked as not the latest.
          const latest = versioned.get(record.key);
          const code = versioned.put(record.key, value, record.timestamp);
          if (code === PUT_RETURN_CODE_NOT_PUT || !forward) return;
          ctx.forward({
            key: record.key,
            value: { newValue: value, oldValue: sendOldValues() ? (latest?.value ?? null) : null, isLatest: code === PUT_RETURN_CODE_VALID_TO_UNDEFINED },
            timestamp: record.timestamp,
            headers: record.headers,
          });
          return;
        }
        const old = store.get(record.key);
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
