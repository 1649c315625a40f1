/**
 * Where each record's time goes in the library itself: Tributary on its embedded log (no broker), String serdes,
 * 4 partitions, three topologies (stateless filter+mapValues, groupBy+count into a persistent store with its
 * changelog, 1-minute tumbling windowed count), each with few (1k) and many (1M) keys. Every measurement is a fresh
 * child process; runs of several builds alternate (build A, build B, A, B, ...) so that load from other work on the
 * machine spreads over all of them, and the summary gives median, min and max.
 *
 *   node bench/lib/embedded-cases.mjs [--records 1000000] [--partitions 4] [--cases stateless,stateful,windowed]
 *        [--keys 1000,1000000] [--runs 3] [--log memory|disk] [--builds label=path/to/dist/index.js,...]
 *        [--profile DIR] [--alloc-profile DIR] [--live-heap] [--heap-snapshot DIR] [--memory-trace] [--node-args '--flag ...'] [--out FILE.json]
 *
 * `--log memory` (default): the input is loaded into an in-memory log inside the measured process, so the peak RSS
 * includes the log (input, repartition, changelog and output records). `--log disk`: another process writes the
 * input to a durable log first; the measured process opens a copy of it, so its RSS is the service alone (the log
 * keeps only a small tail of each partition in memory) — the figure to hold against the 1M-key store target.
 * `--builds` compares builds (e.g. `main=/tmp/main-dist/index.js,branch=packages/streams/dist/index.js`); default is
 * this checkout's build. `--profile DIR` writes a CPU profile of each run's processing phase and prints its summary.
 * `--alloc-profile DIR` samples what the processing phase allocates (garbage included) and prints the top sites.
 * `--live-heap` collects garbage before each memory sample (every 500 ms), so the heap figures are live data (the
 * rates are then not comparable); `--heap-snapshot DIR` writes one V8 heap snapshot once half the output is there;
 * `--memory-trace` keeps every memory sample (RSS, anon, file, V8 heap, Buffers) in the `--out` file; `--node-args`
 * passes V8/Node flags to the measured processes (e.g. `--max-semi-space-size=4`).
 *
 * The clock runs from `app.start()` to the arrival of the last expected output record, read by an in-process
 * read_uncommitted consumer (its cost is charged to the run; it reads the very record objects the log holds).
 *
 *   node bench/lib/embedded-cases.mjs child '<json>'     one measurement (what the driver spawns)
 *   node bench/lib/embedded-cases.mjs preload '<json>'   writes the input of --log disk
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import { runToEnd } from './proc.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const work = join(root, 'bench', 'work', 'embedded-cases');
const DEFAULT_DIST = join(root, 'packages', 'streams', 'dist', 'index.js');
const INPUT = 'input';
const OUTPUT = 'output';
const MIN_CENTS = 500;
const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'NL', 'SE', 'PL', 'ES'];
const PAD = 'x'.repeat(40);

/** Record i's value: `cents|country|page|pad`, about 80 bytes; 5 % have cents below MIN_CENTS. */
function valueOf(i) {
  return `${(i * 7919) % 10_000}|${COUNTRIES[i % COUNTRIES.length]}|/catalog/item/${i % 1000}|${PAD}`;
}

function expectedOutputs(benchCase, records) {
  if (benchCase !== 'stateless') return records;
  let n = 0;
  for (let i = 0; i < records; i++) if ((i * 7919) % 10_000 >= MIN_CENTS) n++;
  return n;
}

function buildTopology(lib, builder, benchCase) {
  const S = lib.Serdes.string();
  const L = lib.Serdes.long();
  const events = builder.stream(INPUT, { keySerde: S, valueSerde: S });
  switch (benchCase) {
    case 'stateless':
      events
        .filter((_k, v) => Number.parseInt(v, 10) >= MIN_CENTS)
        .mapValues((v) => v.slice(0, v.lastIndexOf('|')))
        .to(OUTPUT, { keySerde: S, valueSerde: S });
      return;
    case 'stateful':
      // groupBy (not groupByKey): a repartition topic, as a re-keying service has.
      events
        .groupBy((k) => k, { keySerde: S, valueSerde: S })
        .count({ storeName: 'counts' })
        .toStream()
        .to(OUTPUT, { keySerde: S, valueSerde: L });
      return;
    case 'windowed':
      events
        .groupByKey({ keySerde: S, valueSerde: S })
        .windowedBy(lib.TimeWindows.ofSizeWithNoGrace(60_000))
        .count({ storeName: 'window-counts' })
        .toStream()
        .map((wk, count) => [`${wk.key}@${wk.window.start}`, count])
        .to(OUTPUT, { keySerde: S, valueSerde: L });
      return;
    default:
      throw new Error(`unknown case ${benchCase}`);
  }
}

