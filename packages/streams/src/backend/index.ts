/**
 * `@tributary/streams/backend`: the port a log implements for the runtime (`Backend` and its clients, with Kafka's
 * semantics), the errors the runtime understands, Kafka's default partitioner, and the two backends that ship.
 *
 * @packageDocumentation
 */
export { ProducerFencedError, UnknownTopicError, CommitFailedError, isRetriable, needsNewClient } from './port.js';
export type * from './port.js';
export { murmur2, partitionForKey } from './partitioner.js';
export { createEmbeddedBackend } from './embedded/index.js';
export type { EmbeddedBackendOptions } from './embedded/index.js';
// The Kafka backend loads its native client at its first client, so exporting it costs nothing here.
export { createKafkaBackend } from './kafka/index.js';
export type { KafkaBackendOptions, KafkaSecurity, SecurityProtocol, SaslMechanism, ClientConfig } from './kafka/index.js';
export { KafkaConfigError, KafkaClientError } from './kafka/index.js';
