/** The interactive-queries guide's example: read a running app's table from its local store, and find a key's owner. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaStreams, QueryableStoreTypes, Serdes, StreamsBuilder, createEmbeddedBackend } from '@tributary/streams';

export async function queryCounts(): Promise<{ apples: number | null; pears: number | null; ownerPort: number }> {
  const backend = createEmbeddedBackend(); // in memory, this process only
  await backend.admin().createTopics([{ name: 'fruit', numPartitions: 2 }]);
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>('fruit', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .groupByKey()
    .count({ storeName: 'fruit-counts' });

  const stateDir = mkdtempSync(join(tmpdir(), 'iq-guide-'));
  const app = new KafkaStreams(builder.build(), { applicationId: 'iq-guide', backend, stateDir, applicationServer: 'localhost:7070' });
  try {
    await app.start();
    const producer = await backend.createProducer({ clientId: 'iq-guide-producer' });
    for (const fruit of ['apples', 'pears', 'apples']) producer.send({ topic: 'fruit', key: Buffer.from(fruit), value: Buffer.from('1') });
    await producer.flush();
    await producer.close();

    const counts = app.store({ storeName: 'fruit-counts', type: QueryableStoreTypes.keyValueStore<string, number>() });
    for (let waited = 0; counts.get('apples') !== 2 && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    // Which instance owns a key: with several instances, ask that one (its applicationServer) for the value.
    const owner = app.queryMetadataForKey('fruit-counts', 'apples', Serdes.string());
    return { apples: counts.get('apples'), pears: counts.get('pears'), ownerPort: owner.activeHost.port };
  } finally {
    await app.close();
    await backend.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
