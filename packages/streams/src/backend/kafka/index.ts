export { createKafkaBackend } from './kafka-backend.js';
export type { KafkaBackendOptions } from './kafka-backend.js';
export type { ClientConfig, KafkaSecurity, SecurityProtocol, SaslMechanism } from './config.js';
export { KafkaConfigError } from './config.js';
export { KafkaClientError } from './errors.js';
