/**
 * Child process: Tributary on its embedded log, all in one process: pre-load the input, start the app, and time
 * until the expected number of output records is readable (read_committed). The reading consumer runs in the same
 * event loop, so its cost is charged to Tributary. Prints one JSON line.
 *
 *   node bench/lib/tributary-embedded.mjs throughput '<json: {case, format?, records, keys, partitions?, guarantee, cacheBytes?,
 *     commitIntervalMs?, threads?, stateDir, timeoutMs, profileDir?}>'
 *   node bench/lib/tributary-embedded.mjs latency '<json: {keys, stateDir, rate, seconds}>'
 */
import * as lib from '@tributary/streams';
import { PACED_ID_BASE, WARM_UP_ID, eventRecord, pacedExpected, preloadBaseTimestamp, tableSizeFor } from './records.mjs';
import { buildTopology } from './topologies.mjs';
import { formatOf } from './formats.mjs';
import { completionFor } from './completion.mjs';
import { createBenchApp } from './tributary-config.mjs';
import { percentiles } from './stats.mjs';
import { startMemorySampler } from './memory-sampler.mjs';
import { startProfile } from './inspector-profile.mjs';

const mode = process.argv[2];
const args = JSON.parse(process.argv[3] ?? '{}');
const memory = startMemorySampler();
const quiet = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: (o, m) => console.error('ERROR', m ?? '', JSON.stringify(o)) };
const topics = { input: 'events', output: 'out', table: 'users', format: args.format ?? 'json', cacheBytes: args.cacheBytes };
const partitions = args.partitions ?? 1;

const backend = lib.createEmbeddedBackend({ autoCreateTopics: false });
const admin = backend.admin();
await admin.createTopics([
  { name: topics.input, numPartitions: partitions },
  { name: topics.output, numPartitions: partitions },
  { name: topics.table, numPartitions: partitions, config: { 'cleanup.policy': 'compact' } },
]);
await admin.close();

const producer = await backend.createProducer({ clientId: 'bench-loader' });
const builder = new lib.StreamsBuilder();
function unavailable(why) {
  console.log(JSON.stringify({ unavailable: why }));
  process.exit(0);
}
const missing = buildTopology(lib, builder, mode === 'latency' ? 'stateless' : args.case, topics);
if (missing !== undefined) unavailable(missing);
const { app, unavailable: why } = createBenchApp(lib, builder, args, {
  applicationId: `bench-embedded-${args.case ?? 'latency'}`,
  backend,
  processingGuarantee: args.guarantee ?? 'at_least_once',
  stateDir: args.stateDir,
  logger: quiet,
});
if (why !== undefined) unavailable(why);
const consumer = await backend.createConsumer({ clientId: 'bench-watch', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
await consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic: topics.output, partition, offset: 0 })));

if (mode === 'throughput') {
  const format = formatOf(topics.format);
  const tableSize = tableSizeFor(args.keys);
  if (args.case === 'join') for (let j = 0; j < tableSize; j++) producer.send({ topic: topics.table, ...format.user(j) });
  const base = preloadBaseTimestamp(args.records, Date.now());
  for (let i = 0; i < args.records; i++) producer.send({ topic: topics.input, ...format.event(i, args.keys, base + i) });
  await producer.flush();
  const completion = completionFor({ benchCase: args.case, format: topics.format, records: args.records, keys: args.keys, base });
  const profile = args.profileDir ? await startProfile() : undefined;
  const start = Date.now();
  await app.start();
  const deadline = start + args.timeoutMs;
  // Output times are receive times in this process (there is no broker append time on the embedded log).
  while (!completion.state.complete && Date.now() < deadline) {
    const batch = await consumer.poll(10_000, 50);
    const now = Date.now();
    for (const r of batch) if (completion.observe(r.key, r.value, now)) break;
  }
  const { state } = completion;
  await profile?.stop(args.profileDir);
  console.log(memory.report());
  console.log(JSON.stringify({ ms: (state.doneTs ?? Date.now()) - start, firstMs: state.firstTs === undefined ? undefined : state.firstTs - start, complete: state.complete, outputs: state.outputs, expected: state.expected, reached: completion.kind === 'outputs' ? state.outputs : state.reached }));
} else if (mode === 'latency') {
  await app.start();
  // Warm-up record: output flows before pacing starts, so latencies do not include the start-up.
  producer.send({ topic: topics.input, ...eventRecord(WARM_UP_ID, args.keys, Date.now()) });
  await producer.flush();
  while ((await consumer.poll(100, 50)).length === 0);
  const total = args.rate * args.seconds;
  const expected = pacedExpected(total);
  const latencies = [];
  let sent = 0;
  const startedAt = Date.now();
  const pacer = setInterval(() => {
    const due = Math.min(total, Math.floor(((Date.now() - startedAt) / 1000) * args.rate));
    for (; sent < due; sent++) producer.send({ topic: topics.input, ...eventRecord(PACED_ID_BASE + sent, args.keys, Date.now()) });
    void producer.flush();
    if (sent >= total) clearInterval(pacer);
  }, 10);
  const deadline = Date.now() + args.seconds * 1000 + 30_000;
  while (latencies.length < expected && Date.now() < deadline) {
    for (const r of await consumer.poll(10_000, 50)) latencies.push(Date.now() - JSON.parse(r.value.toString()).ts);
  }
  clearInterval(pacer);
  console.log(JSON.stringify({ sent, expected, received: latencies.length, ...percentiles(latencies) }));
} else {
  throw new Error('usage: tributary-embedded.mjs throughput|latency <json>');
}
await consumer.close();
await producer.close();
await app.close();
await backend.close();
process.exit(0);

