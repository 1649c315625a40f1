/**
 * Applies a stream thread's record cache (the app's `statestoreCacheMaxBytes` over its thread count, Kafka's
 * `statestore.cache.max.bytes`) to a compiled topology: every store built with caching counts its entries against
 * that one budget, shared with the thread's other cached stores and tasks, as Kafka's ThreadCache is; a budget of 0
 * turns caching off, so that each write is forwarded at once (what Kafka's tests get with a zero-byte cache).
 */
import { LayeredStoreBuilder } from '../state/store-builder.js';
import type { ThreadCache } from '../state/thread-cache.js';
import type { PhysicalTopology, StoreSpec } from './physical.js';

export function withCacheBudget(topology: PhysicalTopology, cache: ThreadCache): PhysicalTopology {
  let changed = false;
  const stores = new Map<string, StoreSpec>();
  for (const [name, spec] of topology.stores) {
    const builder = spec.builder;
    if (builder.cachingEnabled && builder instanceof LayeredStoreBuilder) {
      stores.set(name, { ...spec, builder: builder.withThreadCache(cache) });
      changed = true;
    } else {
      stores.set(name, spec);
    }
  }
  return changed ? { ...topology, stores } : topology;
}
