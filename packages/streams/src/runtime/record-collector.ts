import type { Headers } from '../api/record.js';

/**
 * Where sinks and change-logging stores send serialized records. The stream thread backs it with a producer, the
 * test driver with in-memory lists; the task does not know which.
 */
export interface RecordCollector {
  send(record: {
    readonly topic: string;
    readonly partition: number | undefined;
    readonly key: Buffer | null;
    readonly value: Buffer | null;
    readonly timestamp: number;
    readonly headers: Headers;
  }): void;
  /** Partition count of a topic, for user partitioners; undefined when unknown. */
  partitionsFor(topic: string): number | undefined;
}
