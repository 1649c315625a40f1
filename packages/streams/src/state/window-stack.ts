import type { Serde } from '../serde/serde.js';
import { CachingWindowBytesStore } from './caching-window-store.js';
import { ChangeLoggingWindowBytesStore } from './change-logging-window-store.js';
import type { ChangelogFormat } from './changelog-format.js';
import { MeteredWindowStore } from './metered-window-store.js';
import type { StoreBuilderSettings } from './store-builder.js';
import type { WindowBytesLayer } from './window-bytes-layer.js';
import type { WindowBytesStore } from './window-bytes-store.js';

/**
 * metered (typed) → caching (optional) → change-logging (optional) → segmented store, as Kafka Streams layers
 * window stores. A store that retains duplicates (a stream-stream join buffer) never caches: Kafka turns caching off
 * for it, since every put must stay its own entry.
 */
export function assembleWindowStack<K, V>(
  store: WindowBytesStore,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  format: ChangelogFormat,
  settings: StoreBuilderSettings,
): MeteredWindowStore<K, V> {
  let layer: WindowBytesLayer = store;
  if (settings.loggingEnabled) layer = new ChangeLoggingWindowBytesStore(layer, format);
  if (settings.cachingEnabled && !store.retainDuplicates) layer = new CachingWindowBytesStore(layer, store.segmentIntervalMs, settings.cache);
  return new MeteredWindowStore(layer, keySerde, valueSerde, format);
}