async function loadInput(lib, backend, { records, keys, partitions }) {
  const admin = backend.admin();
  await admin.createTopics([
    { name: INPUT, numPartitions: partitions },
    { name: OUTPUT, numPartitions: partitions },
  ]);
  await admin.close();
  const producer = await backend.createProducer({ clientId: 'bench-loader' });
  // Timestamps 1 ms apart, ending a minute before now: about records/60000 windows, none in the future.
  const base = Date.now() - records - 60_000;
  const keyBytes = Array.from({ length: Math.min(keys, records) }, (_, k) => Buffer.from(`u${k}`));
  for (let i = 0; i < records; i++) {
    producer.send({ topic: INPUT, key: keyBytes[i % keys], value: Buffer.from(valueOf(i)), timestamp: base + i });
    if (i % 100_000 === 99_999) await producer.flush();
  }
  await producer.flush();
  await producer.close();
}

/** CPU time of the main (JavaScript) thread alone, in ms: /proc/self/task/<pid>/stat fields 14 and 15 (ticks). */
function mainThreadCpuMs() {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function procStatus() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { hwm: field('VmHWM'), rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
}

async function child(args) {
  const lib = await import(pathToFileURL(args.dist).href);
  const quiet = { info() {}, debug() {}, warn() {}, error: (o, m) => console.error('ERROR', m ?? '', JSON.stringify(o)) };
  const backend = lib.createEmbeddedBackend(args.dataDir ? { dataDir: args.dataDir, autoCreateTopics: false } : { autoCreateTopics: false });
  if (!args.dataDir) await loadInput(lib, backend, args);
  const builder = new lib.StreamsBuilder();
  buildTopology(lib, builder, args.case);
  const app = new lib.KafkaStreams(builder.build(), {
    applicationId: `bench-${args.case}`,
    backend,
    stateDir: args.stateDir,
    logger: quiet,
  });
  const watch = await backend.createConsumer({ clientId: 'bench-watch', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
  await watch.assign(Array.from({ length: args.partitions }, (_, p) => ({ topic: OUTPUT, partition: p, offset: 0 })));
  const expected = expectedOutputs(args.case, args.records);
  let count = 0;
  const before = procStatus();
  // The stream thread hands over to the event loop's timers only while it waits, so memory is sampled here, in
  // the watcher, which runs between the thread's batches.
  const peak = { anon: 0, file: 0, heapUsed: 0, arrayBuffers: 0 };
  let lastSample = 0;
  let snapshotTaken = false;
  const trace = args.memoryTrace ? [] : undefined;
  const sample = () => {
    // --live-heap: a full collection first, so the heap figure is what is live rather than where the GC's sawtooth
    // happened to be (this slows the run down; its rate is not comparable).
    if (args.liveHeap) globalThis.gc();
    if (args.heapSnapshotDir && !snapshotTaken && count >= expected / 2) {
      snapshotTaken = true;
      mkdirSync(args.heapSnapshotDir, { recursive: true });
      writeHeapSnapshot(join(args.heapSnapshotDir, `${args.case}-${args.keys}.heapsnapshot`));
    }
    const s = procStatus();
    const m = process.memoryUsage();
    trace?.push({ outputs: count, rss: Math.round(s.rss), anon: Math.round(s.anon), file: Math.round(s.file), heapUsed: Math.round(m.heapUsed / 1048576), heapTotal: Math.round(m.heapTotal / 1048576), arrayBuffers: Math.round(m.arrayBuffers / 1048576) });
    peak.anon = Math.max(peak.anon, s.anon);
    peak.file = Math.max(peak.file, s.file);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed / 1048576);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers / 1048576);
  };
  const { startProfile } = args.profileDir ? await import('./inspector-profile.mjs') : {};
  const profile = args.profileDir ? await startProfile() : undefined;
  const { startAllocationProfile } = args.allocProfileDir ? await import('./alloc-profile.mjs') : {};
  const allocations = args.allocProfileDir ? await startAllocationProfile() : undefined;
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainThreadCpuMs();
  const start = performance.now();
  await app.start();
  let last = start;
  const deadline = start + args.timeoutMs;
  while (count < expected && performance.now() < deadline) {
    const got = (await watch.poll(100_000, 100)).length;
    if (got > 0) {
      count += got;
      last = performance.now();
    }
    if (last - lastSample >= 500) {
      lastSample = last;
      sample();
    }
  }
  const ms = last - start;
  const cpu = process.cpuUsage(cpuBefore);
  const mainCpuMs = mainThreadCpuMs() - mainBefore;
  sample();
  await profile?.stop(args.profileDir);
  await allocations?.stop(args.allocProfileDir);
  const end = procStatus();
  const m = process.memoryUsage();
  await watch.close();
  await app.close();
  await backend.close();
  const r = (n) => Math.round(n * 10) / 10;
  console.log(
    JSON.stringify({
      count,
      expected,
      ms: Math.round(ms),
      recordsPerSec: Math.round((args.records * 1000) / ms),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      mainThreadCpuMs: Math.round(mainCpuMs),
      peakRssMiB: r(end.hwm),
      rssBeforeStartMiB: r(before.rss),
      peakAnonMiB: r(peak.anon),
      peakFileMiB: r(peak.file),
      peakHeapUsedMiB: r(peak.heapUsed),
      peakArrayBuffersMiB: r(peak.arrayBuffers),
      endHeapTotalMiB: r(m.heapTotal / 1048576),
      endExternalMiB: r(m.external / 1048576),
      ...(trace ? { memoryTrace: trace } : {}),
    }),
  );
  process.exit(0);
}

async function preload(args) {
  const lib = await import(pathToFileURL(args.dist).href);
  rmSync(args.dataDir, { recursive: true, force: true });
  const backend = lib.createEmbeddedBackend({ dataDir: args.dataDir, autoCreateTopics: false });
  await loadInput(lib, backend, args);
  await backend.close();
  console.log(JSON.stringify({ ok: true }));
}

// --- the driver ------------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { nodeArgs: [], records: 1_000_000, partitions: 4, cases: ['stateless', 'stateful', 'windowed'], keys: [1000, 1_000_000], runs: 3, log: 'memory', builds: [], profile: undefined, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--records': opts.records = Number(value()); break;
      case '--partitions': opts.partitions = Number(value()); break;
      case '--cases': opts.cases = value().split(','); break;
      case '--keys': opts.keys = value().split(',').map(Number); break;
      case '--runs': opts.runs = Number(value()); break;
      case '--log': opts.log = value(); break;
      case '--builds': opts.builds = value().split(',').map((b) => { const [label, path] = b.split('='); return { label, dist: resolve(path) }; }); break;
      case '--profile': opts.profile = resolve(value()); break;
      case '--out': opts.out = resolve(value()); break;
      case '--live-heap': opts.liveHeap = true; break;
      case '--memory-trace': opts.memoryTrace = true; break;
      case '--alloc-profile': opts.allocProfile = resolve(value()); break;
      case '--node-args': opts.nodeArgs = value().split(' ').filter(Boolean); break;
      case '--heap-snapshot': opts.heapSnapshot = resolve(value()); break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (opts.builds.length === 0) opts.builds = [{ label: 'this', dist: DEFAULT_DIST }];
  if (opts.log !== 'memory' && opts.log !== 'disk') throw new Error('--log is memory or disk');
  return opts;
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
}

