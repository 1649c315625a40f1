/**
 * How fast can one Node process move small String records through @confluentinc/kafka-javascript (librdkafka)?
 * The per-record cost of the client hand-off, API by API and setting by setting, on the String workload of
 * bench/lib/string-records.mjs. Each measurement runs in a fresh child process (no JIT or heap state carried over);
 * the driver alternates the variants round by round so the machine's load hits them alike. See bench/README.md,
 * "Client ceilings".
 *
 *   node bench/lib/client-ceilings.mjs --bootstrap 127.0.0.1:19720 [--records 1000000] [--rounds 3] [--only a,b]
 *        [--topic T --skip-load]   (reuse a loaded 4-partition topic of the String workload, e.g. string-ab.mjs's)
 *   node bench/lib/client-ceilings.mjs child '<json variant>'      (one measurement; prints one JSON line)
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { consumerConfig, producerConfig } from '../../packages/streams/dist/backend/kafka/config.js';
import { call } from './call.mjs';
import { Kafka, createTopics } from './kafka-io.mjs';
import { stringKey, stringValue } from './string-records.mjs';

const PARTITIONS = 4;
const KEYS = 1000;

/** Consume variants: the API and the settings that matter for a fast single consumer. */
const CONSUME_VARIANTS = [
  { name: 'consume(1000) [runtime today]', api: 'batch', batch: 1000 },
  { name: 'consume(100)', api: 'batch', batch: 100 },
  { name: 'consume(10000)', api: 'batch', batch: 10_000 },
  { name: 'consume(100000)', api: 'batch', batch: 100_000 },
  { name: 'consume(10000) + toString', api: 'batch', batch: 10_000, decode: true },
  { name: 'native consume(10000), no emit', api: 'native', batch: 10_000 },
  { name: 'consume(10000) queued.min.messages=10k', api: 'batch', batch: 10_000, config: { 'queued.min.messages': 10_000 } },
  { name: 'consume(10000) queued.min.messages=1M', api: 'batch', batch: 10_000, config: { 'queued.min.messages': 1_000_000 } },
  { name: 'consume(10000) fetch.max.bytes=1MB', api: 'batch', batch: 10_000, config: { 'fetch.max.bytes': 1_048_576 } },
  { name: 'consume(10000) max.partition.fetch.bytes=8MB', api: 'batch', batch: 10_000, config: { 'max.partition.fetch.bytes': 8_388_608 } },
  { name: 'consume(10000) fetch.wait.max.ms=10', api: 'batch', batch: 10_000, config: { 'fetch.wait.max.ms': 10 } },
  { name: 'consume(10000) partition.eof on', api: 'batch', batch: 10_000, config: { 'enable.partition.eof': true } },
  { name: 'flowing consume() data events', api: 'flowing' },
  { name: 'KafkaJS API eachBatch', api: 'kafkajs-batch' },
  { name: 'KafkaJS API eachMessage', api: 'kafkajs-message' },
];

/** Produce variants: one produce() per record of pre-built buffers, then flush; acks=all, idempotent as the runtime. */
const PRODUCE_VARIANTS = [
  { name: 'produce, error reports only [runtime today]', dr: 'errors' },
  { name: 'produce, no delivery reports', dr: 'none' },
  { name: 'produce, a report per record', dr: 'all' },
  { name: 'produce, string key', dr: 'errors', stringKey: true },
  { name: 'produce, explicit partition', dr: 'errors', explicitPartition: true },
  { name: 'produce, empty headers array', dr: 'errors', headers: 'empty' },
  { name: 'produce, linger.ms=50', dr: 'errors', config: { 'linger.ms': 50 } },
  { name: 'produce, linger.ms=0', dr: 'errors', config: { 'linger.ms': 0 } },
  { name: 'produce, batch.num.messages=100k', dr: 'errors', config: { 'batch.num.messages': 100_000 } },
  { name: 'produce, queue.buffering.max.messages=100k', dr: 'errors', config: { 'queue.buffering.max.messages': 100_000 } },
  { name: 'produce, lz4', dr: 'errors', config: { 'compression.type': 'lz4' } },
  { name: 'produce() call only (no flush)', dr: 'errors', callOnly: true },
];

/**
 * The runtime's own librdkafka settings ("[runtime today]"), from the built package (`npm run build`): the Kafka
 * backend's config module is not part of the public API, so this reads it from dist rather than copying it.
 */
const runtimeConsumer = (bootstrap, groupId, extra = {}) =>
  consumerConfig(bootstrap, { clientId: 'ceiling', groupId, isolationLevel: 'read_committed', autoOffsetReset: 'earliest' }, extra);
const runtimeProducer = (bootstrap, extra = {}) => producerConfig(bootstrap, { clientId: 'ceiling' }, extra);

