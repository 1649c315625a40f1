#!/usr/bin/env node
/**
 * The benchmark suite (`npm run bench`): Tributary (on Kafka and on its embedded log) against Apache Kafka Streams on
 * the JVM over a matrix of workloads (bench/lib/matrix.mjs), each contender run several times, alternated; then the
 * client ceilings, latency, the reference shop, the catalog and the embedded log's storage. See bench/README.md.
 *
 *   node bench/run.mjs [--records N | --short] [--with serde,partitions,keys,join,threads,eos|all] [--rows a,b]
 *                      [--cases a,b] [--contenders a,b] [--runs N] [--warm-ups N] [--keys N] [--commit-interval-ms N]
 *                      [--port P] [--no-matrix] [--no-latency] [--no-ceiling] [--no-shop] [--no-catalog]
 *                      [--no-log-storage] [--profile] [--out FILE] ... (every option: bench/README.md)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPEND_TIME, connectProducer, createTopics, disconnectProducer, watchOutput, Kafka } from './lib/kafka-io.mjs';
import { lastLines, runToEnd, startChild, stopChild } from './lib/proc.mjs';
import { PACED_ID_BASE, WARM_UP_ID, eventRecord, pacedExpected } from './lib/records.mjs';
import { percentiles } from './lib/stats.mjs';
import { renderChart, renderMarkdown } from './lib/report.mjs';
import { shopLoad } from './lib/shop-load.mjs';
import { shopSoak, SOAK_DEFAULTS } from './lib/shop-soak.mjs';
import { catalogBench } from './lib/catalog-run.mjs';
import { summarizeProfiles } from './lib/profile-summary.mjs';
import { CORE, GROUPS, estimateMinutes, selectRows } from './lib/matrix.mjs';
import { runRow } from './lib/matrix-run.mjs';
import { brokerRun, embeddedRun } from './lib/throughput-run.mjs';
import { workloadLoader } from './lib/workloads.mjs';
import { ALL_CONTENDERS, spawnContender } from './lib/contenders.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const work = join(here, 'work');

const opts = parseOptions(process.argv.slice(2));
const port = opts.port;
const bootstrap = `127.0.0.1:${port}`;
const runId = Date.now().toString(36);
const brokerEnv = { KAFKA_PORT: String(port), KAFKA_DATA_DIR: join(work, `kafka-${port}`), KAFKA_HEAP: '1g' };

const ROWS = opts.matrix ? selectRows({ rows: opts.rows, with: opts.with, cases: opts.cases, keys: opts.keys, records: opts.records, commitIntervalMs: opts.commitIntervalMs }) : [];
const CONTENDERS = opts.contenders;
/** Keys of the latency runs' records: the core workload's. */
const pacedKeys = opts.keys ?? CORE.keys;

const log = (...parts) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...parts);

