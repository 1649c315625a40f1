import type { Serde } from '../serde/serde.js';
import { CachingKeyValueBytesStore } from './caching-key-value-store.js';
import { ChangeLoggingKeyValueBytesStore } from './change-logging-key-value-store.js';
import type { ChangelogFormat } from './changelog-format.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import { MeteredKeyValueStore } from './metered-key-value-store.js';
import type { StoreBuilderSettings } from './store-builder.js';

/** metered (typed) → caching (optional) → change-logging (optional) → bytes store, as Kafka Streams layers them. */
export function assembleKeyValueStack<K, V>(
  inner: KeyValueBytesStore,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  format: ChangelogFormat,
  settings: StoreBuilderSettings,
): MeteredKeyValueStore<K, V> {
  let store: KeyValueBytesStore = inner;
  if (settings.loggingEnabled) store = new ChangeLoggingKeyValueBytesStore(store, format);
  if (settings.cachingEnabled) store = new CachingKeyValueBytesStore(store, settings.cache);
  return new MeteredKeyValueStore(store, keySerde, valueSerde, format);
}
