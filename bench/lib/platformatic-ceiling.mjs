/**
 * The same ceilings as client-ceilings.mjs through @platformatic/kafka (pure JavaScript, Node 22.22+), to decide with
 * figures whether a pure-JS client would move small records faster than librdkafka's binding. Not a dependency of
 * the project: install it into the ignored bench/work and run it with a Node 22 binary (see bench/README.md).
 *
 *   node22 bench/lib/platformatic-ceiling.mjs consume|produce '<json: {bootstrap, topic, records, module, batch?, inFlight?}>'
 *
 * `module` is the path of the installed package's dist/index.js. Prints one JSON line: { records, ms, cpuMs }.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { stringKey, stringValue } from './string-records.mjs';

const mode = process.argv[2];
const args = JSON.parse(process.argv[3] ?? '{}');
const kafka = await import(pathToFileURL(args.module).href);
const PARTITIONS = 4;
const KEYS = 1000;

if (mode === 'consume') {
  const consumer = new kafka.Consumer({
    clientId: `pk-ceiling-${process.pid}`,
    groupId: `pk-ceiling-${process.pid}-${Date.now()}`,
    bootstrapBrokers: [args.bootstrap],
    maxBytes: 52_428_800,
    ...(args.maxBytesPerPartition ? { maxBytesPerPartition: args.maxBytesPerPartition } : {}),
    maxWaitTime: 100,
    ...(args.highWaterMark ? { highWaterMark: args.highWaterMark } : {}),
  });
  // Both clocks start before the group join: a fetch may be parsed whole before the first record is emitted.
  const cpuStart = process.cpuUsage();
  const joinStart = performance.now();
  const stream = await consumer.consume({ topics: [args.topic], mode: 'earliest', autocommit: false });
  let n = 0;
  let bytes = 0;
  let start;
  await new Promise((resolve) => {
    stream.on('data', (m) => {
      start ??= performance.now();
      bytes += m.value.length;
      if (++n >= args.records) resolve();
    });
  });
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  await stream.close().catch(() => undefined);
  await consumer.close(true).catch(() => undefined);
  const msFromJoin = performance.now() - joinStart;
  console.log(JSON.stringify({ records: n, ms, msFromJoin, cpuMs: (cpu.user + cpu.system) / 1000, bytes, note: 'ms from first record; cpuMs from consume()' }));
} else if (mode === 'produce') {
  const producer = new kafka.Producer({
    clientId: `pk-ceiling-${process.pid}`,
    bootstrapBrokers: [args.bootstrap],
    idempotent: true,
    acks: -1,
  });
  const pool = Math.min(args.records, 100_000);
  const keys = Array.from({ length: pool }, (_, i) => Buffer.from(stringKey(i, KEYS)));
  const values = Array.from({ length: pool }, (_, i) => Buffer.from(stringValue(i, KEYS)));
  const batch = args.batch ?? 10_000;
  const inFlight = args.inFlight ?? 1;
  const ts = BigInt(Date.now() - args.records - 60_000);
  await producer.send({ messages: [{ topic: args.topic, key: keys[0], value: values[0], partition: 0 }] });
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const pending = new Set();
  for (let i = 0; i < args.records; i += batch) {
    const messages = [];
    for (let j = i; j < Math.min(args.records, i + batch); j++) {
      const k = j % pool;
      messages.push({ topic: args.topic, key: keys[k], value: values[k], timestamp: ts + BigInt(j), partition: j % PARTITIONS });
    }
    const p = producer.send({ messages }).finally(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  await producer.close();
  console.log(JSON.stringify({ records: args.records, ms, cpuMs: (cpu.user + cpu.system) / 1000 }));
} else {
  throw new Error("usage: platformatic-ceiling.mjs consume|produce '<json>'");
}
