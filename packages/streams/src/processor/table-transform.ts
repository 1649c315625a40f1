/**
 * KTable `filter`, `filterNot` and `mapValues` (Kafka Streams' `KTableFilter`, `KTableMapValues`): they transform
 * both sides of each Change. Without old values a filtered-out record becomes a tombstone, which is how a table
 * says "this key is not (or no longer) in me". Optionally the result is materialised in its own store.
 */
import type { ProcessorContext, ProcessorSupplier } from '../api/processor.js';
import type { KeyValueStore } from '../state/store.js';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.js';
import type { Change } from './change.js';
import type { KTableValueGetterSupplier } from './value-getter.js';
import { tableForwarder, type TableForwarder } from './table-forwarder.js';

/** Maps a table value to the derived table's value; null means "absent". */
export type TableValueTransform<K, V, V2> = (key: K, value: V) => V2 | null;

export function filterTransform<K, V>(predicate: (key: K, value: V) => boolean, not: boolean): TableValueTransform<K, V, V> {
  return (key, value) => (predicate(key, value) !== not ? value : null);
}

export function mapValuesTransform<K, V, V2>(mapper: (value: V, key: K) => V2): TableValueTransform<K, V, V2> {
  return (key, value) => mapper(value, key);
}

export function tableTransformProcessor<K, V, V2>(
  transform: TableValueTransform<K, V, V2>,
  sendOldValues: () => boolean,
  /** Filters drop a Change that is null on both sides; mapValues forwards it. */
  dropEmpty: boolean,
  storeName: string | undefined,
): ProcessorSupplier<K, Change<V>, K, unknown> {
  return () => {
    let store: KeyValueStore<K, ValueAndTimestamp<V2>> | undefined;
    let forwarder: TableForwarder<K, V2>;
    return {
      init(context) {
        if (storeName) store = context.getStateStore<KeyValueStore<K, ValueAndTimestamp<V2>>>(storeName);
        forwarder = tableForwarder(store, context as ProcessorContext<K, never>, sendOldValues());
      },
      close() {
        forwarder.close();
      },
      process(record) {
        const c = record.value;
        const newValue = c.newValue === null ? null : transform(record.key, c.newValue);
        let oldValue: V2 | null = null;
        if (store) {
          oldValue = store.get(record.key)?.value ?? null;
        } else if (sendOldValues() && c.oldValue !== null) {
          oldValue = transform(record.key, c.oldValue);
        }
        if (dropEmpty && sendOldValues() && oldValue === null && newValue === null) return;
        store?.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp });
        const forwardedOld = sendOldValues() ? oldValue : null;
        forwarder.maybeForward({
          key: record.key,
          // Two literals rather than a spread of a conditional object: no object per record to copy from.
          value: c.isLatest === false ? { newValue, oldValue: forwardedOld, isLatest: false } : { newValue, oldValue: forwardedOld },
          timestamp: record.timestamp,
          headers: record.headers,
        });
      },
    };
  };
}

/** The derived table's value getter: its own store when materialised, else the parent's value transformed. */
export function transformedValueGetter<K, V, V2>(
  parent: KTableValueGetterSupplier<K, V>,
  transform: TableValueTransform<K, V, V2>,
): KTableValueGetterSupplier<K, V2> {
  return {
    storeNames: parent.storeNames,
    get() {
      const inner = parent.get();
      return {
        init: (context) => inner.init(context),
        get(key, asOfTimestamp) {
          const v = inner.get(key, asOfTimestamp);
          if (v === null) return null;
          const mapped = transform(key, v.value);
          return mapped === null ? null : { value: mapped, timestamp: v.timestamp };
        },
        isVersioned: () => inner.isVersioned?.() ?? false,
      };
    },
  };
}

export function tableToStreamProcessor<K, V>(): ProcessorSupplier<K, Change<V>, K, V | null> {
  return () => {
    let ctx: ProcessorContext<K, V | null>;
    return {
      init(context) {
        ctx = context;
      },
      process(record) {
        ctx.forward({ key: record.key, value: record.value.newValue, timestamp: record.timestamp, headers: record.headers });
      },
    };
  };
}
