/**
 * Record headers. Kafka allows repeated keys; Kafka Streams users almost never rely on it, so a plain object
 * (last value wins) keeps the common case simple. Strings are encoded as UTF-8 when produced; consumed headers are
 * always Buffers.
 */
export type Headers = Record<string, string | Buffer>;

/** A record as processors see it (Kafka Streams' `api.Record`). */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  /** Event time in epoch milliseconds. */
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Where the record being processed came from (`context.recordMetadata()`). */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Passed to topic-name extractors (dynamic routing in `to()`). */
export interface RecordContext {
  readonly topic: string | undefined;
  readonly partition: number | undefined;
  readonly offset: number | undefined;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Chooses the event time of a consumed record. `partitionTime` is the largest timestamp seen on that partition. */
export type TimestampExtractor = (
  record: { topic: string; partition: number; offset: number; key: unknown; value: unknown; timestamp: number },
  partitionTime: number,
) => number;

/** A key-value pair, as returned by store iterators and the test driver. */
export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}