async function spawnJson(mode, args, timeoutMs, nodeArgs = []) {
  const h = await runToEnd(process.execPath, [...nodeArgs, fileURLToPath(import.meta.url), mode, JSON.stringify(args)], { cwd: root, timeoutMs });
  const line = h.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return { failed: (h.stderr || h.stdout).trim().split('\n').slice(-5).join(' | ') || `exit ${h.exitCode ?? h.signal}` };
  }
}

async function driver(opts) {
  const { summarizeProfiles } = opts.profile ? await import('./profile-summary.mjs') : {};
  const { summarizeAllocations } = opts.allocProfile ? await import('./alloc-profile.mjs') : {};
  mkdirSync(work, { recursive: true });
  const timeoutMs = 120_000 + opts.records / 5;
  const preloaded = new Map();
  if (opts.log === 'disk') {
    for (const keys of opts.keys) {
      const dataDir = join(work, `input-${opts.records}-${opts.partitions}-${keys}`);
      const r = await spawnJson('preload', { dist: opts.builds[0].dist, dataDir, records: opts.records, keys, partitions: opts.partitions }, timeoutMs);
      if (!r.ok) throw new Error(`preload failed: ${r.failed}`);
      preloaded.set(keys, dataDir);
    }
  }
  const results = [];
  for (let run = 1; run <= opts.runs; run++) {
    for (const benchCase of opts.cases) {
      for (const keys of opts.keys) {
        for (const build of opts.builds) {
          const id = `${benchCase}-${keys}-${build.label}-${run}`;
          const stateDir = join(work, `state-${id}`);
          const dataDir = opts.log === 'disk' ? join(work, `log-${id}`) : undefined;
          if (dataDir) cpSync(preloaded.get(keys), dataDir, { recursive: true });
          const profileDir = opts.profile ? join(opts.profile, id) : undefined;
          const heapSnapshotDir = opts.heapSnapshot ? join(opts.heapSnapshot, id) : undefined;
          const allocProfileDir = opts.allocProfile ? join(opts.allocProfile, id) : undefined;
          const args = { dist: build.dist, case: benchCase, records: opts.records, keys, partitions: opts.partitions, stateDir, dataDir, timeoutMs, profileDir, liveHeap: opts.liveHeap, heapSnapshotDir, memoryTrace: opts.memoryTrace, allocProfileDir };
          const r = await spawnJson('child', args, timeoutMs + 60_000, [...opts.nodeArgs, ...(opts.liveHeap ? ['--expose-gc'] : [])]);
          rmSync(stateDir, { recursive: true, force: true });
          if (dataDir) rmSync(dataDir, { recursive: true, force: true });
          const row = { case: benchCase, keys, build: build.label, run, ...r };
          if (r.count !== undefined && r.count < r.expected) row.failed = `timeout: ${r.count} of ${r.expected} outputs`;
          if (profileDir && !row.failed) row.profile = summarizeProfiles(profileDir);
          if (allocProfileDir && !row.failed) row.allocations = summarizeAllocations(allocProfileDir);
          results.push(row);
          console.error(
            row.failed
              ? `${id}: FAILED ${row.failed}`
              : `${id}: ${row.recordsPerSec} rec/s, ${row.ms} ms, cpu ${row.cpuMs} ms (main thread ${row.mainThreadCpuMs}), peak RSS ${row.peakRssMiB} MiB (anon ${row.peakAnonMiB}, file ${row.peakFileMiB}, heap ${row.peakHeapUsedMiB}, buffers ${row.peakArrayBuffersMiB})`,
          );
          if (row.profile) for (const t of row.profile.top.slice(0, 8)) console.error(`    ${t.pct}%  ${t.fn}`);
          if (row.allocations) {
            console.error(`    allocated ${row.allocations.totalMiB} MiB; by function (self):`);
            for (const a of row.allocations.self.slice(0, 10)) console.error(`    ${a.mib} MiB  ${a.fn}`);
          }
        }
      }
    }
  }
  const summary = [];
  console.log(`\n${opts.records} records, ${opts.partitions} partitions, ${opts.log} log, ${opts.runs} runs (median [min–max])\n`);
  // Records per CPU-second move less than records/s when other work competes for the cores: over the process's
  // CPU time (GC helper threads and LMDB's included), and over the main thread's alone (what one free core runs).
  console.log('| case | keys | build | records/s | records per CPU-s | per main-thread CPU-s | peak RSS MiB | peak anon MiB | peak file MiB |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const fmt = (s, unit = 1) => (s ? `${Math.round(s.median / unit)} [${Math.round(s.min / unit)}–${Math.round(s.max / unit)}]` : 'n/a');
  for (const benchCase of opts.cases) {
    for (const keys of opts.keys) {
      for (const build of opts.builds) {
        const ok = results.filter((r) => r.case === benchCase && r.keys === keys && r.build === build.label && !r.failed);
        const row = {
          case: benchCase,
          keys,
          build: build.label,
          ok: ok.length,
          recordsPerSec: stats(ok.map((r) => r.recordsPerSec)),
          recordsPerCpuSec: stats(ok.map((r) => (opts.records * 1000) / r.cpuMs)),
          recordsPerMainCpuSec: stats(ok.map((r) => (opts.records * 1000) / Math.max(1, r.mainThreadCpuMs))),
          peakRssMiB: stats(ok.map((r) => r.peakRssMiB)),
          peakAnonMiB: stats(ok.map((r) => r.peakAnonMiB)),
          peakFileMiB: stats(ok.map((r) => r.peakFileMiB)),
        };
        summary.push(row);
        console.log(`| ${benchCase} | ${keys} | ${build.label} | ${fmt(row.recordsPerSec)} | ${fmt(row.recordsPerCpuSec)} | ${fmt(row.recordsPerMainCpuSec)} | ${fmt(row.peakRssMiB)} | ${fmt(row.peakAnonMiB)} | ${fmt(row.peakFileMiB)} |`);
      }
    }
  }
  if (opts.out) writeFileSync(opts.out, JSON.stringify({ options: opts, results, summary }, null, 2));
  for (const dir of preloaded.values()) rmSync(dir, { recursive: true, force: true });
}

const mode = process.argv[2];
if (mode === 'child') await child(JSON.parse(process.argv[3]));
else if (mode === 'preload') await preload(JSON.parse(process.argv[3]));
else await driver(parseArgs(process.argv.slice(2)));
