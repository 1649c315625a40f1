/** Reading whole topics back (read_committed) and waiting for conditions, for the outbox relay and sink tests. */
import type { Backend } from '@tributary/streams';

export interface TopicRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
}

/** Every committed record of `topic`, partition by partition. */
export async function readTopic(backend: Backend, topic: string): Promise<TopicRecord[]> {
  const admin = backend.admin();
  const partitions = (await admin.describeTopics([topic])).get(topic) ?? 0;
  await admin.close();
  const consumer = await backend.createConsumer({ clientId: 'test-reader', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  try {
    const out: TopicRecord[] = [];
    const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    const ends = await consumer.endOffsets(tps);
    await consumer.assign(tps.map((tp) => ({ ...tp, offset: 0 })));
    const done = (): boolean => ends.every((e) => consumer.position(e) >= e.offset);
    let idle = 0;
    while (!done() && idle < 50) {
      const batch = await consumer.poll(10_000, 100);
      idle = batch.length === 0 ? idle + 1 : 0;
      for (const r of batch) {
        out.push({ partition: r.partition, offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null });
      }
    }
    return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  } finally {
    await consumer.close();
  }
}

export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
