/**
 * Which backends an integration suite runs on: always the embedded log, and Apache Kafka when
 * KAFKA_BOOTSTRAP_SERVERS is set (scripts/run-tests.mjs starts a local broker and sets it; CI fails rather than
 * silently skipping when the native client is missing).
 *
 *   for (const target of testBackends()) {
 *     describe(`orders on ${target.name}`, () => {
 *       it('...', async () => { const backend = await target.create(); try { ... } finally { await backend.close(); } });
 *     });
 *   }
 */
import { createEmbeddedBackend } from '../../src/backend/embedded/index.js';
import type { Backend } from '../../src/backend/port.js';

export interface TestBackend {
  readonly name: 'embedded' | 'kafka';
  /** A fresh backend; close it after the test. Topics on Kafka outlive it: use `uniqueName` for them. */
  create(): Promise<Backend>;
}

/** The broker the real-Kafka variants use, or undefined when they do not run. */
export const kafkaBootstrapServers: string | undefined = process.env.KAFKA_BOOTSTRAP_SERVERS || undefined;

export function testBackends(): TestBackend[] {
  const backends: TestBackend[] = [
    {
      name: 'embedded',
      // Like the test broker (auto.create.topics.enable=false): a suite that forgets to create a topic fails on both.
      create: async () => createEmbeddedBackend({ autoCreateTopics: false }),
    },
  ];
  const bootstrapServers = kafkaBootstrapServers;
  if (bootstrapServers !== undefined) {
    backends.push({
      name: 'kafka',
      create: async () => {
        const { createKafkaBackend } = await import('../../src/backend/kafka/index.js');
        return createKafkaBackend({ bootstrapServers });
      },
    });
  }
  return backends;
}

let counter = 0;
const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;

/**
 * A topic, group or application id no other test (or earlier run against the same broker) uses:
 * `<prefix>-<run>-<n>`, restricted to the characters Kafka allows in topic names.
 */
export function uniqueName(prefix: string): string {
  counter += 1;
  const safe = prefix.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 180);
  return `${safe}-${runId}-${counter}`;
}
