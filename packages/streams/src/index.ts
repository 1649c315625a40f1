/**
 * `@tributary/streams`: what an application needs to build, run and query a topology, with Kafka Streams' names
 * and semantics. The test driver is `@tributary/streams/testing`; the backend port, for writing a backend of your
 * own, is `@tributary/streams/backend`. Store implementations are reached through `Stores`.
 *
 * @packageDocumentation
 */
export * from './api/index.js';
export * from './serde/index.js';
export * from './state/index.js';
export * from './topology/index.js';
export * from './processor/index.js';
export * from './dsl/index.js';
export * from './runtime/index.js';
// The logs an app runs on, and the client types `KafkaStreams.log` hands out (to produce input, read output).
export { createEmbeddedBackend, createKafkaBackend, KafkaConfigError } from './backend/index.js';
export type {
  Backend,
  AdminClient,
  Producer,
  ProducerOptions,
  ProducedRecord,
  Consumer,
  ConsumerOptions,
  ConsumedRecord,
  ConsumerGroupMetadata,
  RebalanceListener,
  NewTopic,
  TopicPartition,
  TopicPartitionOffset,
  EmbeddedBackendOptions,
  KafkaBackendOptions,
  KafkaSecurity,
  SecurityProtocol,
  SaslMechanism,
  ClientConfig,
} from './backend/index.js';
// Request-reply over topics (commands answered by results, long polls on views).
export * from './runtime/request-reply.js';
