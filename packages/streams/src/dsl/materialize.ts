/** Turns `MaterializedOptions` into a store builder for the DSL's timestamped key-value stores. */
import { Stores } from '../state/stores.js';
import type { Serde } from '../serde/serde.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import type { VersionedBytesStoreSupplier } from '../state/versioned-store.js';
import type { MaterializedOptions } from './options.js';

export function keyValueStoreBuilderFor<K, V>(
  storeName: string,
  options: (MaterializedOptions<K, V> & { readonly storeSupplier?: VersionedBytesStoreSupplier }) | undefined,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
): StoreBuilder<StateStore> {
  if (options?.storeSupplier) {
    const versioned: StoreBuilder<StateStore> = Stores.versionedKeyValueStoreBuilder(options.storeSupplier, keySerde, valueSerde);
    return options.logging === false ? versioned.withLoggingDisabled() : versioned;
  }
  const supplier =
    options?.storeType === 'memory'
      ? Stores.inMemoryKeyValueStore(storeName)
      : Stores.persistentTimestampedKeyValueStore(storeName);
  let builder: StoreBuilder<StateStore> = Stores.timestampedKeyValueStoreBuilder(supplier, keySerde, valueSerde);
  if (options?.logging === false) builder = builder.withLoggingDisabled();
  else if (options?.logConfig) builder = builder.withLoggingEnabled({ ...options.logConfig });
  if (options?.caching) builder = builder.withCachingEnabled();
  return builder;
}
