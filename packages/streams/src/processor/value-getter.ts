/**
 * Reads a KTable's current value by key: from its store when materialised, else through its parent and its own
 * mapping. Stream-table joins and downstream tables use it (Kafka Streams' `KTableValueGetterSupplier`).
 */
import type { ProcessorContext } from '../api/processor.js';
import type { KeyValueStore } from '../state/store.js';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.js';
import { isVersionedStore, type VersionedKeyValueStore } from '../state/versioned-store.js';

export interface KTableValueGetter<K, V> {
  init(context: ProcessorContext): void;
  /** The current value; with `asOfTimestamp`, over a versioned table, the value valid at that time. */
  get(key: K, asOfTimestamp?: number): ValueAndTimestamp<V> | null;
  /** Whether the table is versioned (known after `init`): stream-table joins then look up as of the record's time. */
  isVersioned?(): boolean;
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
      let versioned: VersionedKeyValueStore<K, V> | undefined;
      return {
        init(context) {
          const s = context.getStateStore(storeName);
          if (isVersionedStore<K, V>(s)) versioned = s;
          else store = s as unknown as KeyValueStore<K, ValueAndTimestamp<V>>;
        },
        get(key, asOfTimestamp) {
          if (key === null || key === undefined) return null;
          if (versioned === undefined) return store?.get(key) ?? null;
          const found = asOfTimestamp === undefined ? versioned.get(key) : versioned.get(key, asOfTimestamp);
          return found === null ? null : { value: found.value, timestamp: found.timestamp };
        },
        isVersioned: () => versioned !== undefined,
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
