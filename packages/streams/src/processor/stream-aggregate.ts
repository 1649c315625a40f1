/**
 * KGroupedStream `aggregate` / `reduce` / `count` (Kafka Streams' `KStreamAggregate`, `KStreamReduce`): the result
 * is kept in a timestamped key-value store and each update is forwarded as a Change (or, with the store's cache on,
 * the latest per key when the cache flushes), stamped with the larger of the record's and the previous aggregate's
 * timestamp.
 */
import type { ProcessorContext, ProcessorSupplier } from '../api/processor.js';
import type { KeyValueStore } from '../state/store.js';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.js';
import { change } from './change.js';
import { tableForwarder, type TableForwarder } from './table-forwarder.js';
import type { Logger } from './logger.js';
import { droppedRecord } from './logger.js';

export interface StreamAggregation<K, V, A> {
  readonly storeName: string;
  /** Absent for `reduce`: the first value becomes the aggregate. */
  readonly initializer?: () => A;
  readonly aggregator: (key: K, value: V, aggregate: A) => A;
  readonly sendOldValues: () => boolean;
  readonly logger?: Logger;
}

export function streamAggregateProcessor<K, V, A>(spec: StreamAggregation<K, V, A>): ProcessorSupplier<K, V, K, unknown> {
  return () => {
    let ctx: ProcessorContext<K, unknown>;
    let store: KeyValueStore<K, ValueAndTimestamp<A>>;
    let forwarder: TableForwarder<K, A>;
    return {
      init(context) {
        ctx = context;
        store = context.getStateStore<KeyValueStore<K, ValueAndTimestamp<A>>>(spec.storeName);
        forwarder = tableForwarder(store, context as ProcessorContext<K, never>, spec.sendOldValues());
      },
      close() {
        forwarder.close();
      },
      process(record) {
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
          droppedRecord(ctx, 'null key or value', spec.logger);
          return;
        }
        const old = store.get(record.key);
        let next: A;
        if (old === null) {
          next = spec.initializer ? spec.aggregator(record.key, record.value, spec.initializer()) : (record.value as unknown as A);
        } else {
          next = spec.aggregator(record.key, record.value, old.value);
        }
        const timestamp = old === null ? record.timestamp : Math.max(record.timestamp, old.timestamp);
        store.put(record.key, { value: next, timestamp });
        forwarder.maybeForward({
          key: record.key,
          value: change(next, spec.sendOldValues() && old !== null ? old.value : null),
          timestamp,
          headers: record.headers,
        });
      },
    };
  };
}
