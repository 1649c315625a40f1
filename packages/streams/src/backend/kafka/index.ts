export { createKafkaBackend } from './kafka-backend.js';
export type { KafkaBackendOptions } from './kafka-backend.js';
export type { ClientConfig } from './config.js';
export { KafkaClientError } from './errors.js';
