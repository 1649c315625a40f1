/**
 * The backend port: everything the streams runtime needs from a log. Two implementations exist, `kafka/`
 * (Apache Kafka through librdkafka) and `embedded/` (an in-process log). Both honour Kafka's semantics:
 * partitions with dense offsets, consumer groups with eager rebalancing, transactions with read-committed reads.
 * Keys and values are bytes here; serdes live above the port.
 */
import type { Headers } from '../api/record.js';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** For commits and seeks the offset is the *next* offset to read, as in Kafka. */
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number;
}

export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, Buffer>>;
}

export interface ProducedRecord {
  readonly topic: string;
  /** When absent the backend picks one with Kafka's default partitioner (murmur2 of the key bytes; sticky/round-robin for null keys). */
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Epoch ms; the backend uses the current time when absent. */
  readonly timestamp?: number;
  readonly headers?: Headers;
}

export interface NewTopic {
  readonly name: string;
  readonly numPartitions: number;
  /** Topic configs, e.g. `cleanup.policy=compact`. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface AdminClient {
  /** Creates the topics that do not exist yet; existing ones are left alone (no error). */
  createTopics(topics: ReadonlyArray<NewTopic>): Promise<void>;
  /** Partition counts of the named topics; topics that do not exist are absent from the map. */
  describeTopics(names: ReadonlyArray<string>): Promise<Map<string, number>>;
  listTopics(): Promise<string[]>;
  deleteTopics(names: ReadonlyArray<string>): Promise<void>;
  /**
   * Deletes every record below each given offset (Kafka's DeleteRecords): the partition's log-start offset moves
   * there, and consumers positioned below it follow `autoOffsetReset`. Offset -1 means the high watermark. An offset
   * above the high watermark throws. Used to purge repartition topics once their records are committed.
   */
  deleteRecords(offsets: ReadonlyArray<TopicPartitionOffset>): Promise<void>;
  close(): Promise<void>;
}

export interface ProducerOptions {
  readonly clientId: string;
  /** Makes the producer transactional (and idempotent). */
  readonly transactionalId?: string;
  /** Transaction timeout; the broker aborts a transaction left open longer than this. */
  readonly transactionTimeoutMs?: number;
}

/** Opaque consumer-group state passed from a consumer to `sendOffsetsToTransaction` (KIP-447 fencing). */
export interface ConsumerGroupMetadata {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId?: string | undefined;
}

export interface Producer {
  /**
   * Queues a record. Returns at once; failures surface from the next `flush()` (or throw here when the record is
   * invalid before sending, e.g. an unknown topic on the embedded log). Records to one partition keep their order.
   */
  send(record: ProducedRecord): void;
  /**
   * Waits until every queued record is acknowledged. Resolves with, per partition written since the previous
   * flush, the offset of the last record written there; rejects with the first delivery error.
   */
  flush(): Promise<TopicPartitionOffset[]>;
  initTransactions(): Promise<void>;
  beginTransaction(): Promise<void>;
  /** Adds consumer offsets (next offset to read) to the open transaction. */
  sendOffsetsToTransaction(offsets: ReadonlyArray<TopicPartitionOffset>, group: ConsumerGroupMetadata): Promise<void>;
  /** Flushes, then commits. Rejects with `ProducerFencedError` when a newer producer owns the transactional id. */
  commitTransaction(): Promise<void>;
  abortTransaction(): Promise<void>;
  close(): Promise<void>;
}

export interface ConsumerOptions {
  readonly clientId: string;
  /** Absent: a group-less consumer that can only `assign()`. */
  readonly groupId?: string;
  /** Static membership (`group.instance.id`). */
  readonly groupInstanceId?: string;
  readonly isolationLevel: 'read_committed' | 'read_uncommitted';
  /** Where to start when the group has no committed offset. */
  readonly autoOffsetReset: 'earliest' | 'latest';
  readonly sessionTimeoutMs?: number;
  readonly maxPollIntervalMs?: number;
}

/**
 * Rebalance callbacks. They are awaited: a revocation completes (commit, flush, close tasks) before the partitions
 * move, an assignment completes before records of those partitions are returned. Assignment is eager (all
 * partitions revoked, then the new set assigned) with the range assignor, so co-partitioned topics land together.
 */
