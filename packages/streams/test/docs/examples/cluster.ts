/**
 * The cluster guide's example: the same application on Apache Kafka (given bootstrap servers) or on the embedded
 * log (without). A repartitioning count: the regrouped records go through an internal topic the app creates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaStreams, Serdes, StreamsBuilder, createEmbeddedBackend, createKafkaBackend } from '@tributary/streams';
import { readTopic } from './read-topic.js';

export async function countByCountry(bootstrapServers: string | undefined): Promise<Map<string, number>> {
  const backend = bootstrapServers ? createKafkaBackend({ bootstrapServers }) : createEmbeddedBackend();
  const run = Date.now().toString(36); // fresh topics and group per run on a shared cluster
  const [signups, counts] = [`signups-${run}`, `signups-per-country-${run}`];
  await backend.admin().createTopics([
    { name: signups, numPartitions: 3 },
    { name: counts, numPartitions: 3 },
  ]);
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>(signups, { keySerde: Serdes.string(), valueSerde: Serdes.string() }) // user → country
    .groupBy((_user, country) => country, { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .count({ storeName: 'per-country' })
    .toStream()
    .to(counts, { keySerde: Serdes.string(), valueSerde: Serdes.long() });

  const stateDir = mkdtempSync(join(tmpdir(), 'cluster-guide-'));
  // Start more instances with the same applicationId to share the partitions (one consumer group).
  const app = new KafkaStreams(builder.build(), { applicationId: `cluster-guide-${run}`, backend, stateDir, commitIntervalMs: 100 });
  try {
    await app.start();
    const producer = await backend.createProducer({ clientId: 'cluster-guide-producer' });
    const input: Array<[string, string]> = [['u1', 'NL'], ['u2', 'DE'], ['u3', 'NL'], ['u4', 'FR'], ['u5', 'NL']];
    for (const [user, country] of input) producer.send({ topic: signups, key: Buffer.from(user), value: Buffer.from(country) });
    await producer.flush();
    await producer.close();
    const latest = new Map<string, number>();
    for (const r of await readTopic(backend, counts, input.length, 60_000)) {
      latest.set(Serdes.string().deserialize(counts, r.key) ?? '', Serdes.long().deserialize(counts, r.value) ?? 0);
    }
    return latest;
  } finally {
    await app.close();
    await backend.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
