/**
 * A/B runs of the String workload (bench/lib/string-records.mjs: ~20-byte String values, 1k keys, 4 partitions) on a
 * broker that is already running: two Tributary builds against each other and against Kafka Streams on the JVM
 * (bench/jvm StringBenchApp), alternated round by round so the machine's load hits every contender alike. Reports
 * per case and contender the median/min/max of records/s (spawn → last output append, and first → last output), the
 * child's CPU time per input record, and the load average during the runs.
 *
 *   node bench/lib/string-ab.mjs --bootstrap 127.0.0.1:19720 [--records 1000000] [--rounds 3]
 *        [--cases stateless,stateful,stateful-eos,windowed] [--contenders base=PATH,branch=PATH,jvm]
 *        [--profile DIR] [--skip-load] [--out FILE.json]
 *
 * A contender `name=PATH` is a built @tributary/streams (`.../dist/index.js`), `name=PATH|FLAGS` the same with node
 * flags; `jvm` is bench/jvm (mvn -q package).
 */
import { readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call } from './call.mjs';
import { APPEND_TIME, Kafka, connectProducer, createTopics, disconnectProducer, produceAll, watchOutput } from './kafka-io.mjs';
import { startChild, stopChild } from './proc.mjs';
import { expectedStringOutputs, stringKey, stringValue } from './string-records.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const work = join(here, '..', 'work');
const PARTITIONS = 4;

const CASES = {
  stateless: { benchCase: 'stateless', guarantee: 'at_least_once' },
  stateful: { benchCase: 'stateful', guarantee: 'at_least_once' },
  'stateful-eos': { benchCase: 'stateful', guarantee: 'exactly_once_v2' },
  windowed: { benchCase: 'windowed', guarantee: 'at_least_once' },
};

const o = parseArgs(process.argv.slice(2));
const input = `sab-in-${o.records}-${o.keys}`;
const runId = Date.now().toString(36);
const clockTick = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

const live = new Set();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    void Promise.all([...live].map((h) => stopChild(h, 5_000))).finally(() => process.exit(130));
  });
}

