/**
 * Child process: the embedded log's storage on its own (no topology): writes N records of 200-byte values to one
 * partition of a durable log (flush every 10,000: each flush an fdatasync), then reads them all back from offset 0 with
 * a read_uncommitted consumer polling 1,000 records at a time (the runtime's default `maxPollRecords`), and reports
 * both rates and the peak RSS (sampled every 100 ms). Prints one JSON line.
 *
 *   node bench/lib/embedded-log-io.mjs '<json: {records, dataDir, dist?}>'
 *
 * `dist` points at another build of @tributary/streams (its dist/index.js), to measure an older version the same way.
 */
import { pathToFileURL } from 'node:url';
import { rmSync } from 'node:fs';

const args = JSON.parse(process.argv[2] ?? '{}');
const lib = args.dist ? await import(pathToFileURL(args.dist).href) : await import('@tributary/streams');
const records = args.records;
const FLUSH_EVERY = 10_000;

let peakRss = 0;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const timer = setInterval(sample, 100);
timer.unref();

rmSync(args.dataDir, { recursive: true, force: true });
const backend = lib.createEmbeddedBackend({ dataDir: args.dataDir, autoCreateTopics: false });
await backend.admin().createTopics([{ name: 'log-bench', numPartitions: 1 }]);
const producer = await backend.createProducer({ clientId: 'writer' });
const values = Array.from({ length: 64 }, (_, i) => Buffer.alloc(200, 97 + (i % 26)));
const keys = Array.from({ length: 1000 }, (_, i) => Buffer.from(`key-${i}`));

// Timestamps of now: older ones would be deleted by retention (7 days, as Kafka's default) while the bench runs.
const now = Date.now();
const writeStart = process.hrtime.bigint();
for (let i = 0; i < records; i++) {
  producer.send({ topic: 'log-bench', partition: 0, key: keys[i % keys.length], value: values[i % values.length], timestamp: now + i });
  if ((i + 1) % FLUSH_EVERY === 0) {
    await producer.flush();
    sample();
  }
}
await producer.flush();
const writeMs = Number(process.hrtime.bigint() - writeStart) / 1e6;
const peakRssWrite = Math.max(peakRss, process.memoryUsage().rss);

const consumer = await backend.createConsumer({ clientId: 'reader', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
await consumer.assign([{ topic: 'log-bench', partition: 0, offset: 0 }]);
const readStart = process.hrtime.bigint();
let read = 0;
let bytes = 0;
while (read < records) {
  const batch = await consumer.poll(1000, 1000);
  if (batch.length === 0) break;
  read += batch.length;
  for (const r of batch) bytes += r.value.length;
  sample();
}
const readMs = Number(process.hrtime.bigint() - readStart) / 1e6;
await consumer.close();
await backend.close();
sample();
rmSync(args.dataDir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    records,
    read,
    valueBytesRead: bytes,
    writeRecordsPerSec: Math.round((records / writeMs) * 1000),
    readRecordsPerSec: Math.round((read / readMs) * 1000),
    writeMs: Math.round(writeMs),
    readMs: Math.round(readMs),
    peakRssWriteMiB: Math.round(peakRssWrite / 1048576),
    peakRssMiB: Math.round(peakRss / 1048576),
  }),
);
