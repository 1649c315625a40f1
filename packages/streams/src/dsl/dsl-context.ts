/**
 * What every DSL object of one builder shares: the logical graph (and its naming counter). DSL objects are
 * immutable views onto a node of this graph.
 */
import { LogicalGraph } from '../graph/logical-graph.js';
import type { RepartitionGraphNode } from '../graph/nodes.js';
import { Serdes } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import type { StreamPartitioner } from '../api/sink.js';

/** Serde used when none is given or inherited; JSON round-trips strings, numbers and plain objects. */
export const FALLBACK_SERDE: Serde<unknown> = Serdes.json<unknown>();

export function serdeOrFallback<T>(serde: Serde<T> | undefined): Serde<T> {
  return serde ?? (FALLBACK_SERDE as Serde<T>);
}

export class DslContext {
  readonly graph = new LogicalGraph();

  /** Adds a repartition node and returns the name of the source that reads it back. */
  repartition(
    parent: string,
    topicPrefix: string,
    options: {
      keySerde: Serde<unknown> | undefined;
      valueSerde: Serde<unknown> | undefined;
      numberOfPartitions?: number | undefined;
      partitioner?: StreamPartitioner | undefined;
      userNamed: boolean;
    },
  ): RepartitionGraphNode {
    const topic = topicPrefix.endsWith('-repartition') ? topicPrefix : `${topicPrefix}-repartition`;
    // Same naming order as Kafka Streams: sink, filter, source (generated), or derived from the user's name.
    const sinkName = options.userNamed ? `${topicPrefix}-repartition-sink` : this.graph.newProcessorName('KSTREAM-SINK-');
    const filterName = options.userNamed ? `${topicPrefix}-repartition-filter` : this.graph.newProcessorName('KSTREAM-FILTER-');
    const sourceName = options.userNamed ? `${topicPrefix}-repartition-source` : this.graph.newProcessorName('KSTREAM-SOURCE-');
    return this.graph.add({
      kind: 'repartition',
      parent,
      topic,
      filterName,
      sinkName,
      sourceName,
      numberOfPartitions: options.numberOfPartitions,
      keySerde: options.keySerde,
      valueSerde: options.valueSerde,
      partitioner: options.partitioner,
    });
  }
}
