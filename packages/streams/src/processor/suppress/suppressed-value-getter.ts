/** A suppressed table's value getter: a buffered update wins over the parent's value (Kafka's suppress view). */
import type { KeyValueStore } from '../../state/store.js';
import type { KTableValueGetterSupplier } from '../value-getter.js';
import type { BufferEntry } from './time-ordered-buffer.js';

export function suppressedValueGetter<K, V>(storeName: string, parent: KTableValueGetterSupplier<K, V>): KTableValueGetterSupplier<K, V> {
  return {
    storeNames: [storeName, ...parent.storeNames],
    get() {
      const inner = parent.get();
      let store: KeyValueStore<K, BufferEntry<V>> | undefined;
      return {
        init(context) {
          inner.init(context);
          store = context.getStateStore<KeyValueStore<K, BufferEntry<V>>>(storeName);
        },
        get(key) {
          const buffered = key === null || key === undefined ? null : (store?.get(key) ?? null);
          if (buffered === null) return inner.get(key);
          return buffered.newValue === null ? null : { value: buffered.newValue, timestamp: buffered.timestamp };
        },
      };
    },
  };
}