const live = new Set();
let brokerStarted = false;
async function cleanup() {
  for (const h of live) await stopChild(h, 5_000);
  if (brokerStarted) {
    brokerStarted = false;
    try {
      execFileSync('bash', [join(root, 'tools/kafka/kafka.sh'), 'stop'], { env: { ...process.env, ...brokerEnv }, stdio: 'inherit' });
    } catch (err) {
      console.error('stopping the broker failed:', err.message);
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: stopping children and the broker`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  await main();
} finally {
  await cleanup();
}

async function main() {
  mkdirSync(work, { recursive: true });
  const results = {
    date: new Date().toISOString().slice(0, 10),
    machine: machineInfo(),
    versions: {},
    broker: undefined,
    options: {
      argv: process.argv.slice(2),
      records: opts.records,
      keys: opts.keys,
      runs: opts.runs,
      warmUps: opts.warmUps,
      contenders: CONTENDERS,
      pacedRate: opts.pacedRate,
      pacedSeconds: opts.pacedSeconds,
      tributaryClientConfig: opts.tributaryClientConfig,
      tributaryStore: opts.tributaryStore,
    },
    notes: [],
    matrix: [],
    ceilings: [],
    latency: [],
    shop: [],
    soak: undefined,
    catalog: undefined,
    logStorage: [],
    profiles: [],
  };
  results.versions = versions(results.notes);
  const available = prerequisites(results.notes);
  if (ROWS.length > 0) {
    const minutes = estimateMinutes({ rows: ROWS, contenders: CONTENDERS, runs: opts.runs, warmUps: opts.warmUps, records: opts.records });
    log(`matrix: ${ROWS.length} rows (${ROWS.map((r) => r.id).join(', ')}) × ${CONTENDERS.length} contenders × (${opts.warmUps} warm-up + ${opts.runs} runs): about ${minutes} minutes on 2 cores, then the other sections`);
  }

  log(`starting broker on ${bootstrap}`);
  rmSync(brokerEnv.KAFKA_DATA_DIR, { recursive: true, force: true });
  brokerStarted = true;
  execFileSync('bash', [join(root, 'tools/kafka/kafka.sh'), 'start'], { env: { ...process.env, ...brokerEnv }, stdio: 'inherit' });
  results.broker = brokerInfo();

  const ctx = {
    here,
    root,
    work,
    bootstrap,
    runId,
    live,
    log,
    available,
    records: opts.records,
    timeoutMs: runTimeoutMs(),
    tributaryClientConfig: opts.tributaryClientConfig,
    tributaryStore: opts.tributaryStore,
    workloads: workloadLoader({ bootstrap, records: opts.records, log }),
  };
  for (const row of ROWS) {
    log(`row ${row.id}: ${row.label}`);
    results.matrix.push(await runRow(ctx, row, { contenders: CONTENDERS, runs: opts.runs, warmUps: opts.warmUps }));
  }

  if (opts.ceiling) results.ceilings = await ceilings(ctx);

  if (opts.latency) {
    for (const contender of CONTENDERS) {
      if (!available[contender]) continue;
      const lat = contender === 'tributary-embedded' ? await embeddedLatency() : await brokerLatency(contender);
      log(`latency / ${contender}: ${lat.status} p50=${lat.p50} p99=${lat.p99}`);
      results.latency.push({ contender, ...lat });
    }
  }

  if (opts.shop) {
    for (const backend of ['embedded', bootstrap]) {
      const label = backend === 'embedded' ? 'embedded log' : 'Kafka';
      log(`shop load on the ${label}: ${opts.shopRate} orders/s for ${opts.shopSeconds} s`);
      const run = await shopLoad({ root, work, backend, rate: opts.shopRate, seconds: opts.shopSeconds });
      log(`shop / ${label}: ${run.status}${run.p50 !== undefined ? ` p50=${run.p50} ms p99=${run.p99} ms` : ''}`);
      results.shop.push({ backend: label, ...run });
    }
  }

  if (opts.soak) {
    log(`shop soak on the embedded log: ${opts.soakRate} orders/s for ${opts.soakSeconds} s`);
    results.soak = await shopSoak({
      root,
      work,
      rate: opts.soakRate,
      seconds: opts.soakSeconds,
      retentionMs: opts.soakRetentionMs,
      topicDefaults: opts.soakTopicDefaults,
      log,
      track: (child) => live.add(child),
    });
    const f = results.soak.figures;
    log(`shop soak: ${results.soak.status}${f ? ` RSS ${f.rss.atWarmupMiB} → ${f.rss.atEndMiB} MiB (${f.rss.slopeKiBPerMin} KiB/min), disk ${f.disk.atEndMiB} MiB` : ''}`);
  }

  if (opts.catalog) {
    log(`catalog: ${opts.catalogProducts} products through the pipeline, then search at ${opts.catalogRate} queries/s for ${opts.catalogSeconds} s per engine`);
    results.catalog = await catalogBench({ root, work, products: opts.catalogProducts, seconds: opts.catalogSeconds, rate: opts.catalogRate });
    log(`catalog: ${results.catalog.status}${results.catalog.pipeline ? ` pipeline ${Math.round(results.catalog.pipeline.recordsPerSec)} rec/s` : ''}`);
  }
  if (opts.logStorage) results.logStorage = await logStorageRun();

  if (opts.profile) results.profiles = await profileRuns(ctx);

  results.machine.loadAtEnd = loadavg()[0];
  const outFile = opts.out ?? join(here, 'results', `${results.date}.md`);
  mkdirSync(dirname(outFile), { recursive: true });
  const chartFile = outFile.replace(/\.md$/, '.svg');
  writeFileSync(chartFile, renderChart(results));
  writeFileSync(outFile, renderMarkdown(results, chartFile.split('/').pop()));
  writeFileSync(outFile.replace(/\.md$/, '.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${outFile} and ${chartFile}`);
}

/** Stateless topology, paced input: latency = output append time - the input's `ts` (its produce time). */
async function brokerLatency(contender) {
  const input = `bench-paced-${contender}-${runId}`;
  const output = `bench-paced-out-${contender}-${runId}`;
  await createTopics(bootstrap, [{ name: input }, { name: output, config: APPEND_TIME }]);
  const total = opts.pacedRate * opts.pacedSeconds;
  const expected = pacedExpected(total) + 1;
  const latencies = [];
  let warm = false;
  const watcher = await watchOutput(bootstrap, output, 1, expected, {
    deadline: Date.now() + 180_000 + opts.pacedSeconds * 1000,
    onRecord: (m) => {
      const v = JSON.parse(m.value.toString());
      if (v.id === WARM_UP_ID) warm = true;
      else latencies.push(m.timestamp - v.ts);
    },
  });
  const args = { case: 'stateless', format: 'json', bootstrap, input, output, appId: `bench-paced-${contender}-${runId}`, stateDir: join(work, 'state', `paced-${contender}-${runId}`), guarantee: 'at_least_once' };
  const child = spawnContender({ here, root, work }, contender, args);
  live.add(child);
  const producer = await connectProducer(bootstrap, { 'linger.ms': 0 });
  try {
    // Warm-up: one record through the whole path first, so start-up and the first rebalance are not measured.
    const warmUpDeadline = Date.now() + 120_000;
    let nextWarmUp = 0;
    while (!warm && Date.now() < warmUpDeadline && child.exitCode === undefined) {
      if (Date.now() >= nextWarmUp) {
        const r = eventRecord(WARM_UP_ID, pacedKeys, Date.now());
        producer.produce(input, null, r.value, r.key, r.timestamp);
        nextWarmUp = Date.now() + 5_000;
      }
      await sleep(50);
    }
    if (!warm) return { status: 'failed', detail: `no output for the warm-up record; ${lastLines(child.stderr)}` };
    const startedAt = Date.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - startedAt) / 1000) * opts.pacedRate));
      for (; sent < due; sent++) {
        const r = eventRecord(PACED_ID_BASE + sent, pacedKeys, Date.now());
        producer.produce(input, null, r.value, r.key, r.timestamp);
      }
      await sleep(5);
    }
    const drainDeadline = Date.now() + 30_000;
    while (watcher.state.count < expected && Date.now() < drainDeadline) await sleep(50);
  } finally {
    watcher.stop();
    await watcher.done;
    await disconnectProducer(producer);
    child.sample();
    await stopChild(child);
    live.delete(child);
    rmSync(args.stateDir, { recursive: true, force: true });
  }
  const status = latencies.length >= expected - 1 ? 'ok' : `incomplete (${latencies.length} of ${expected - 1})`;
  return { status, sent: total, received: latencies.length, peakRssMiB: child.peakRss, ...percentiles(latencies) };
}