export interface RebalanceListener {
  onPartitionsRevoked(partitions: ReadonlyArray<TopicPartition>): Promise<void>;
  onPartitionsAssigned(partitions: ReadonlyArray<TopicPartition>): Promise<void>;
  /** The member lost its partitions without a clean revoke (session timeout, fencing): no commits are possible. */
  onPartitionsLost?(partitions: ReadonlyArray<TopicPartition>): Promise<void>;
}

export interface Consumer {
  subscribe(topics: ReadonlyArray<string> | RegExp, listener: RebalanceListener): Promise<void>;
  /** Group-less assignment (restore, global stores). Starts at the given offsets, or per `autoOffsetReset` when -1. */
  assign(partitions: ReadonlyArray<TopicPartitionOffset>): Promise<void>;
  unassign(): Promise<void>;
  assignment(): TopicPartition[];
  /**
   * Returns up to `maxRecords` records, waiting up to `timeoutMs` for the first. Rebalance callbacks run inside
   * `poll`. An empty array is a normal answer.
   */
  poll(maxRecords: number, timeoutMs: number): Promise<ConsumedRecord[]>;
  seek(position: TopicPartitionOffset): void;
  /** The next offset `poll` will return for the partition. */
  position(partition: TopicPartition): number;
  pause(partitions: ReadonlyArray<TopicPartition>): void;
  resume(partitions: ReadonlyArray<TopicPartition>): void;
  /** Committed offsets of the group; -1 where nothing is committed. */
  committed(partitions: ReadonlyArray<TopicPartition>): Promise<TopicPartitionOffset[]>;
  commit(offsets: ReadonlyArray<TopicPartitionOffset>): Promise<void>;
  /** Log-start offsets. */
  beginningOffsets(partitions: ReadonlyArray<TopicPartition>): Promise<TopicPartitionOffset[]>;
  /** End offsets as this consumer can read them: the last stable offset under read_committed, else the high watermark. */
  endOffsets(partitions: ReadonlyArray<TopicPartition>): Promise<TopicPartitionOffset[]>;
  groupMetadata(): ConsumerGroupMetadata;
  close(): Promise<void>;
}

export interface Backend {
  readonly kind: 'embedded' | 'kafka';
  admin(): AdminClient;
  createProducer(options: ProducerOptions): Promise<Producer>;
  createConsumer(options: ConsumerOptions): Promise<Consumer>;
  close(): Promise<void>;
}

/** A newer producer with the same transactional id, or a newer group generation, took over: this one must stop. */
export class ProducerFencedError extends Error {
  override readonly name = 'ProducerFencedError';
}

/**
 * Whether a retry may cure `error`: a broker restarting, a leader or coordinator moving, a request timing out. A
 * backend marks such errors with `retriable: true` (on the error or any error in its `cause` chain); the runtime
 * then retries with back-off instead of stopping (Kafka's `RetriableException`).
 */
export function isRetriable(error: unknown): boolean {
  return inCauseChain(error, (e) => (e as { retriable?: unknown }).retriable === true);
}

/**
 * Whether `error` left the client that raised it unusable, so that its owner must replace the client rather than
 * retry with it: one of librdkafka's fatal errors (an idempotent producer that lost a sequence), or a native call that
 * never answered (the handle is left alone so as not to crash the process). A backend marks such errors with
 * `fatal: true`, on the error or any error in its `cause` chain.
 */
export function needsNewClient(error: unknown): boolean {
  return inCauseChain(error, (e) => (e as { fatal?: unknown }).fatal === true);
}

/** Whether `error` or an error in its `cause` chain (wrappers such as ProcessorError keep the original) matches. */
export function inCauseChain(error: unknown, matches: (e: Error) => boolean): boolean {
  let e: unknown = error;
  for (let i = 0; i < 8 && e instanceof Error; i++) {
    if (matches(e)) return true;
    e = e.cause;
  }
  return false;
}

/** A partition or topic the caller used does not exist. */
export class UnknownTopicError extends Error {
  override readonly name = 'UnknownTopicError';
  constructor(readonly topic: string) {
    super(`Topic "${topic}" does not exist`);
  }
}

/**
 * An offset commit from a consumer that is no longer a current member of its group (it was dropped for not polling,
 * or a rebalance completed without it): its partitions belong to someone else now (Kafka's CommitFailedException).
 */
export class CommitFailedError extends Error {
  override readonly name = 'CommitFailedError';
}
