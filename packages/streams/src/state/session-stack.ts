import type { Serde } from '../serde/serde.js';
import { CachingSessionBytesStore } from './caching-session-store.js';
import { ChangeLoggingSessionBytesStore } from './change-logging-session-store.js';
import { MeteredSessionStore } from './metered-session-store.js';
import type { SessionBytesLayer } from './session-bytes-layer.js';
import type { SessionBytesStore } from './session-bytes-store.js';
import type { StoreBuilderSettings } from './store-builder.js';

/** metered (typed) → caching (optional) → change-logging (optional) → segmented store, as Kafka Streams layers them. */
export function assembleSessionStack<K, AGG>(
  store: SessionBytesStore,
  keySerde: Serde<K>,
  aggSerde: Serde<AGG>,
  settings: StoreBuilderSettings,
): MeteredSessionStore<K, AGG> {
  let layer: SessionBytesLayer = store;
  if (settings.loggingEnabled) layer = new ChangeLoggingSessionBytesStore(layer);
  if (settings.cachingEnabled) layer = new CachingSessionBytesStore(layer, store.segmentIntervalMs, settings.cache);
  return new MeteredSessionStore(layer, keySerde, aggSerde);
}
