/**
 * Applies the app's `statestoreCacheMaxBytes` (Kafka's `statestore.cache.max.bytes`) to a compiled topology: every
 * store built with caching gets that budget, and a budget of 0 turns caching off, so that each write is forwarded
 * at once (what Kafka's tests get with a zero-byte cache). Kafka shares one budget among all stores of a thread;
 * here each cached store has the whole budget.
 */
import { LayeredStoreBuilder } from '../state/store-builder.js';
import type { PhysicalTopology, StoreSpec } from './physical.js';

export function withCacheBudget(topology: PhysicalTopology, cacheMaxBytes: number): PhysicalTopology {
  let changed = false;
  const stores = new Map<string, StoreSpec>();
  for (const [name, spec] of topology.stores) {
    const builder = spec.builder;
    if (builder.cachingEnabled && builder instanceof LayeredStoreBuilder) {
      stores.set(name, { ...spec, builder: builder.withCacheMaxBytes(cacheMaxBytes) });
      changed = true;
    } else {
      stores.set(name, spec);
    }
  }
  return changed ? { ...topology, stores } : topology;
}
