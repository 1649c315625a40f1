import type { ConsumerOptions, ProducerOptions } from '../port.js';
import type { NativeConfig } from './native.js';

/** What the caller may add or override: any librdkafka property. */
export type ClientConfig = Readonly<Record<string, string | number | boolean>>;

/** Settings shared by every client: fast failure detection and no Nagle delay (local latency matters in tests). */
export function commonConfig(bootstrapServers: string): NativeConfig {
  return {
    'bootstrap.servers': bootstrapServers,
    'socket.nagle.disable': true,
    'topic.metadata.refresh.interval.ms': 30_000,
    'reconnect.backoff.ms': 50,
    'reconnect.backoff.max.ms': 2_000,
    'retry.backoff.ms': 50,
    // librdkafka logs to stderr by default; errors reach us through callbacks.
    log_level: 3,
  };
}

export function producerConfig(bootstrapServers: string, options: ProducerOptions, extra: ClientConfig): NativeConfig {
  const transactional = options.transactionalId !== undefined;
  const transactionTimeoutMs = options.transactionTimeoutMs ?? 60_000;
  return {
    ...commonConfig(bootstrapServers),
    'client.id': options.clientId,
    // Kafka's default partitioner (murmur2 of the key bytes), so keys land where the Java client would put them.
    partitioner: 'murmur2_random',
    acks: 'all',
    'enable.idempotence': true,
    // Short linger: batches form under load, and flush() sends at once when a commit waits.
    'linger.ms': 5,
    'batch.num.messages': 10_000,
    'batch.size': 1_000_000,
    'queue.buffering.max.messages': 1_000_000,
    'queue.buffering.max.kbytes': 1_048_576,
    'message.timeout.ms': transactional ? Math.min(120_000, transactionTimeoutMs) : 120_000,
    ...(transactional
      ? { 'transactional.id': options.transactionalId ?? '', 'transaction.timeout.ms': transactionTimeoutMs }
      : {}),
    ...extra,
  };
}

export function consumerConfig(bootstrapServers: string, options: ConsumerOptions, extra: ClientConfig): NativeConfig {
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 45_000;
  return {
    ...commonConfig(bootstrapServers),
    'client.id': options.clientId,
    // librdkafka insists on a group.id even for assign-only use; such a consumer never joins or commits to it.
    'group.id': options.groupId ?? `tributary-assign-only-${options.clientId}`,
    ...(options.groupInstanceId !== undefined ? { 'group.instance.id': options.groupInstanceId } : {}),
    // Eager rebalancing with the range assignor keeps co-partitioned topics together, as Kafka Streams needs.
    'group.protocol': 'classic',
    'partition.assignment.strategy': 'range',
    'session.timeout.ms': sessionTimeoutMs,
    'heartbeat.interval.ms': Math.max(100, Math.min(3_000, Math.floor(sessionTimeoutMs / 3))),
    'max.poll.interval.ms': options.maxPollIntervalMs ?? 300_000,
    'isolation.level': options.isolationLevel,
    'auto.offset.reset': options.autoOffsetReset,
    // The runtime decides what is committed, and when.
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'enable.partition.eof': false,
    'allow.auto.create.topics': false,
    // Low fetch latency for small local workloads; large fetches when there is data.
    'fetch.wait.max.ms': 100,
    'fetch.min.bytes': 1,
    'fetch.max.bytes': 52_428_800,
    'max.partition.fetch.bytes': 1_048_576,
    // librdkafka pauses fetching for fetch.queue.backoff.ms (default 1 s) whenever its local queue holds
    // queued.min.messages: with the defaults that caps a fast consumer near 10k records/s. Keep the queue deep
    // and the back-off short so fetching keeps pace with processing.
    'queued.min.messages': 100_000,
    'fetch.queue.backoff.ms': 5,
    ...extra,
  };
}