if (process.argv[2] === 'child') {
  const v = JSON.parse(process.argv[3]);
  const result = v.kind === 'produce' ? await produceChild(v) : await consumeChild(v);
  console.log(JSON.stringify(result));
  process.exit(0);
} else {
  await driver(parseArgs(process.argv.slice(2)));
}

function parseArgs(argv) {
  const o = { bootstrap: '127.0.0.1:19720', records: 1_000_000, rounds: 3, only: undefined, topic: undefined, skipLoad: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--bootstrap') o.bootstrap = argv[++i];
    else if (a === '--records') o.records = Number(argv[++i]);
    else if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--skip-load') o.skipLoad = true;
    else if (a === '--topic') o.topic = argv[++i];
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

async function driver(o) {
  const topic = o.topic ?? `ceiling-str-${o.records}`;
  if (!o.skipLoad) {
    await createTopics(o.bootstrap, [{ name: topic, partitions: PARTITIONS }]).catch((e) => console.error(`(topic: ${e.message})`));
    const loaded = await runChild({ kind: 'produce', name: 'load', bootstrap: o.bootstrap, topic, records: o.records, dr: 'errors' });
    console.error(`loaded ${o.records} records into ${topic}: ${rate(loaded)} rec/s`);
  }
  const variants = [
    ...CONSUME_VARIANTS.map((v) => ({ ...v, kind: 'consume' })),
    ...PRODUCE_VARIANTS.map((v) => ({ ...v, kind: 'produce' })),
  ].filter((v) => o.only === undefined || o.only.some((s) => v.name.includes(s)));
  const results = new Map(variants.map((v) => [v.name, []]));
  for (let round = 0; round < o.rounds; round++) {
    for (const v of variants) {
      const target = v.kind === 'produce' ? `ceiling-prod-${Date.now().toString(36)}` : topic;
      if (v.kind === 'produce') await createTopics(o.bootstrap, [{ name: target, partitions: PARTITIONS }]);
      const load = loadavg()[0];
      const r = await runChild({ ...v, bootstrap: o.bootstrap, topic: target, records: o.records });
      results.get(v.name).push({ ...r, load });
      console.error(`round ${round + 1} ${v.name}: ${rate(r)} rec/s, ${((r.cpuMs * 1000) / r.records).toFixed(2)} µs CPU/record, main thread ${((r.mainMs * 1000) / r.records).toFixed(2)} (load ${load.toFixed(2)})`);
      if (v.kind === 'produce') await deleteTopic(o.bootstrap, target);
    }
  }
  console.log('| variant | median rec/s | min | max | CPU µs/record median | main thread µs/record median | load avg |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, runs] of results) {
    const rates = runs.map(rate).sort((a, b) => a - b);
    const loads = runs.map((r) => r.load);
    const cpu = runs.map((r) => (r.cpuMs * 1000) / r.records).sort((a, b) => a - b);
    const main = runs.map((r) => (r.mainMs * 1000) / r.records).sort((a, b) => a - b);
    console.log(`| ${name} | ${rates[Math.floor(rates.length / 2)]} | ${rates[0]} | ${rates[rates.length - 1]} | ${cpu[Math.floor(cpu.length / 2)].toFixed(2)} | ${main[Math.floor(main.length / 2)].toFixed(2)} | ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} |`);
  }
}

function rate(r) {
  return Math.round((r.records * 1000) / Math.max(1, r.ms));
}

async function deleteTopic(bootstrap, name) {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': bootstrap, log_level: 3 });
  try {
    await call((cb) => admin.deleteTopic(name, 30_000, cb));
  } finally {
    admin.disconnect();
  }
}

function runChild(v) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'child', JSON.stringify(v)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        reject(new Error(`${v.name}: exited ${code}: ${out.slice(-500)}`));
      }
    });
  });
}

// --- children ----------------------------------------------------------------------------------------------------

async function consumeChild(v) {
  if (v.api.startsWith('kafkajs')) return consumeKafkaJs(v);
  const consumer = new Kafka.KafkaConsumer(runtimeConsumer(v.bootstrap, `ceiling-${process.pid}-${Date.now()}`, v.config), {
    'auto.offset.reset': 'earliest',
  });
  await call((cb) => consumer.connect({ timeout: 30_000 }, cb));
  const cpuStart = process.cpuUsage();
  const mainStart = mainThreadCpuMs();
  const start = performance.now();
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: v.topic, partition, offset: 0 })));
  let n = 0;
  let bytes = 0;
  if (v.api === 'flowing') {
    await new Promise((resolve) => {
      consumer.on('data', (m) => {
        bytes += m.value.length;
        if (++n >= v.records) resolve();
      });
      consumer.consume();
    });
  } else {
    consumer.setDefaultConsumeTimeout(200);
    consumer.setDefaultIsTimeoutOnlyForFirstMessage(true);
    // The binding's own consume, without the wrapper's per-message 'data' emit.
    const fetch = v.api === 'native'
      ? (cb) => consumer._client.consume(200, v.batch, true, cb)
      : (cb) => consumer.consume(v.batch, cb);
    while (n < v.records) {
      const batch = await call(fetch);
      if (v.decode) {
        for (const m of batch) bytes += m.key.toString().length + m.value.toString().length;
      } else {
        for (const m of batch) bytes += m.value.length;
      }
      n += batch.length;
    }
  }
  const ms = performance.now() - start;
  const cpuMs = cpuMsSince(cpuStart);
  const mainMs = mainThreadCpuMs() - mainStart;
  consumer.disconnect(() => undefined);
  return { records: n, ms, cpuMs, mainMs, bytes };
}

