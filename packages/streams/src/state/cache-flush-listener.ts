/** One entry forwarded when a caching store flushes (Kafka Streams' `Record<K, Change<V>>` from the cache). */
export interface CacheFlushEvent<K, V> {
  readonly key: K;
  readonly newValue: V | null;
  /** Only filled when the listener asked for old values. */
  readonly oldValue: V | null;
  /** The timestamp of the record that last wrote this entry. */
  readonly timestamp: number;
}

export type CacheFlushListener<K, V> = (event: CacheFlushEvent<K, V>) => void;

/** Stores that may cache writes. DSL processors register a listener and forward only what the cache flushes. */
export interface CachedStateStore<K, V> {
  /** Returns false (and never calls the listener) when caching is off: the caller then forwards every update itself. */
  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): boolean;
}

export function isCachedStateStore<K, V>(store: object): store is CachedStateStore<K, V> {
  return typeof (store as Partial<CachedStateStore<K, V>>).setFlushListener === 'function';
}
