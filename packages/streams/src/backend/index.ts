export { ProducerFencedError, UnknownTopicError, CommitFailedError, isRetriable } from './port.js';
export type * from './port.js';
export { murmur2, partitionForKey } from './partitioner.js';
export { createEmbeddedBackend } from './embedded/index.js';
export type { EmbeddedBackendOptions } from './embedded/index.js';
// The Kafka backend loads its native client lazily (on createKafkaBackend), so exporting it costs nothing here.
export { createKafkaBackend } from './kafka/index.js';
export type { KafkaBackendOptions, KafkaSecurity } from './kafka/index.js';
export { KafkaConfigError } from './kafka/index.js';