async function embeddedLatency() {
  const stateDir = join(work, 'state', `embedded-paced-${runId}`);
  const args = { keys: pacedKeys, stateDir, rate: opts.pacedRate, seconds: opts.pacedSeconds };
  const child = startChild(process.execPath, [join(here, 'lib', 'tributary-embedded.mjs'), 'latency', JSON.stringify(args)], { cwd: root });
  live.add(child);
  const timer = setTimeout(() => child.child.kill('SIGKILL'), opts.pacedSeconds * 1000 + 120_000);
  await child.exited;
  clearTimeout(timer);
  live.delete(child);
  rmSync(stateDir, { recursive: true, force: true });
  try {
    const r = JSON.parse(child.stdout.trim().split('\n').pop() ?? '');
    const status = r.received >= r.expected ? 'ok' : `incomplete (${r.received} of ${r.expected})`;
    return { status, sent: r.sent, received: r.received, p50: r.p50, p95: r.p95, p99: r.p99, max: r.max, peakRssMiB: child.peakRss, note: 'receive time in-process' };
  } catch {
    return { status: 'failed', detail: lastLines(child.stderr || child.stdout) };
  }
}

/**
 * The embedded log's storage alone (bench/lib/embedded-log-io.mjs): `--log-records` records of 200 bytes written
 * (a flush per 10,000) and read back from offset 0, in a child of its own; the peak RSS is the child's high-water mark.
 */
