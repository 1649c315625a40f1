/**
 * KStream-KTable and KStream-GlobalKTable joins (Kafka Streams' `KStreamKTableJoin`): each stream record looks up
 * the table's current value; the table side never triggers output. A left join emits with a null table value when
 * there is no match (and, since KIP-962, also for stream records with a null key); an inner join drops them.
 */
import type { ProcessorContext, ProcessorSupplier } from '../api/processor.js';
import type { KTableValueGetterSupplier } from './value-getter.js';
import { droppedRecord } from './logger.js';

export function streamTableJoinProcessor<K, V, TK, TV, R>(
  table: KTableValueGetterSupplier<TK, TV>,
  /** Stream key → table key: identity for KTable joins, the user's selector for global tables. */
  keyMapper: (key: K, value: V) => TK | null,
  joiner: (value: V, tableValue: TV | null, key: K) => R,
  leftJoin: boolean,
): ProcessorSupplier<K, V, K, R> {
  return () => {
    let ctx: ProcessorContext<K, R>;
    const getter = table.get();
    return {
      init(context) {
        ctx = context;
        getter.init(context);
      },
      process(record) {
        if (record.value === null || record.value === undefined) {
          droppedRecord(ctx, 'null value in stream-table join', undefined);
          return;
        }
        const tableKey = record.key === null || record.key === undefined ? null : keyMapper(record.key, record.value);
        if (tableKey === null || tableKey === undefined) {
          if (!leftJoin) {
            droppedRecord(ctx, 'null join key in stream-table join', undefined);
            return;
          }
          ctx.forward({ ...record, value: joiner(record.value, null, record.key) });
          return;
        }
        // A versioned table answers as of the stream record's time (Kafka 3.5+), so a late stream record joins the
        // table row that was valid when it happened, not the latest one.
        const match = getter.isVersioned?.() ? getter.get(tableKey, record.timestamp) : getter.get(tableKey);
        if (match === null && !leftJoin) return;
        ctx.forward({ ...record, value: joiner(record.value, match?.value ?? null, record.key) });
      },
    };
  };
}
