/**
 * Options objects that replace Kafka Streams' `Consumed`, `Produced`, `Grouped`, `Materialized`, `Repartitioned`
 * and `Named` config classes.
 */
import type { TimestampExtractor } from '../api/record.js';
import type { Serde } from '../serde/serde.js';
import type { StreamPartitioner, TopicNameExtractor } from '../api/sink.js';
import type { KeyValueBytesStoreSupplier } from '../state/key-value-bytes-store.js';
import type { VersionedBytesStoreSupplier } from '../state/versioned-store.js';

export interface ConsumedOptions<K, V> {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly timestampExtractor?: TimestampExtractor;
  /** Where to start when the application has no committed offset (default: earliest, as Kafka Streams). */
  readonly offsetReset?: 'earliest' | 'latest';
  /** Name of the source node. */
  readonly name?: string;
}

export type StoreKind = 'memory' | 'persistent';

export interface MaterializedOptions<K, V> {
  readonly storeName?: string;
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  /** Default `persistent` (LMDB), as Kafka Streams defaults to RocksDB. */
  readonly storeType?: StoreKind;
  /** Change-log the store to a compacted topic (default true). */
  readonly logging?: boolean;
  /** Extra changelog topic configs. */
  readonly logConfig?: Readonly<Record<string, string>>;
  /**
   * Kafka's `withCachingEnabled()`: the store's record cache coalesces updates of a key until the next commit (or
   * until the cache outgrows `statestoreCacheMaxBytes`), and the operation forwards only the latest. Off by default
   * here, so every update is forwarded as it happens (Kafka enables it by default for DSL stores).
   */
  readonly caching?: boolean;
  /**
   * Kafka's `Materialized.as(supplier)`: the key-value store supplier to use (its name is the store name), e.g.
   * `Stores.inMemoryKeyValueStore('counts')`. Versioned suppliers are for source tables only (see `TableOptions`).
   */
  readonly storeSupplier?: KeyValueBytesStoreSupplier;
  /** Window and session stores only. */
  readonly retentionMs?: number;
}

export interface TableOptions<K, V> extends ConsumedOptions<K, V> {
  readonly storeName?: string;
  readonly storeType?: StoreKind;
  readonly logging?: boolean;
  /** As `MaterializedOptions.caching`. */
  readonly caching?: boolean;
  /**
   * Kafka's `Materialized.as(supplier)`: a key-value store supplier, or a versioned one,
   * `Stores.persistentVersionedKeyValueStore(name, historyRetention)`: the table then keeps every version within the
   * history retention (its store name is the supplier's), stream-table joins read it as of each stream record's
   * timestamp, and out-of-order updates do not change table-table joins or aggregations.
   */
  readonly storeSupplier?: KeyValueBytesStoreSupplier | VersionedBytesStoreSupplier;
}

export interface ProducedOptions<K, V> {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly partitioner?: StreamPartitioner<K, V>;
  /** Name of the sink node. */
  readonly name?: string;
}

export interface RepartitionedOptions<K, V> {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly numberOfPartitions?: number;
  /** The topic becomes `<applicationId>-<name>-repartition`. */
  readonly name?: string;
  readonly partitioner?: StreamPartitioner<K, V>;
}

export interface GroupedOptions<K, V> {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  /** Names the repartition topic (`<applicationId>-<name>-repartition`) when one is needed. */
  readonly name?: string;
}

export interface ToTableOptions<K, V> {
  readonly storeName?: string;
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly storeType?: StoreKind;
  readonly logging?: boolean;
  /** As `MaterializedOptions.caching`. */
  readonly caching?: boolean;
  /** As `TableOptions.storeSupplier`. */
  readonly storeSupplier?: KeyValueBytesStoreSupplier | VersionedBytesStoreSupplier;
}

export interface NamedOptions {
  readonly name?: string;
}

/**
 * Kafka's `Joined` for stream-table joins: the serdes of the stream's key and value (used when the stream must be
 * repartitioned before the join) and of the table's value; `name` names the join processor and the repartition topic.
 */
export interface JoinedOptions<K, V, VO> extends NamedOptions {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly otherValueSerde?: Serde<VO>;
}

export type TopicOrExtractor<K, V> = string | TopicNameExtractor<K, V>;
