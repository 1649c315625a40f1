/** Reads `count` records of a topic from the start, as an application outside the topology would (a helper). */
import type { Backend, ConsumedRecord } from '@tributary/streams';

export async function readTopic(backend: Backend, topic: string, count: number, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  const partitions = (await backend.admin().describeTopics([topic])).get(topic) ?? 1;
  const consumer = await backend.createConsumer({ clientId: `reader-${topic}`, isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
  try {
    await consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: -1 })));
    const records: ConsumedRecord[] = [];
    const deadline = Date.now() + timeoutMs;
    while (records.length < count && Date.now() < deadline) records.push(...(await consumer.poll(100, 100)));
    return records;
  } finally {
    await consumer.close();
  }
}
