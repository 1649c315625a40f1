/**
 * Logical graph nodes: what each DSL call adds, before it is written into a physical topology. A discriminated
 * union (one `kind` per node type) so passes and the compiler can switch over it exhaustively.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import type { TimestampExtractor } from '../api/record.js';
import type { Serde } from '../serde/serde.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import type { StreamPartitioner, TopicNameExtractor } from '../api/sink.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export interface SourceGraphNode {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: ReadonlyArray<string> | RegExp;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly timestampExtractor: TimestampExtractor | undefined;
  readonly offsetReset: 'earliest' | 'latest' | undefined;
}

export interface ProcessorGraphNode {
  readonly kind: 'processor';
  readonly name: string;
  readonly parents: ReadonlyArray<string>;
  readonly supplier: AnySupplier;
  /** Stores this processor reads or writes (its own and, for joins, the other side's). */
  readonly stores: ReadonlyArray<string>;
}

export interface SinkGraphNode {
  readonly kind: 'sink';
  readonly name: string;
  readonly parent: string;
  readonly topic: string | TopicNameExtractor;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly partitioner: StreamPartitioner | undefined;
}

export interface StateStoreGraphNode {
  readonly kind: 'state-store';
  readonly builder: StoreBuilder<StateStore>;
}

/**
 * A trip through an internal topic (Kafka Streams' `RepartitionNode`): null keys are filtered out, records are
 * written to `<applicationId>-<topic>` and read back by a new source, which starts a new sub-topology.
 */
export interface RepartitionGraphNode {
  readonly kind: 'repartition';
  readonly parent: string;
  /** Un-prefixed topic name, ends in `-repartition`. */
  readonly topic: string;
  readonly filterName: string;
  readonly sinkName: string;
  readonly sourceName: string;
  readonly numberOfPartitions: number | undefined;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly partitioner: StreamPartitioner | undefined;
}

export interface GlobalStoreGraphNode {
  readonly kind: 'global-store';
  readonly builder: StoreBuilder<StateStore>;
  readonly sourceName: string;
  readonly processorName: string;
  readonly topic: string;
  readonly keySerde: Serde<unknown> | undefined;
  readonly valueSerde: Serde<unknown> | undefined;
  readonly supplier: AnySupplier;
}

/** Source topics whose partitions must line up (the two sides of a join). */
export interface CopartitionGraphNode {
  readonly kind: 'copartition';
  /** Source node names; their topics form one co-partition group. */
  readonly sourceNodes: ReadonlyArray<string>;
}

/** An internal topic that sinks and sources of the graph name directly (foreign-key join subscriptions). */
export interface InternalTopicGraphNode {
  readonly kind: 'internal-topic';
  /** Un-prefixed name. */
  readonly name: string;
}

export type GraphNode =
  | SourceGraphNode
  | ProcessorGraphNode
  | SinkGraphNode
  | StateStoreGraphNode
  | RepartitionGraphNode
  | GlobalStoreGraphNode
  | CopartitionGraphNode
  | InternalTopicGraphNode;
