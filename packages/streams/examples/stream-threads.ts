/**
 * The README's stream-threads example: one instance with two stream threads counting words over four partitions.
 *   node --import tsx packages/streams/examples/stream-threads.ts
 * runs both threads in this thread on the embedded log; with KAFKA_BOOTSTRAP_SERVERS=host:port thread 2 runs in a
 * worker thread, which runs this module again: everything but building and starting the app is guarded with
 * `isStreamThreadWorker()`. Names derive from the process id, which the worker shares.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaStreams, QueryableStoreTypes, Serdes, StreamsBuilder, isStreamThreadWorker } from '../src/index.js';

const bootstrapServers = process.env['KAFKA_BOOTSTRAP_SERVERS'];
const [input, output] = [`lines-${process.pid}`, `line-word-counts-${process.pid}`];
const stateDir = join(tmpdir(), `tributary-threads-example-${process.pid}`);

const builder = new StreamsBuilder();
builder
  .stream<string, string>(input, { keySerde: Serdes.string(), valueSerde: Serdes.string() })
  .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
  .groupBy((_key, word) => word, { keySerde: Serdes.string() })
  .count({ storeName: 'counts' })
  .toStream()
  .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.long() });

const app = new KafkaStreams(builder.build(), {
  applicationId: `threads-example-${process.pid}`,
  ...(bootstrapServers ? { bootstrapServers } : {}),
  stateDir,
  numStreamThreads: 2,
  commitIntervalMs: 100,
});

if (!isStreamThreadWorker()) {
  // Once per process: the topics (before the threads subscribe), the input, the report.
  const admin = app.log.admin();
  await admin.createTopics([
    { name: input, numPartitions: 4 },
    { name: output, numPartitions: 1 },
  ]);
  await admin.close();
}
await app.start();

if (!isStreamThreadWorker()) {
  await app.waitForRunning();
  const producer = await app.log.createProducer({ clientId: 'threads-example' });
  const lines = ['the quick brown fox', 'jumps over the lazy dog', 'the end'];
  lines.forEach((line, i) => producer.send({ topic: input, key: Buffer.from(`line-${i}`), value: Buffer.from(line) }));
  await producer.flush();
  await producer.close();

  // The view covers the stores of both threads' tasks, wherever they run.
  const counts = app.store({ storeName: 'counts', type: QueryableStoreTypes.keyValueStore<string, number>() });
  while (counts.get('the') !== 3) await new Promise((resolve) => setTimeout(resolve, 100));
  console.log(JSON.stringify({ threads: app.metadataForLocalThreads(), the: counts.get('the'), words: [...counts.all()].length }));
  await app.close();
  rmSync(stateDir, { recursive: true, force: true });
}
