/**
 * KGroupedTable `aggregate` / `reduce` / `count` (Kafka Streams' `KTableAggregate`, `KTableReduce`): subtract the
 * old value, then add the new one, store the result and forward the change.
 */
import type { ProcessorContext, ProcessorSupplier } from '../api/processor.js';
import type { KeyValueStore } from '../state/store.js';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.js';
import type { Change } from './change.js';
import { droppedRecord } from './logger.js';
import { tableForwarder, type TableForwarder } from './table-forwarder.js';

export interface TableAggregation<K, V, A> {
  readonly storeName: string;
  /** Absent for `reduce`. */
  readonly initializer?: () => A;
  readonly adder: (key: K, value: V, aggregate: A) => A;
  readonly subtractor: (key: K, value: V, aggregate: A) => A;
  readonly sendOldValues: () => boolean;
}

export function tableAggregateProcessor<K, V, A>(spec: TableAggregation<K, V, A>): ProcessorSupplier<K, Change<V>, K, Change<A>> {
  return () => {
    let ctx: ProcessorContext<K, Change<A>>;
    let store: KeyValueStore<K, ValueAndTimestamp<A>>;
    let forwarder: TableForwarder<K, A>;
    return {
      init(context) {
        ctx = context;
        store = context.getStateStore<KeyValueStore<K, ValueAndTimestamp<A>>>(spec.storeName);
        forwarder = tableForwarder(store, context, spec.sendOldValues());
      },
      close() {
        forwarder.close();
      },
      process(record) {
        if (record.key === null || record.key === undefined) {
          droppedRecord(ctx, 'null key in table aggregation', undefined);
          return;
        }
        const old = store.get(record.key);
        const oldAgg = old?.value ?? null;
        let timestamp = record.timestamp;
        let agg: A | null = oldAgg;
        if (record.value.oldValue !== null && oldAgg !== null) {
          agg = spec.subtractor(record.key, record.value.oldValue, oldAgg);
          timestamp = Math.max(record.timestamp, old?.timestamp ?? record.timestamp);
        }
        if (record.value.newValue !== null) {
          if (agg === null) {
            agg = spec.initializer
              ? spec.adder(record.key, record.value.newValue, spec.initializer())
              : (record.value.newValue as unknown as A);
          } else {
            agg = spec.adder(record.key, record.value.newValue, agg);
          }
          if (old !== null) timestamp = Math.max(record.timestamp, old.timestamp);
        }
        store.put(record.key, agg === null ? null : { value: agg, timestamp });
        forwarder.maybeForward({
          key: record.key,
          value: { newValue: agg, oldValue: spec.sendOldValues() ? oldAgg : null },
          timestamp,
          headers: record.headers,
        });
      },
    };
  };
}
