/** Reads a windowed KTable's value by `Windowed<K>` from its window (or session) store. */
import type { SessionStore, Windowed, WindowStore } from '../../state/store.js';
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.js';
import type { KTableValueGetterSupplier } from '../value-getter.js';

export function windowStoreValueGetter<K, V>(storeName: string): KTableValueGetterSupplier<Windowed<K>, V> {
  return {
    storeNames: [storeName],
    get() {
      let store: WindowStore<K, ValueAndTimestamp<V>> | undefined;
      return {
        init(context) {
          store = context.getStateStore<WindowStore<K, ValueAndTimestamp<V>>>(storeName);
        },
        get(windowed) {
          return store?.fetch(windowed.key, windowed.window.start) ?? null;
        },
      };
    },
  };
}

/** Session stores keep plain aggregates; the session end stands in for the timestamp, as Kafka's getter does. */
export function sessionStoreValueGetter<K, V>(storeName: string): KTableValueGetterSupplier<Windowed<K>, V> {
  return {
    storeNames: [storeName],
    get() {
      let store: SessionStore<K, V> | undefined;
      return {
        init(context) {
          store = context.getStateStore<SessionStore<K, V>>(storeName);
        },
        get(windowed): ValueAndTimestamp<V> | null {
          const value = store?.fetchSession(windowed.key, windowed.window.start, windowed.window.end) ?? null;
          return value === null ? null : { value, timestamp: windowed.window.end };
        },
      };
    },
  };
}