async function logStorageRun() {
  const dataDir = join(work, 'state', `embedded-log-io-${runId}`);
  const args = { records: opts.logRecords, dataDir };
  log(`embedded log storage: ${opts.logRecords} records of 200 B`);
  const h = await runToEnd(process.execPath, [join(here, 'lib', 'embedded-log-io.mjs'), JSON.stringify(args)], { cwd: root, timeoutMs: 120_000 + opts.logRecords / 10 });
  rmSync(dataDir, { recursive: true, force: true });
  try {
    const r = JSON.parse(h.stdout.trim().split('\n').pop() ?? '');
    const ok = r.read === r.records;
    const row = { ...r, peakRssMiB: h.peakRss ?? r.peakRssMiB, status: ok ? 'ok' : 'failed', detail: ok ? undefined : `read ${r.read} of ${r.records}` };
    log(`embedded log storage: write ${r.writeRecordsPerSec} rec/s, read ${r.readRecordsPerSec} rec/s, peak RSS ${row.peakRssMiB} MiB`);
    return [row];
  } catch {
    return [{ records: opts.logRecords, status: 'failed', detail: lastLines(h.stderr || h.stdout) }];
  }
}

/** The client ceilings read a JSON, one-partition input of the same size (the consume rows). */
async function ceilings(ctx) {
  const out = [];
  const libs = join(root, 'tools', 'kafka', 'libs');
  const n = opts.records;
  const input = (await ctx.workloads.input({ case: 'stateless', format: 'json', partitions: 1, keys: Math.min(1_000, n) })).topic;
  await createTopics(bootstrap, [{ name: 'bench-ceiling-pp' }, { name: 'bench-ceiling-produce' }]);

  log('ceiling: ProducerPerformance');
  const pp = await runToEnd('java', ['-Xmx512m', `-Djava.io.tmpdir=${work}`, '-cp', `${libs}/*`, 'org.apache.kafka.tools.ProducerPerformance',
    '--topic', 'bench-ceiling-pp', '--num-records', String(n), '--record-size', '200', '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${bootstrap}`, 'acks=all', 'linger.ms=5', 'batch.size=1000000'], { timeoutMs: 300_000 });
  const ppLine = /(\d+) records sent, ([\d.]+) records\/sec/.exec(pp.stdout);
  out.push(ppLine
    ? { name: 'Kafka ProducerPerformance (JVM, 200 B, acks=all)', recordsPerSec: Number(ppLine[2]), peakRssMiB: pp.peakRss, status: 'ok' }
    : { name: 'Kafka ProducerPerformance', status: 'failed', detail: lastLines(pp.stderr || pp.stdout) });

  log('ceiling: ConsumerPerformance');
  const cp = await runToEnd('java', ['-Xmx512m', `-Djava.io.tmpdir=${work}`, '-cp', `${libs}/*`, 'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server', bootstrap, '--topic', input, '--messages', String(n), '--timeout', '60000',
    '--group', `bench-cp-${runId}`], { timeoutMs: 300_000 });
  // Data line: start.time, end.time, MB consumed, MB/s, records consumed, records/s, rebalance ms, fetch ms, ...
  const cpLine = cp.stdout.split('\n').find((l) => /^\d{4}-\d\d-\d\d/.test(l.trim()));
  const cpCols = cpLine?.split(',').map((s) => s.trim());
  out.push(cpCols && cpCols.length >= 6
    ? { name: 'Kafka ConsumerPerformance (JVM)', recordsPerSec: Number(cpCols[5]), fetchRecordsPerSec: cpCols[9] ? Number(cpCols[9]) : undefined, peakRssMiB: cp.peakRss, status: 'ok' }
    : { name: 'Kafka ConsumerPerformance', status: 'failed', detail: lastLines(cp.stderr || cp.stdout) });

  for (const mode of ['produce', 'consume']) {
    log(`ceiling: bare ${mode} loop`);
    const args = { bootstrap, topic: mode === 'produce' ? 'bench-ceiling-produce' : input, records: n, keys: Math.min(1_000, n) };
    const h = await runToEnd(process.execPath, [join(here, 'lib', 'ceiling.mjs'), mode, JSON.stringify(args)], { cwd: root, timeoutMs: 300_000 });
    try {
      const r = JSON.parse(h.stdout.trim().split('\n').pop() ?? '');
      out.push({ name: `bare ${mode} loop (@confluentinc/kafka-javascript)`, recordsPerSec: (r.records * 1000) / Math.max(1, r.ms), peakRssMiB: h.peakRss, status: 'ok' });
    } catch {
      out.push({ name: `bare ${mode} loop`, status: 'failed', detail: lastLines(h.stderr || h.stdout) });
    }
  }
  for (const c of out) log(`ceiling ${c.name}: ${c.status} ${c.recordsPerSec ? Math.round(c.recordsPerSec) : ''}`);
  return out;
}

/**
 * One more run of Tributary per at-least-once row, under a CPU profiler, summarized: on Kafka the whole child under
 * `node --cpu-prof`; on the embedded log the processing phase only (the child profiles itself, leaving its pre-load out).
 */
async function profileRuns(ctx) {
  const out = [];
  for (const row of ROWS.filter((r) => r.guarantee === 'at_least_once')) {
    for (const contender of ['tributary', 'tributary-embedded'].filter((c) => CONTENDERS.includes(c) && ctx.available[c])) {
      const tag = `${row.id}-${contender}-${runId}-prof`;
      const dir = join(work, 'profiles', tag);
      mkdirSync(dir, { recursive: true });
      log(`profiling ${row.id} / ${contender}`);
      const run =
        contender === 'tributary'
          ? await brokerRun(ctx, row, contender, await ctx.workloads.input(row), { tag, extraNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] })
          : await embeddedRun(ctx, row, { tag, profileDir: dir });
      if (run.status !== 'ok') {
        out.push({ scenario: row.label, contender, status: run.status });
        continue;
      }
      out.push({ scenario: row.label, contender, status: 'ok', recordsPerSec: run.recordsPerSec, ...summarizeProfiles(dir) });
    }
  }
  return out;
}

function prerequisites(notes) {
  const why = {};
  const available = { why };
  available.tributary = existsSync(join(root, 'packages', 'streams', 'dist', 'index.js'));
  if (!available.tributary) why.tributary = 'packages/streams/dist missing: run `npm run build` first';
  available['tributary-embedded'] = available.tributary;
  why['tributary-embedded'] = why.tributary;
  const jar = join(here, 'jvm', 'target', 'streams-bench.jar');
  if (!existsSync(jar) || newestSource(join(here, 'jvm')) > statSync(jar).mtimeMs) {
    log('building the JVM program (mvn -q package in bench/jvm)');
    try {
      execFileSync('mvn', ['-q', '-B', 'package'], { cwd: join(here, 'jvm'), stdio: 'inherit', timeout: 900_000 });
    } catch (err) {
      notes.push(`JVM program did not build: ${err.message}`);
    }
  }
  available.jvm = existsSync(jar);
  if (!available.jvm) why.jvm = 'bench/jvm did not build (see notes)';
  available.flow = existsSync(join(here, 'node_modules', '@kafkats', 'flow', 'package.json'));
  if (!available.flow) why.flow = '@kafkats/flow not installed: run `npm install --prefix bench`';
  return available;
}

function versions(notes) {
  const v = { node: process.versions.node, librdkafka: Kafka.librdkafkaVersion };
  try {
    v.java = execFileSync('java', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim() || undefined;
  } catch (err) {
    v.java = String(err.stderr ?? '').split('\n')[0];
  }
  if (!v.java) v.java = execFileSync('bash', ['-c', 'java -version 2>&1 | head -1'], { encoding: 'utf8' }).trim();
  v.kafka = '4.3.1 (broker, clients, Kafka Streams)';
  for (const [name, file] of [
    ['tributary', join(root, 'packages', 'streams', 'package.json')],
    ['kafkatsFlow', join(here, 'node_modules', '@kafkats', 'flow', 'package.json')],
    ['confluentKafkaJavascript', join(root, 'node_modules', '@confluentinc', 'kafka-javascript', 'package.json')],
  ]) {
    try {
      v[name] = JSON.parse(readFileSync(file, 'utf8')).version;
    } catch {
      if (name !== 'kafkatsFlow' || CONTENDERS.includes('flow')) notes.push(`version of ${name} unknown (${file} missing)`);
    }
  }
  try {
    v.tributaryCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    // Uncommitted changes to the library or the benchmark make the commit an approximation of what ran.
    v.uncommitted = execFileSync('git', ['status', '--porcelain', '--', 'packages/streams/src', 'bench'], { cwd: root, encoding: 'utf8' }).trim() !== '';
  } catch {
    // not a git checkout
  }
  return v;
}

/** The newest modification time under bench/jvm's sources and pom: a jar older than that is rebuilt. */
function newestSource(dir) {
  let newest = statSync(join(dir, 'pom.xml')).mtimeMs;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(join(dir, 'src'));
  return newest;
}

function machineInfo() {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), platform: process.platform, loadAtStart: loadavg() };
}

