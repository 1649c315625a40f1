#!/usr/bin/env node
/**
 * The benchmark suite (`npm run bench`): Tributary against Apache Kafka Streams (JVM) and @kafkats/flow on one
 * local broker, plus Tributary on its embedded log and the client ceilings. See bench/README.md.
 *
 *   node bench/run.mjs [--records N] [--keys N] [--port P] [--cases a,b] [--contenders a,b]
 *                      [--paced-rate R] [--paced-seconds S] [--no-latency] [--no-ceiling] [--profile] [--out FILE]
 *                      [--tributary-client-config '{"librdkafka.property": value}'] [--tributary-store memory|persistent]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPEND_TIME, connectProducer, createTopics, disconnectProducer, produceAll, watchOutput, Kafka } from './lib/kafka-io.mjs';
import { runToEnd, startChild, stopChild } from './lib/proc.mjs';
import {
  PACED_ID_BASE,
  WARM_UP_ID,
  eventRecord,
  expectedOutputs,
  pacedExpected,
  preloadBaseTimestamp,
  tableSizeFor,
  userRecord,
} from './lib/records.mjs';
import { percentiles } from './lib/stats.mjs';
import { renderChart, renderMarkdown } from './lib/report.mjs';
import { shopLoad } from './lib/shop-load.mjs';
import { shopSoak, SOAK_DEFAULTS } from './lib/shop-soak.mjs';
import { catalogBench } from './lib/catalog-run.mjs';
import { summarizeProfiles } from './lib/profile-summary.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const work = join(here, 'work');

const opts = parseOptions(process.argv.slice(2));
const port = opts.port;
const bootstrap = `127.0.0.1:${port}`;
const runId = Date.now().toString(36);
const brokerEnv = { KAFKA_PORT: String(port), KAFKA_DATA_DIR: join(work, `kafka-${port}`), KAFKA_HEAP: '1g' };

const SCENARIOS = [
  { name: 'stateless', benchCase: 'stateless', guarantee: 'at_least_once' },
  { name: 'stateful', benchCase: 'stateful', guarantee: 'at_least_once' },
  { name: 'windowed', benchCase: 'windowed', guarantee: 'at_least_once' },
  { name: 'join', benchCase: 'join', guarantee: 'at_least_once' },
  { name: 'stateless-eos', benchCase: 'stateless', guarantee: 'exactly_once_v2' },
  { name: 'stateful-eos', benchCase: 'stateful', guarantee: 'exactly_once_v2' },
].filter((s) => opts.cases === undefined || opts.cases.includes(s.name));

const CONTENDERS = ['jvm', 'tributary', 'flow', 'tributary-embedded'].filter(
  (c) => opts.contenders === undefined || opts.contenders.includes(c),
);

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
    options: { records: opts.records, keys: opts.keys, pacedRate: opts.pacedRate, pacedSeconds: opts.pacedSeconds, tributaryClientConfig: opts.tributaryClientConfig, tributaryStore: opts.tributaryStore },
    notes: [],
    runs: [],
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

  log(`starting broker on ${bootstrap}`);
  rmSync(brokerEnv.KAFKA_DATA_DIR, { recursive: true, force: true });
  brokerStarted = true;
  execFileSync('bash', [join(root, 'tools/kafka/kafka.sh'), 'start'], { env: { ...process.env, ...brokerEnv }, stdio: 'inherit' });

  const tableSize = tableSizeFor(opts.keys);
  await createTopics(bootstrap, [
    { name: 'bench-events' },
    { name: 'bench-users', config: { 'cleanup.policy': 'compact' } },
  ]);
  log(`pre-loading ${opts.records} events and ${tableSize} users`);
  const producer = await connectProducer(bootstrap);
  const base = preloadBaseTimestamp(opts.records, Date.now());
  const loadStart = Date.now();
  await produceAll(producer, 'bench-events', opts.records, (i) => eventRecord(i, opts.keys, base + i));
  await produceAll(producer, 'bench-users', tableSize, (j) => userRecord(j));
  await disconnectProducer(producer);
  log(`pre-loaded in ${Date.now() - loadStart} ms`);

  if (opts.ceiling) results.ceilings = await ceilings();

  for (const scenario of SCENARIOS) {
    for (const contender of CONTENDERS) {
      if (!available[contender]) {
        results.runs.push({ scenario: scenario.name, contender, status: 'not available', detail: available.why[contender] });
        continue;
      }
      const run = contender === 'tributary-embedded' ? await embeddedRun(scenario) : await brokerRun(scenario, contender);
      log(`${scenario.name} / ${contender}: ${run.status}${run.recordsPerSec ? ` ${Math.round(run.recordsPerSec)} rec/s` : ''}${run.peakRssMiB ? `, ${Math.round(run.peakRssMiB)} MiB` : ''}`);
      results.runs.push({ scenario: scenario.name, contender, ...run });
    }
  }

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

  if (opts.profile) results.profiles = await profileRuns();

  results.machine.loadAtEnd = loadavg()[0];
  const outFile = opts.out ?? join(here, 'results', `${results.date}.md`);
  mkdirSync(dirname(outFile), { recursive: true });
  const chartFile = outFile.replace(/\.md$/, '.svg');
  writeFileSync(chartFile, renderChart(results));
  writeFileSync(outFile, renderMarkdown(results, chartFile.split('/').pop()));
  writeFileSync(outFile.replace(/\.md$/, '.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${outFile} and ${chartFile}`);
}

/** One contender on the broker: a fresh output topic (append-time stamped), a fresh application id. */
async function brokerRun(scenario, contender, { extraNodeArgs = [] } = {}) {
  const tag = `${scenario.name}-${contender}-${runId}${extraNodeArgs.length ? '-prof' : ''}`;
  const output = `bench-out-${tag}`;
  await createTopics(bootstrap, [{ name: output, config: APPEND_TIME }]);
  const expected = expectedOutputs(scenario.benchCase, opts.records);
  const args = {
    case: scenario.benchCase,
    bootstrap,
    input: 'bench-events',
    output,
    table: 'bench-users',
    appId: `bench-${tag}`,
    stateDir: join(work, 'state', tag),
    guarantee: scenario.guarantee,
    ...(contender === 'tributary' && opts.tributaryClientConfig ? { clientConfig: opts.tributaryClientConfig } : {}),
    ...(contender === 'tributary' && opts.tributaryStore ? { storeType: opts.tributaryStore } : {}),
  };
  const timeoutMs = runTimeoutMs();
  const watcher = await watchOutput(bootstrap, output, 1, expected, { deadline: Date.now() + timeoutMs });
  const start = Date.now();
  const child = spawnContender(contender, args, extraNodeArgs);
  live.add(child);
  const outcome = await Promise.race([watcher.done.then(() => 'done'), child.exited.then(() => 'exited')]);
  child.sample();
  watcher.stop();
  const state = await watcher.done;
  await stopChild(child);
  live.delete(child);
  rmSync(args.stateDir, { recursive: true, force: true });
  return finish(child, outcome, state, start, expected);
}

