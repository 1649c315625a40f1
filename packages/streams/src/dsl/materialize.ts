/** Turns `MaterializedOptions` into a store builder for the DSL's timestamped (or versioned) key-value stores. */
import { Stores } from '../state/stores.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValueBytesStoreSupplier } from '../state/key-value-bytes-store.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import { isVersionedSupplier, type VersionedBytesStoreSupplier } from '../state/versioned-store.js';
import type { MaterializedOptions } from './options.js';

type MaterializedLike<K, V> = Omit<MaterializedOptions<K, V>, 'storeSupplier'> & {
  readonly storeSupplier?: KeyValueBytesStoreSupplier | VersionedBytesStoreSupplier;
};

/** The store name a materialization asks for: its supplier's (Kafka's `Materialized.as(supplier)`), else `storeName`. */
export function materializedStoreName(options: { readonly storeName?: string; readonly storeSupplier?: { readonly name: string } } | undefined): string | undefined {
  return options?.storeSupplier?.name ?? options?.storeName;
}

/**
 * `versionedAllowed`: only source tables (`builder.table`, `toTable`) can be versioned, as in Kafka; elsewhere a
 * versioned supplier is refused at build time.
 */
export function keyValueStoreBuilderFor<K, V>(
  storeName: string,
  options: MaterializedLike<K, V> | undefined,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  versionedAllowed = false,
): StoreBuilder<StateStore> {
  const given = options?.storeSupplier;
  if (given !== undefined && isVersionedSupplier(given)) {
    if (!versionedAllowed) {
      throw new TypeError(`Store "${given.name}": a versioned store can only materialize a source table (builder.table() or toTable())`);
    }
    const versioned: StoreBuilder<StateStore> = Stores.versionedKeyValueStoreBuilder(given, keySerde, valueSerde);
    return options?.logging === false ? versioned.withLoggingDisabled() : versioned;
  }
  const supplier =
    given ?? (options?.storeType === 'memory' ? Stores.inMemoryKeyValueStore(storeName) : Stores.persistentTimestampedKeyValueStore(storeName));
  let builder: StoreBuilder<StateStore> = Stores.timestampedKeyValueStoreBuilder(supplier, keySerde, valueSerde);
  if (options?.logging === false) builder = builder.withLoggingDisabled();
  else if (options?.logConfig) builder = builder.withLoggingEnabled({ ...options.logConfig });
  if (options?.caching) builder = builder.withCachingEnabled();
  return builder;
}
