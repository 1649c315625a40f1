/**
 * The physical topology: the contract between the compiler (DSL → logical graph → this) and the runtime (tasks,
 * test driver). It is plain data plus processor suppliers; the runtime instantiates it once per task.
 *
 * Topic names: user topics are used as written. Internal topics (repartition, changelog) are stored here without
 * the application id; the runtime names them `<applicationId>-<name>` (see `internalTopicName`).
 */
import type { ProcessorSupplier } from '../api/processor.js';
import type { TimestampExtractor } from '../api/record.js';
import type { Serde } from '../serde/serde.js';
import type { ChangelogRetention, StateStore, StoreBuilder } from '../state/store.js';

import type { StreamPartitioner, TopicNameExtractor } from '../api/sink.js';
// Declared in api/ (the DSL and the graph name them too); re-exported for the runtime's imports.
export type { StreamPartitioner, TopicNameExtractor } from '../api/sink.js';

export interface SourceNodeSpec {
  readonly kind: 'source';
  readonly name: string;
  /** Topic names (user topics as written; internal ones by their un-prefixed name, see `internalTopics`) ... */
  readonly topics: ReadonlyArray<string>;
  /** ... or a pattern (then `topics` is empty). */
  readonly pattern?: RegExp;
  readonly keySerde?: Serde<unknown>;
  readonly valueSerde?: Serde<unknown>;
  readonly timestampExtractor?: TimestampExtractor;
  readonly offsetReset?: 'earliest' | 'latest';
  readonly children: ReadonlyArray<string>;
}

export interface ProcessorNodeSpec {
  readonly kind: 'processor';
  readonly name: string;
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  /** Names of the state stores this processor may use (`context.getStateStore`). */
  readonly stores: ReadonlyArray<string>;
  readonly children: ReadonlyArray<string>;
}

export interface SinkNodeSpec {
  readonly kind: 'sink';
  readonly name: string;
  /** A topic name (internal ones un-prefixed) or an extractor for dynamic routing. */
  readonly topic: string | TopicNameExtractor;
  readonly keySerde?: Serde<unknown>;
  readonly valueSerde?: Serde<unknown>;
  readonly partitioner?: StreamPartitioner;
}

export type NodeSpec = SourceNodeSpec | ProcessorNodeSpec | SinkNodeSpec;

export interface StoreSpec {
  readonly builder: StoreBuilder<StateStore>;
  /** Un-prefixed changelog topic name (`<storeName>-changelog`), absent when logging is disabled. */
  readonly changelogTopic?: string;
  /**
   * A source-topic changelog: for `builder.table()` with topology optimisation the source topic itself serves as
   * changelog. Absent in the default (unoptimised) topology.
   */
  readonly sourceTopicAsChangelog?: string;
}

export interface InternalTopicSpec {
  /** Un-prefixed name, e.g. `KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition` or `counts-changelog`. */
  readonly name: string;
  readonly type: 'repartition' | 'changelog';
  /** Fixed count (user given), or undefined: derived at start-up from the source topics of the subtopology that writes it (repartition) or reads it (changelog: same as the task count). */
  readonly numPartitions?: number;
  readonly config: Readonly<Record<string, string>>;
  /** Changelogs of window, session and versioned stores: the retention the app's margin is added to at creation. */
  readonly retention?: ChangelogRetention;
}

export interface SubtopologySpec {
  readonly id: number;
  /** Node names in this subtopology, sources first, in creation order. */
  readonly nodes: ReadonlyArray<string>;
  /** Topics read (user and internal, un-prefixed). Tasks are one per partition of these (they must be co-partitioned). */
  readonly sourceTopics: ReadonlyArray<string>;
  readonly sourcePattern?: RegExp;
  readonly stores: ReadonlyArray<string>;
  /** Groups of source topics that must have the same partition count (joins). */
  readonly copartitionGroups: ReadonlyArray<ReadonlyArray<string>>;
}

/** A global store: every instance reads all partitions of `topic` into it, before and while processing. */
export interface GlobalStoreSpec {
  readonly storeName: string;
  readonly sourceName: string;
  readonly topic: string;
  readonly keySerde?: Serde<unknown>;
  readonly valueSerde?: Serde<unknown>;
  /** The processor that applies each record of `topic` to the store (it gets the store by name). */
  readonly processorName: string;
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
}

export interface PhysicalTopology {
  readonly nodes: ReadonlyMap<string, NodeSpec>;
  readonly subtopologies: ReadonlyArray<SubtopologySpec>;
  readonly stores: ReadonlyMap<string, StoreSpec>;
  readonly globalStores: ReadonlyArray<GlobalStoreSpec>;
  /** Internal topics by un-prefixed name. */
  readonly internalTopics: ReadonlyMap<string, InternalTopicSpec>;
  /** Global stores' group ids (by global source name): they share the numbering with sub-topologies, as in Kafka. */
  readonly globalSubtopologyIds: ReadonlyMap<string, number>;
}

/** The real name of an internal topic. */
export function internalTopicName(applicationId: string, name: string): string {
  return `${applicationId}-${name}`;
}

/** The real name of a topic as the topology names it: internal topics get the application id prefix, others not. */
export function realTopicName(topology: Pick<PhysicalTopology, 'internalTopics'>, applicationId: string, name: string): string {
  return topology.internalTopics.has(name) ? internalTopicName(applicationId, name) : name;
}