function finish(child, outcome, state, start, expected) {
  const base = { expected, received: state.count, ...memoryOf(child) };
  if (outcome === 'exited' && state.count < expected) {
    const unavailable = /UNAVAILABLE (.*)/.exec(child.stdout);
    if (unavailable) return { ...base, status: 'not available', detail: unavailable[1] };
    return { ...base, status: 'failed', detail: `exited with ${child.exitCode ?? child.signal}: ${lastLines(child.stderr || child.stdout)}` };
  }
  if (state.count < expected) {
    return { ...base, status: 'timeout', detail: `${state.count} of ${expected} outputs after ${Math.round(runTimeoutMs() / 1000)} s; ${lastLines(child.stderr)}` };
  }
  const ms = state.lastTs - start;
  const steadyMs = state.lastTs - state.firstTs;
  return {
    ...base,
    status: 'ok',
    ms,
    steadyMs,
    recordsPerSec: (opts.records * 1000) / Math.max(1, ms),
    steadyRecordsPerSec: steadyMs > 0 ? (opts.records * 1000) / steadyMs : undefined,
  };
}

function spawnContender(contender, args, extraNodeArgs = []) {
  const json = JSON.stringify(args);
  if (contender === 'jvm') {
    const jvm = join(here, 'jvm', 'target');
    const argv = Object.entries({
      case: args.case,
      bootstrap: args.bootstrap,
      input: args.input,
      output: args.output,
      table: args.table,
      'app-id': args.appId,
      'state-dir': args.stateDir,
      guarantee: args.guarantee,
    }).map(([k, v]) => `--${k}=${v}`);
    return startChild('java', ['-Xms256m', '-Xmx1g', `-Djava.io.tmpdir=${work}`, '-cp', `${jvm}/streams-bench.jar:${jvm}/lib/*`, 'dev.tributary.bench.BenchApp', ...argv]);
  }
  const script = contender === 'flow' ? 'flow-app.mjs' : 'tributary-app.mjs';
  return startChild(process.execPath, [...extraNodeArgs, join(here, 'lib', script), json], { cwd: root });
}

