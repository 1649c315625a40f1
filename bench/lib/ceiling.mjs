/**
 * Child process: the ceiling rows through the same native client Tributary uses. `produce` sends n pre-built
 * ~200-byte records and waits for every acknowledgement; `consume` reads n records from offset 0 of a topic.
 * Prints one JSON line: { records, ms }.
 *
 *   node bench/lib/ceiling.mjs produce|consume '<json: {bootstrap, topic, records, keys}>'
 */
import { call } from './call.mjs';
import { Kafka, connectProducer, disconnectProducer, produceAll } from './kafka-io.mjs';
import { eventRecord } from './records.mjs';

const mode = process.argv[2];
const args = JSON.parse(process.argv[3] ?? '{}');

if (mode === 'produce') {
  const ts = Date.now();
  const records = Array.from({ length: Math.min(args.records, 10_000) }, (_, i) => eventRecord(i, args.keys, ts));
  const producer = await connectProducer(args.bootstrap, { 'linger.ms': 5 });
  const start = Date.now();
  await produceAll(producer, args.topic, args.records, (i) => records[i % records.length]);
  const ms = Date.now() - start;
  await disconnectProducer(producer);
  console.log(JSON.stringify({ records: args.records, ms }));
} else if (mode === 'consume') {
  const consumer = new Kafka.KafkaConsumer({
    'bootstrap.servers': args.bootstrap,
    'group.id': `bench-ceiling-${Date.now()}`,
    'enable.auto.commit': false,
    'fetch.max.bytes': 52_428_800,
    'queued.min.messages': 100_000,
    log_level: 3,
  }, { 'auto.offset.reset': 'earliest' });
  await call((cb) => consumer.connect({ timeout: 30_000 }, cb));
  const start = Date.now();
  consumer.assign([{ topic: args.topic, partition: 0, offset: 0 }]);
  consumer.setDefaultConsumeTimeout(200);
  // Otherwise consume(n) waits the whole timeout whenever fewer than n records are queued.
  consumer.setDefaultIsTimeoutOnlyForFirstMessage?.(true);
  let n = 0;
  let bytes = 0;
  while (n < args.records) {
    const batch = await call((cb) => consumer.consume(10_000, cb));
    for (const m of batch) bytes += m.value?.length ?? 0;
    n += batch.length;
  }
  const ms = Date.now() - start;
  await new Promise((resolve) => consumer.disconnect(() => resolve()));
  console.log(JSON.stringify({ records: n, ms, bytes }));
} else {
  throw new Error(`usage: ceiling.mjs produce|consume '<json>'`);
}
