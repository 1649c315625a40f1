/** Helpers for integration suites that run an application on a real backend (embedded log or Kafka). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend, ConsumedRecord } from '../../src/backend/port.js';
import type { Serde } from '../../src/serde/serde.js';
import type { Logger } from '../../src/runtime/config.js';

export const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `tributary-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function produce<K, V>(
  backend: Backend,
  topic: string,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  records: ReadonlyArray<{ key: K | null; value: V | null; timestamp?: number }>,
): Promise<void> {
  const producer = await backend.createProducer({ clientId: `test-producer-${topic}` });
  try {
    for (const r of records) {
      producer.send({
        topic,
        key: keySerde.serialize(topic, r.key),
        value: valueSerde.serialize(topic, r.value),
        ...(r.timestamp !== undefined ? { timestamp: r.timestamp } : {}),
      });
    }
    await producer.flush();
  } finally {
    await producer.close();
  }
}

/** Reads `topic` (read_committed, all partitions) until `done(records)` holds or the timeout passes. */
export async function consumeUntil<K, V>(
  backend: Backend,
  topic: string,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  done: (records: Array<{ key: K | null; value: V | null }>) => boolean,
  timeoutMs = 30_000,
): Promise<Array<{ key: K | null; value: V | null }>> {
  // The topic may not exist yet: an app creates its output topics when it first writes to them.
  const admin = backend.admin();
  let n: number | undefined;
  const waitUntil = Date.now() + timeoutMs;
  try {
    while ((n = (await admin.describeTopics([topic])).get(topic)) === undefined && Date.now() < waitUntil) {
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await admin.close();
  }
  if (n === undefined) throw new Error(`Timed out waiting for topic ${topic} to exist`);
  const consumer = await backend.createConsumer({
    clientId: `test-consumer-${topic}`,
    isolationLevel: 'read_committed',
    autoOffsetReset: 'earliest',
  });
  const out: Array<{ key: K | null; value: V | null }> = [];
  try {
    await consumer.assign(Array.from({ length: n }, (_, partition) => ({ topic, partition, offset: 0 })));
    const deadline = Date.now() + timeoutMs;
    while (!done(out)) {
      if (Date.now() > deadline) {
        throw new Error(`Timed out reading ${topic}; got ${JSON.stringify(out)}`);
      }
      const records: ConsumedRecord[] = await consumer.poll(1000, 200);
      for (const r of records) out.push({ key: keySerde.deserialize(topic, r.key), value: valueSerde.deserialize(topic, r.value) });
    }
    return out;
  } finally {
    await consumer.close();
  }
}

/** Latest value per key, as a table reading the topic would hold it. */
export function latest<K, V>(records: ReadonlyArray<{ key: K | null; value: V | null }>): Map<K | null, V | null> {
  const m = new Map<K | null, V | null>();
  for (const r of records) m.set(r.key, r.value);
  return m;
}