if (!o.skipLoad) await load();
const results = [];
for (let round = 0; round < o.rounds; round++) {
  for (const name of o.cases) {
    // Rotate the order each round: no contender always runs first (after a quiet spell) or last.
    const order = o.contenders.map((_, i) => o.contenders[(i + round) % o.contenders.length]);
    for (const contender of order) {
      const r = await run(name, contender, round);
      results.push(r);
      console.error(
        `[ab] round ${round + 1} ${name} ${contender.name}: ${r.status} ${r.recordsPerSec ?? ''} rec/s (steady ${r.steadyRecordsPerSec ?? '-'}), ` +
          `${r.cpuUsPerRecord ?? '-'} µs CPU/record (processing thread ${r.processingUsPerRecord ?? '-'}, busiest ${r.busiestThread}: ${r.busiestUsPerRecord ?? '-'}), load ${r.loadStart}→${r.loadEnd}`,
      );
    }
  }
}
console.log(table(results));
if (o.out) {
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify({ options: o, results }, null, 2)}\n`);
}

function parseArgs(argv) {
  const opts = {
    bootstrap: '127.0.0.1:19720',
    records: 1_000_000,
    keys: 1000,
    rounds: 3,
    cases: Object.keys(CASES),
    contenders: [
      { name: 'base', dist: join(work, 'base', 'dist', 'index.js') },
      { name: 'branch', dist: join(root, 'packages', 'streams', 'dist', 'index.js') },
      { name: 'jvm' },
    ],
    profile: undefined,
    skipLoad: false,
    out: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--bootstrap') opts.bootstrap = next();
    else if (a === '--records') opts.records = Number(next());
    else if (a === '--keys') opts.keys = Number(next());
    else if (a === '--rounds') opts.rounds = Number(next());
    else if (a === '--cases') opts.cases = next().split(',');
    else if (a === '--contenders') {
      opts.contenders = next().split(',').map((c) => {
        if (c === 'jvm') return { name: 'jvm' };
        // name=PATH, or name=PATH|node flags (e.g. `semi=packages/streams/dist/index.js|--max-semi-space-size=64`)
        const eq = c.indexOf('=');
        const [dist, flags] = c.slice(eq + 1).split('|');
        const name = c.slice(0, eq);
        return { name, dist: resolve(dist), nodeArgs: flags ? flags.split(' ') : [] };
      });
    } else if (a === '--profile') opts.profile = resolve(next());
    else if (a === '--skip-load') opts.skipLoad = true;
    else if (a === '--out') opts.out = resolve(next());
    else throw new Error(`unknown option ${a}`);
  }
  for (const c of opts.cases) if (!CASES[c]) throw new Error(`unknown case ${c}`);
  return opts;
}

async function load() {
  await createTopics(o.bootstrap, [{ name: input, partitions: PARTITIONS }]);
  const producer = await connectProducer(o.bootstrap);
  // Timestamps 1 ms apart, ending a minute ago: the windowed case sees about n/60000 windows per key.
  const base = Date.now() - o.records - 60_000;
  const started = Date.now();
  await produceAll(producer, input, o.records, (i) => ({
    key: Buffer.from(stringKey(i, o.keys)),
    value: Buffer.from(stringValue(i, o.keys)),
    timestamp: base + i,
  }));
  await disconnectProducer(producer);
  console.error(`[ab] loaded ${o.records} records into ${input} in ${Date.now() - started} ms`);
}

async function run(name, contender, round) {
  const { benchCase, guarantee } = CASES[name];
  const tag = `${name}-${contender.name}-${round}-${runId}`;
  const output = `sab-out-${tag}`;
  const appId = `sab-${tag}`;
  const stateDir = join(work, 'state', tag);
  await createTopics(o.bootstrap, [{ name: output, partitions: PARTITIONS, config: APPEND_TIME }]);
  const expected = expectedStringOutputs(benchCase, o.records);
  const timeoutMs = 120_000 + o.records / 5;
  const watcher = await watchOutput(o.bootstrap, output, PARTITIONS, expected, { deadline: Date.now() + timeoutMs });
  const loadStart = loadavg()[0];
  const start = Date.now();
  const child = spawn(contender, { case: benchCase, guarantee, bootstrap: o.bootstrap, input, output, appId, stateDir }, tag);
  live.add(child);
  const outcome = await Promise.race([watcher.done.then(() => 'done'), child.exited.then(() => 'exited')]);
  const cpuMs = cpuMsOf(child.child.pid);
  const busiest = busiestThreadOf(child.child.pid);
  const processing = processingThreadOf(child.child.pid, contender.name === 'jvm');
  const loadEnd = loadavg()[0];
  watcher.stop();
  const state = await watcher.done;
  await stopChild(child);
  live.delete(child);
  rmSync(stateDir, { recursive: true, force: true });
  await deleteTopics([output, ...(await topicsWithPrefix(appId))]);
  const base = { case: name, contender: contender.name, round, expected, received: state.count, loadStart: round2(loadStart), loadEnd: round2(loadEnd) };
  if (state.count < expected) {
    return { ...base, status: outcome === 'exited' ? 'failed' : 'timeout', detail: (child.stderr || child.stdout).slice(-600) };
  }
  const ms = state.lastTs - start;
  const steadyMs = state.lastTs - state.firstTs;
  return {
    ...base,
    status: 'ok',
    ms,
    recordsPerSec: Math.round((o.records * 1000) / Math.max(1, ms)),
    steadyRecordsPerSec: steadyMs > 0 ? Math.round((o.records * 1000) / steadyMs) : undefined,
    cpuMs,
    cpuUsPerRecord: cpuMs === undefined ? undefined : round2((cpuMs * 1000) / o.records),
    busiestThread: busiest?.name,
    busiestUsPerRecord: busiest === undefined ? undefined : round2((busiest.ms * 1000) / o.records),
    processingUsPerRecord: processing === undefined ? undefined : round2((processing * 1000) / o.records),
  };
}

function spawn(contender, args, tag) {
  if (contender.name === 'jvm') {
    const jvm = join(here, '..', 'jvm', 'target');
    const argv = Object.entries({ case: args.case, bootstrap: args.bootstrap, input: args.input, output: args.output, 'app-id': args.appId, 'state-dir': args.stateDir, guarantee: args.guarantee })
      .map(([k, v]) => `--${k}=${v}`);
    return startChild('java', ['-Xms256m', '-Xmx1g', `-Djava.io.tmpdir=${work}`, '-cp', `${jvm}/streams-bench.jar:${jvm}/lib/*`, 'dev.tributary.bench.StringBenchApp', ...argv]);
  }
  const nodeArgs = [...(contender.nodeArgs ?? []), ...(o.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(o.profile, tag)}`] : [])];
  return startChild(process.execPath, [...nodeArgs, join(here, 'string-app.mjs'), JSON.stringify({ ...args, dist: contender.dist })], { cwd: root });
}

/** User + system CPU time of a live process (all its threads), from /proc. */
function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTick;
  } catch {
    return undefined;
  }
}

