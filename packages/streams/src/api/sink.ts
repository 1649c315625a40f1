// Where a sink sends a record: its topic (chosen per record) and its partition. Used by the DSL (`to()`), the graph,
// the topology and the runtime's record collector, hence in api/.
import type { RecordContext } from './record.js';

/** Chooses the topic per record (Kafka Streams' `TopicNameExtractor`). */
export type TopicNameExtractor<K = unknown, V = unknown> = (key: K, value: V, context: RecordContext) => string;
/** Chooses the partition; `undefined` leaves it to the default partitioner (Kafka Streams' `StreamPartitioner`). */
export type StreamPartitioner<K = unknown, V = unknown> = (
  topic: string,
  key: K,
  value: V,
  numPartitions: number,
) => number | undefined;
