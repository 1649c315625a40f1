/**
 * The README's example: word count on the embedded log (no broker needed). Run it with
 *   node --import tsx packages/streams/examples/word-count.ts
 * Give it KAFKA_BOOTSTRAP_SERVERS to run the same code against Apache Kafka.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KafkaStreams, QueryableStoreTypes, Serdes, StreamsBuilder, createEmbeddedBackend, createKafkaBackend } from '../src/index.js';

export async function wordCount(lines: string[], bootstrapServers?: string): Promise<Map<string, number>> {
  const backend = bootstrapServers ? createKafkaBackend({ bootstrapServers }) : createEmbeddedBackend();
  const suffix = Date.now().toString(36);
  const [input, output] = [`text-${suffix}`, `word-counts-${suffix}`];
  const admin = backend.admin();
  await admin.createTopics([
    { name: input, numPartitions: 2 },
    { name: output, numPartitions: 2 },
  ]);
  await admin.close();

  const builder = new StreamsBuilder();
  builder
    .stream<string, string>(input, { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
    .groupBy((_key, word) => word, { keySerde: Serdes.string() })
    .count({ storeName: 'word-counts' })
    .toStream()
    .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.long() });

  const stateDir = mkdtempSync(join(tmpdir(), 'word-count-'));
  const app = new KafkaStreams(builder.build(), { applicationId: `word-count-${suffix}`, backend, stateDir, commitIntervalMs: 100 });
  try {
    await app.start();
    const producer = await backend.createProducer({ clientId: 'example-producer' });
    for (const line of lines) producer.send({ topic: input, key: null, value: Buffer.from(line) });
    await producer.flush();
    await producer.close();

    // Wait until every word is counted, then read the counts from the store (an interactive query).
    const expected = lines.flatMap((l) => l.toLowerCase().split(/\W+/).filter(Boolean)).length;
    const counts = app.store({ storeName: 'word-counts', type: QueryableStoreTypes.keyValueStore<string, number>() });
    for (let waited = 0; waited < 30_000; waited += 50) {
      let total = 0;
      if (app.state === 'RUNNING') for (const { value } of counts.all()) total += value;
      if (total === expected) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return new Map([...counts.all()].map(({ key, value }) => [key, value]));
  } finally {
    await app.close();
    await backend.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const counts = await wordCount(['the quick brown fox', 'jumps over the lazy dog'], process.env['KAFKA_BOOTSTRAP_SERVERS']);
  console.log(Object.fromEntries(counts));
}
