/**
 * `@tributary/streams/testing`: run a topology synchronously, without a log (Kafka's kafka-streams-test-utils).
 *
 * @packageDocumentation
 */
export { TopologyTestDriver } from './topology-test-driver.js';
export type { TestDriverConfig } from './topology-test-driver.js';
export { TestInputTopic } from './test-input-topic.js';
export { TestOutputTopic } from './test-output-topic.js';
export type { TestRecord } from './test-record.js';
export { TestDriverMetrics } from './test-driver-metrics.js';
