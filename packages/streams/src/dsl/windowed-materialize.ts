/** Turns `MaterializedOptions` into the window and session store builders of windowed aggregations. */
import type { Serde } from '../serde/serde.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import { Stores } from '../state/stores.js';
import type { MaterializedOptions } from './options.js';

function applyOptions<K, V>(builder: StoreBuilder<StateStore>, options: MaterializedOptions<K, V> | undefined): StoreBuilder<StateStore> {
  let out = builder;
  if (options?.logging === false) out = out.withLoggingDisabled();
  else if (options?.logConfig) out = out.withLoggingEnabled({ ...options.logConfig });
  // Kafka's Materialized.withCachingEnabled().
  if (options?.caching) out = out.withCachingEnabled();
  return out;
}

/** Retention is at least `minRetentionMs` (window size + grace), or the user's longer `retentionMs`. */
export function retentionFor<K, V>(options: MaterializedOptions<K, V> | undefined, minRetentionMs: number): number {
  return Math.max(minRetentionMs, options?.retentionMs ?? 0);
}

export function timestampedWindowStoreBuilderFor<K, V>(
  storeName: string,
  options: MaterializedOptions<K, V> | undefined,
  retentionMs: number,
  windowSizeMs: number,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
): StoreBuilder<StateStore> {
  const supplier =
    options?.storeType === 'memory'
      ? Stores.inMemoryWindowStore(storeName, retentionMs, windowSizeMs, false)
      : Stores.persistentTimestampedWindowStore(storeName, retentionMs, windowSizeMs, false);
  return applyOptions(Stores.timestampedWindowStoreBuilder(supplier, keySerde, valueSerde), options);
}

export function sessionStoreBuilderFor<K, V>(
  storeName: string,
  options: MaterializedOptions<K, V> | undefined,
  retentionMs: number,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
): StoreBuilder<StateStore> {
  const supplier = options?.storeType === 'memory' ? Stores.inMemorySessionStore(storeName, retentionMs) : Stores.persistentSessionStore(storeName, retentionMs);
  return applyOptions(Stores.sessionStoreBuilder(supplier, keySerde, valueSerde), options);
}