async function consumeKafkaJs(v) {
  const { Kafka: KafkaJs } = Kafka.KafkaJS;
  const kafka = new KafkaJs({ kafkaJS: { brokers: [v.bootstrap], logLevel: 0 } });
  const consumer = kafka.consumer({
    kafkaJS: { groupId: `ceiling-kjs-${process.pid}-${Date.now()}`, fromBeginning: true, autoCommit: false },
    'fetch.queue.backoff.ms': 5,
    'queued.min.messages': 100_000,
    'socket.nagle.disable': true,
  });
  await consumer.connect();
  const cpuStart = process.cpuUsage();
  const mainStart = mainThreadCpuMs();
  await consumer.subscribe({ topic: v.topic });
  let n = 0;
  let bytes = 0;
  let start;
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  // The clock starts at the first record: the group join is not the client's per-record cost.
  if (v.api === 'kafkajs-batch') {
    await consumer.run({
      eachBatch: async ({ batch }) => {
        start ??= performance.now();
        for (const m of batch.messages) bytes += m.value.length;
        n += batch.messages.length;
        if (n >= v.records) resolveDone();
      },
    });
  } else {
    await consumer.run({
      eachMessage: async ({ message }) => {
        start ??= performance.now();
        bytes += message.value.length;
        if (++n >= v.records) resolveDone();
      },
    });
  }
  await done;
  const ms = performance.now() - start;
  const cpuMs = cpuMsSince(cpuStart);
  const mainMs = mainThreadCpuMs() - mainStart;
  await consumer.disconnect().catch(() => undefined);
  return { records: n, ms, cpuMs, mainMs, bytes, note: 'ms from first record, cpuMs from subscribe' };
}

async function produceChild(v) {
  const conf = runtimeProducer(v.bootstrap, v.config);
  if (v.dr === 'errors') Object.assign(conf, { dr_cb: true, 'delivery.report.only.error': true });
  if (v.dr === 'all') conf.dr_cb = true;
  const producer = new Kafka.Producer(conf);
  let reports = 0;
  if (v.dr !== 'none') producer.on('delivery-report', () => reports++);
  await call((cb) => producer.connect({ timeout: 30_000 }, cb));
  producer.setPollInBackground(true);
  const pool = Math.min(v.records, 100_000);
  const keys = Array.from({ length: pool }, (_, i) => (v.stringKey ? stringKey(i, KEYS) : Buffer.from(stringKey(i, KEYS))));
  const values = Array.from({ length: pool }, (_, i) => Buffer.from(stringValue(i, KEYS)));
  const headers = v.headers === 'empty' ? [] : undefined;
  const ts = Date.now() - v.records - 60_000;
  const cpuStart = process.cpuUsage();
  const mainStart = mainThreadCpuMs();
  const start = performance.now();
  for (let i = 0; i < v.records; i++) {
    const j = i % pool;
    const partition = v.explicitPartition ? i % PARTITIONS : null;
    for (;;) {
      try {
        producer.produce(v.topic, partition, values[j], keys[j], ts + i, undefined, headers);
        break;
      } catch (err) {
        if (err?.code !== -184) throw err; // queue full
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  }
  const callMs = performance.now() - start;
  if (!v.callOnly) await call((cb) => producer.flush(120_000, cb));
  const ms = v.callOnly ? callMs : performance.now() - start;
  const cpuMs = cpuMsSince(cpuStart);
  const mainMs = mainThreadCpuMs() - mainStart;
  if (v.callOnly) await call((cb) => producer.flush(120_000, cb));
  await new Promise((resolve) => producer.disconnect(30_000, resolve));
  return { records: v.records, ms, callMs, cpuMs, mainMs, reports };
}

/** CPU time of this process's main (JavaScript) thread so far, from /proc. */
function mainThreadCpuMs() {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time of the whole process (JavaScript and librdkafka's threads) since `start`. */
function cpuMsSince(start) {
  const cpu = process.cpuUsage(start);
  return (cpu.user + cpu.system) / 1000;
}