/**
 * The thread that used the most CPU (Node's main thread, the JVM's stream thread): on an idle machine its CPU time
 * per record bounds the rate, and it is less sensitive to other load than wall-clock time.
 */
function busiestThreadOf(pid) {
  let best;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTick;
      if (best === undefined || ms > best.ms) best = { name, ms };
    }
  } catch {
    return best;
  }
  return best;
}

/**
 * CPU time of the thread that processes records: Node's main thread, the JVM's stream thread (its name starts with
 * the application id, `sab-…`, cut to 15 characters by the kernel).
 */
function processingThreadOf(pid, jvm) {
  let ms;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (jvm ? !name.startsWith('sab-') : Number(tid) !== pid) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms = Math.max(ms ?? 0, ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTick);
    }
  } catch {
    return ms;
  }
  return ms;
}

async function topicsWithPrefix(prefix) {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': o.bootstrap, log_level: 3 });
  try {
    const names = await call((cb) => admin.listTopics({ timeout: 30_000 }, cb));
    return names.filter((n) => n.startsWith(`${prefix}-`));
  } finally {
    admin.disconnect();
  }
}

async function deleteTopics(names) {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': o.bootstrap, log_level: 3 });
  try {
    for (const n of names) await call((cb) => admin.deleteTopic(n, 30_000, cb)).catch(() => undefined);
  } finally {
    admin.disconnect();
  }
}

function round2(x) {
  return Math.round(x * 100) / 100;
}

function table(rows) {
  const lines = ['| case | contender | runs | rec/s median (min–max) | steady rec/s median | CPU µs/record median | processing thread µs/record median | load avg |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const name of o.cases) {
    for (const c of o.contenders) {
      const ok = rows.filter((r) => r.case === name && r.contender === c.name && r.status === 'ok');
      const all = rows.filter((r) => r.case === name && r.contender === c.name);
      if (ok.length === 0) {
        lines.push(`| ${name} | ${c.name} | 0/${all.length} | ${all.map((r) => r.status).join(', ')} | | | | |`);
        continue;
      }
      const rates = ok.map((r) => r.recordsPerSec);
      const loads = all.flatMap((r) => [r.loadStart, r.loadEnd]);
      lines.push(
        `| ${name} | ${c.name} | ${ok.length}/${all.length} | ${median(rates)} (${Math.min(...rates)}–${Math.max(...rates)}) | ${median(ok.map((r) => r.steadyRecordsPerSec ?? 0))} | ${median(ok.map((r) => r.cpuUsPerRecord ?? 0))} | ${median(ok.map((r) => r.processingUsPerRecord ?? 0))} | ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} |`,
      );
    }
  }
  return lines.join('\n');
}
