/**
 * Reads a KTable's current value by key: from its store when materialised, else through its parent and its own
 * mapping. Stream-table joins and downstream tables use it (Kafka Streams' `KTableValueGetterSupplier`).
 */
import type { ProcessorContext } from '../api/processor.js';
import type { KeyValueStore } from '../state/store.js';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.js';

export interface KTableValueGetter<K, V> {
  init(context: ProcessorContext): void;
  get(key: K): ValueAndTimestamp<V> | null;
}

export interface KTableValueGetterSupplier<K, V> {
  /** Stores the getter reads; the processor that uses it must be connected to them. */
  readonly storeNames: ReadonlyArray<string>;
  get(): KTableValueGetter<K, V>;
}

export function storeValueGetter<K, V>(storeName: string): KTableValueGetterSupplier<K, V> {
  return {
    storeNames: [storeName],
    get() {
      let store: KeyValueStore<K, ValueAndTimestamp<V>> | undefined;
      return {
        init(context) {
          store = context.getStateStore<KeyValueStore<K, ValueAndTimestamp<V>>>(storeName);
        },
        get(key) {
          return key === null || key === undefined ? null : (store?.get(key) ?? null);
        },
      };
    },
  };
}

/**
 * A getter over two tables' getters (join results computed on read): `combine` gets a lookup function for each side
 * and the key, and returns the result or null.
 */
export function combinedValueGetter<K, L, LK, R, RK, V>(
  left: KTableValueGetterSupplier<LK, L>,
  right: KTableValueGetterSupplier<RK, R>,
  combine: (left: (key: LK) => ValueAndTimestamp<L> | null, right: (key: RK) => ValueAndTimestamp<R> | null, key: K) => ValueAndTimestamp<V> | null,
): KTableValueGetterSupplier<K, V> {
  return {
    storeNames: [...left.storeNames, ...right.storeNames],
    get() {
      const l = left.get();
      const r = right.get();
      return {
        init(context) {
          l.init(context);
          r.init(context);
        },
        get: (key) => combine((k) => l.get(k), (k) => r.get(k), key),
      };
    },
  };
}