async function embeddedRun(scenario, profileDir) {
  const stateDir = join(work, 'state', `embedded-${scenario.name}-${runId}`);
  const args = { case: scenario.benchCase, records: opts.records, keys: opts.keys, guarantee: scenario.guarantee, stateDir, timeoutMs: runTimeoutMs(), profileDir };
  const child = startChild(process.execPath, [join(here, 'lib', 'tributary-embedded.mjs'), 'throughput', JSON.stringify(args)], { cwd: root });
  live.add(child);
  const timer = setTimeout(() => child.child.kill('SIGKILL'), runTimeoutMs() + 120_000);
  await child.exited;
  clearTimeout(timer);
  live.delete(child);
  rmSync(stateDir, { recursive: true, force: true });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  let r;
  try {
    r = JSON.parse(line);
  } catch {
    return { status: 'failed', detail: lastLines(child.stderr || child.stdout), peakRssMiB: child.peakRss };
  }
  if (r.unavailable === undefined && r.ms === undefined) return { status: 'failed', detail: lastLines(child.stdout) };
  if (r.unavailable) return { status: 'not available', detail: r.unavailable };
  if (r.count < r.expected) return { status: 'timeout', expected: r.expected, received: r.count, peakRssMiB: child.peakRss };
  return { status: 'ok', expected: r.expected, received: r.count, ms: r.ms, recordsPerSec: (opts.records * 1000) / Math.max(1, r.ms), ...memoryOf(child) };
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
  const args = { case: 'stateless', bootstrap, input, output, table: 'bench-users', appId: `bench-paced-${contender}-${runId}`, stateDir: join(work, 'state', `paced-${contender}-${runId}`), guarantee: 'at_least_once' };
  const child = spawnContender(contender, args);
  live.add(child);
  const producer = await connectProducer(bootstrap, { 'linger.ms': 0 });
  try {
    // Warm-up: one record through the whole path first, so start-up and the first rebalance are not measured.
    const warmUpDeadline = Date.now() + 120_000;
    let nextWarmUp = 0;
    while (!warm && Date.now() < warmUpDeadline && child.exitCode === undefined) {
      if (Date.now() >= nextWarmUp) {
        const r = eventRecord(WARM_UP_ID, opts.keys, Date.now());
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
        const r = eventRecord(PACED_ID_BASE + sent, opts.keys, Date.now());
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
  const args = { keys: opts.keys, stateDir, rate: opts.pacedRate, seconds: opts.pacedSeconds };
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

async function ceilings() {
  const out = [];
  const libs = join(root, 'tools', 'kafka', 'libs');
  const n = opts.records;
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
    '--bootstrap-server', bootstrap, '--topic', 'bench-events', '--messages', String(n), '--timeout', '60000',
    '--group', `bench-cp-${runId}`], { timeoutMs: 300_000 });
  // Data line: start.time, end.time, MB consumed, MB/s, records consumed, records/s, rebalance ms, fetch ms, ...
  const cpLine = cp.stdout.split('\n').find((l) => /^\d{4}-\d\d-\d\d/.test(l.trim()));
  const cpCols = cpLine?.split(',').map((s) => s.trim());
  out.push(cpCols && cpCols.length >= 6
    ? { name: 'Kafka ConsumerPerformance (JVM)', recordsPerSec: Number(cpCols[5]), fetchRecordsPerSec: cpCols[9] ? Number(cpCols[9]) : undefined, peakRssMiB: cp.peakRss, status: 'ok' }
    : { name: 'Kafka ConsumerPerformance', status: 'failed', detail: lastLines(cp.stderr || cp.stdout) });

  for (const mode of ['produce', 'consume']) {
    log(`ceiling: bare ${mode} loop`);
    const args = { bootstrap, topic: mode === 'produce' ? 'bench-ceiling-produce' : 'bench-events', records: n, keys: opts.keys };
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

/** Re-runs the Tributary cases under `node --cpu-prof` and summarizes where the time goes. */
async function profileRuns() {
  const out = [];
  for (const scenario of SCENARIOS.filter((s) => s.guarantee === 'at_least_once')) {
    for (const contender of ['tributary', 'tributary-embedded']) {
      const dir = join(work, 'profiles', `${scenario.name}-${contender}-${runId}`);
      mkdirSync(dir, { recursive: true });
      const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
      log(`profiling ${scenario.name} / ${contender}`);
      // The embedded child profiles its processing phase itself, leaving its pre-load out of the profile.
      const run = contender === 'tributary' ? await brokerRun(scenario, contender, { extraNodeArgs: nodeArgs }) : await embeddedRun(scenario, dir);
      if (run.status !== 'ok') {
        out.push({ scenario: scenario.name, contender, status: run.status });
        continue;
      }
      out.push({ scenario: scenario.name, contender, status: 'ok', recordsPerSec: run.recordsPerSec, ...summarizeProfiles(dir) });
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
  if (!existsSync(jar)) {
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
      v[name] = JSON.parse(execFileSync('cat', [file], { encoding: 'utf8' })).version;
    } catch {
      notes.push(`version of ${name} unknown (${file} missing)`);
    }
  }
  try {
    v.tributaryCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return v;
}

function machineInfo() {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), platform: process.platform, loadAtStart: loadavg()[0] };
}

function memoryOf(child) {
  const reported = /^MEMORY (.*)$/m.exec(child.stdout);
  let js;
  try {
    js = reported ? JSON.parse(reported[1]) : undefined;
  } catch {
    js = undefined;
  }
  return { peakRssMiB: child.peakRss, peakAnonMiB: child.peakAnon, peakFileMiB: child.peakFile, js };
}

function runTimeoutMs() {
  return 90_000 + opts.records * 1;
}

function lastLines(text, n = 3) {
  return (text ?? '').trim().split('\n').slice(-n).join(' | ').slice(0, 400);
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function parseOptions(argv) {
  const o = { records: 1_000_000, keys: undefined, port: 19392, pacedRate: 5_000, pacedSeconds: 20, latency: true, ceiling: true, profile: false, shop: true, shopRate: 100, shopSeconds: 20, soak: true, soakRate: SOAK_DEFAULTS.rate, soakSeconds: SOAK_DEFAULTS.seconds, soakRetentionMs: SOAK_DEFAULTS.retentionMs, soakTopicDefaults: SOAK_DEFAULTS.topicDefaults, catalog: true, catalogProducts: 100_000, catalogRate: 50, catalogSeconds: 20, logStorage: true, logRecords: 10_000_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--records') o.records = Number(next());
    else if (a === '--keys') o.keys = Number(next());
    else if (a === '--port') o.port = Number(next());
    else if (a === '--cases') o.cases = next().split(',');
    else if (a === '--contenders') o.contenders = next().split(',');
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
  o.keys ??= o.records;
  return o;
}
