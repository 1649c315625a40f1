/** The exactly-once guide's example: a count under exactly_once_v2, read back with read_committed. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaStreams, Serdes, StreamsBuilder, createEmbeddedBackend } from '@tributary/streams';
import { readTopic } from './read-topic.js';

export async function exactlyOnceCounts(): Promise<Array<[string, number]>> {
  const backend = createEmbeddedBackend();
  await backend.admin().createTopics([
    { name: 'payments', numPartitions: 1 },
    { name: 'payment-counts', numPartitions: 1 },
  ]);
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>('payments', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .groupByKey()
    .count({ storeName: 'payment-counts' })
    .toStream()
    .to('payment-counts', { keySerde: Serdes.string(), valueSerde: Serdes.long() });

  const stateDir = mkdtempSync(join(tmpdir(), 'eos-guide-'));
  // Output records, changelog writes and input offsets commit in one transaction every commitIntervalMs.
  const app = new KafkaStreams(builder.build(), {
    applicationId: 'eos-guide',
    backend,
    stateDir,
    processingGuarantee: 'exactly_once_v2',
    commitIntervalMs: 100,
  });
  try {
    await app.start();
    const producer = await backend.createProducer({ clientId: 'eos-guide-producer' });
    for (const customer of ['ann', 'bob', 'ann']) producer.send({ topic: 'payments', key: Buffer.from(customer), value: Buffer.from('10') });
    await producer.flush();
    await producer.close();
    // A read_committed reader sees the counts only once their transaction committed.
    const records = await readTopic(backend, 'payment-counts', 3);
    return records.map((r): [string, number] => [
      Serdes.string().deserialize('payment-counts', r.key) ?? '',
      Serdes.long().deserialize('payment-counts', r.value) ?? 0,
    ]);
  } finally {
    await app.close();
    await backend.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