/** The broker's version and the settings of tools/kafka/kafka.sh that bear on throughput, read from its config. */
function brokerInfo() {
  const keys = ['num.network.threads', 'num.io.threads', 'offsets.topic.num.partitions', 'transaction.state.log.num.partitions', 'group.initial.rebalance.delay.ms', 'auto.create.topics.enable'];
  let settings = 'configuration not readable';
  try {
    const text = readFileSync(join(brokerEnv.KAFKA_DATA_DIR, 'node-1', 'server.properties'), 'utf8');
    settings = keys.map((k) => `${k}=${new RegExp(`^${k.replace(/\./g, '\\.')}=(.*)$`, 'm').exec(text)?.[1] ?? '?'}`).join(', ');
  } catch {
    // reported as not readable
  }
  return { version: '4.3.1', heap: brokerEnv.KAFKA_HEAP, settings: `${settings}, data on the local disk (${brokerEnv.KAFKA_DATA_DIR.replace(root + '/', '')})` };
}

function runTimeoutMs() {
  return 90_000 + opts.records * 1;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function parseOptions(argv) {
  const o = {
    records: 1_000_000,
    keys: undefined,
    port: 19392,
    matrix: true,
    with: [],
    runs: 3,
    warmUps: 1,
    contenders: ['jvm', 'tributary', 'tributary-embedded'],
    pacedRate: 5_000,
    pacedSeconds: 20,
    latency: true,
    ceiling: true,
    profile: false,
    shop: true,
    shopRate: 100,
    shopSeconds: 20,
    soak: true,
    soakRate: SOAK_DEFAULTS.rate,
    soakSeconds: SOAK_DEFAULTS.seconds,
    soakRetentionMs: SOAK_DEFAULTS.retentionMs,
    soakTopicDefaults: SOAK_DEFAULTS.topicDefaults,
    catalog: true,
    catalogProducts: 100_000,
    catalogRate: 50,
    catalogSeconds: 20,
    logStorage: true,
    logRecords: 10_000_000,
  };
  const list = (v) => v.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--records') o.records = Number(next());
    else if (a === '--short') o.records = 200_000;
    else if (a === '--keys') o.keys = Number(next());
    else if (a === '--port') o.port = Number(next());
    else if (a === '--with') o.with = list(next());
    else if (a === '--rows') o.rows = list(next());
    else if (a === '--cases') o.cases = list(next());
    else if (a === '--contenders') o.contenders = list(next());
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--warm-ups') o.warmUps = Number(next());
    else if (a === '--commit-interval-ms') o.commitIntervalMs = Number(next());
    else if (a === '--no-matrix') o.matrix = false;
    else if (a === '--paced-rate') o.pacedRate = Number(next());
    else if (a === '--paced-seconds') o.pacedSeconds = Number(next());
    else if (a === '--no-latency') o.latency = false;
    else if (a === '--no-ceiling') o.ceiling = false;
    else if (a === '--no-shop') o.shop = false;
    else if (a === '--shop-rate') o.shopRate = Number(next());
    else if (a === '--shop-seconds') o.shopSeconds = Number(next());
    else if (a === '--no-soak') o.soak = false;
    else if (a === '--soak-rate') o.soakRate = Number(next());
    else if (a === '--soak-seconds') o.soakSeconds = Number(next());
    else if (a === '--soak-retention-ms') o.soakRetentionMs = Number(next());
    else if (a === '--soak-topic-defaults') o.soakTopicDefaults = next();
    else if (a === '--no-catalog') o.catalog = false;
    else if (a === '--catalog-products') o.catalogProducts = Number(next());
    else if (a === '--catalog-rate') o.catalogRate = Number(next());
    else if (a === '--catalog-seconds') o.catalogSeconds = Number(next());
    else if (a === '--profile') o.profile = true;
    else if (a === '--no-log-storage') o.logStorage = false;
    else if (a === '--log-records') o.logRecords = Number(next());
    else if (a === '--tributary-client-config') o.tributaryClientConfig = JSON.parse(next());
    else if (a === '--tributary-store') o.tributaryStore = next();
    else if (a === '--out') o.out = resolve(next());
    else throw new Error(`unknown option ${a} (see bench/README.md)`);
  }
  if (!Number.isInteger(o.records) || o.records < 1) throw new Error('--records must be a positive integer');
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs must be a positive integer (3 or more for a median worth the name)');
  if (!Number.isInteger(o.warmUps) || o.warmUps < 0) throw new Error('--warm-ups must be an integer >= 0');
  if (o.keys !== undefined && (!Number.isInteger(o.keys) || o.keys < 1)) throw new Error('--keys must be a positive integer');
  for (const c of o.contenders) if (!ALL_CONTENDERS.includes(c)) throw new Error(`unknown contender ${c} (one of ${ALL_CONTENDERS.join(', ')})`);
  for (const g of o.with) if (g !== 'all' && !GROUPS.includes(g)) throw new Error(`unknown --with group ${g} (one of ${GROUPS.join(', ')}, all)`);
  return o;
}
