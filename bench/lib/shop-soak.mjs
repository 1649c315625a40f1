/**
 * The shop soak: the reference shop (every service in one process, `apps/shop/dist/main.js` as `npm start` runs it)
 * on a fresh durable embedded log, under its own load generator at a fixed rate for minutes, sampled every 10 s:
 * RSS (and its anonymous and file-backed parts), the V8 heap, the data directory on disk, the orders validated.
 * Reports RSS after warm-up and at the end, the slope in between (least squares, KiB per minute), the peak, disk
 * over time, and the load generator's POST → outcome latency and counts. A row of `npm run bench`, or alone:
 *
 *   node bench/lib/shop-soak.mjs [--rate 200] [--seconds 600] [--warmup 60] [--retention-ms 60000]
 *                                [--topic-defaults 'retention.ms=120000,segment.ms=60000,delete.retention.ms=60000']
 *                                [--work DIR] [--out FILE.json | FILE.md]
 *
 * `--retention-ms` is the shop's ORDER_RETENTION_MS and `--topic-defaults` its LOG_TOPIC_DEFAULTS: the defaults
 * scale the shop's horizons (7 days of settled orders and of history, tombstones kept a day, 1 GiB segments) down to
 * minutes (and, fixed here, windowed changelogs' extra day to a minute and the sent mail to 2 × 16 MiB), so that a
 * 10-minute run reaches the steady state those horizons bound; `--retention-ms 604800000
 * --topic-defaults ''` runs with the shop's own defaults, where state and disk grow for the whole run by design.
 * Prints one JSON line `SOAK_RESULT {...}` at the end; `--out FILE.md` also writes the report's section (every
 * sample goes to FILE.json beside it).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { memoryMiB, startChild, stopChild } from './proc.mjs';
import { renderSoak } from './report.mjs';
import { freePort, parseLoadSummary, shopEnv, waitHealthy } from './shop-load.mjs';

export const SOAK_DEFAULTS = {
  rate: 200,
  seconds: 600,
  warmupSeconds: 60,
  sampleSeconds: 10,
  retentionMs: 60_000,
  topicDefaults: 'retention.ms=120000,segment.ms=60000,delete.retention.ms=60000',
};

const MiB = 1024 * 1024;

/**
 * The other horizons, scaled down with those: windowed changelogs (the email service's join) keep one minute beyond
 * their store instead of Kafka Streams' day, and the sent mail is rotated at 16 MiB with one old file kept (≈2.5
 * minutes each at 200 orders/s) instead of 64 MiB × 4, so that 10 minutes show whether disk levels off.
 */
export const SOAK_FIXED_ENV = {
  WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS: '60000',
  EMAIL_FILE_MAX_BYTES: String(16 * MiB),
  EMAIL_FILES_KEPT: '1',
};
const round1 = (n) => (n === undefined || Number.isNaN(n) ? undefined : Math.round(n * 10) / 10);

/** Bytes on disk (allocated blocks) under `path`; 0 when it does not exist (yet). */
function diskBytes(path) {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const p = join(path, entry.name);
    try {
      total += entry.isDirectory() ? diskBytes(p) : statSync(p).blocks * 512;
    } catch {
      // Deleted between listing and stat (a segment removed by retention, a compaction's temporary file).
    }
  }
  return total;
}

function heapOf(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Least-squares slope of `y` over `t` (seconds), per minute; undefined with fewer than two points. */
export function slopePerMinute(points) {
  const n = points.length;
  if (n < 2) return undefined;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? undefined : (num / den) * 60;
}

/** The sample nearest to `t` seconds. */
function nearest(samples, t) {
  return samples.reduce((best, s) => (best === undefined || Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best), undefined);
}

/** Figures of the samples from warm-up to the end of the load: values there and slopes (KiB/min for MiB series). */
export function summarizeSoak(samples, { warmupSeconds, seconds }) {
  const steady = samples.filter((s) => s.t >= warmupSeconds && s.t <= seconds + 1);
  // The second half of the run alone: what is left once everything that fills up slowly (caches, heaps, stores up to
  // their horizons) has filled.
  const lateHalf = steady.filter((s) => s.t >= seconds / 2);
  const atWarmup = nearest(samples, warmupSeconds);
  const atEnd = steady.at(-1) ?? samples.at(-1);
  const slopeOver = (points, pick) => round1((slopePerMinute(points.filter((s) => pick(s) !== undefined).map((s) => ({ t: s.t, y: pick(s) }))) ?? NaN) * 1024);
  const slope = (pick) => slopeOver(steady, pick);
  const series = {
    rss: (s) => s.rssMiB,
    anon: (s) => s.anonMiB,
    file: (s) => s.fileMiB,
    heapUsed: (s) => s.heapUsedMiB,
    disk: (s) => s.disk.totalMiB,
    diskLogState: (s) => s.disk.logMiB + s.disk.stateMiB,
  };
  const figures = {};
  for (const [name, pick] of Object.entries(series)) {
    figures[name] = {
      atWarmupMiB: atWarmup ? round1(pick(atWarmup)) : undefined,
      atEndMiB: atEnd ? round1(pick(atEnd)) : undefined,
      slopeKiBPerMin: slope(pick),
      secondHalfSlopeKiBPerMin: slopeOver(lateHalf, pick),
    };
  }
  const validated = (s) => s.validated ?? 0;
  const steadyOrders = atEnd && atWarmup ? validated(atEnd) - validated(atWarmup) : 0;
  // Per order validated between warm-up and the end: what each order leaves behind in memory and on disk.
  const perOrderKiB = (pick) => (steadyOrders > 0 && atEnd && atWarmup ? round1(((pick(atEnd) - pick(atWarmup)) * 1024) / steadyOrders) : undefined);
  return {
    warmupSeconds,
    figures,
    perOrderKiB: { rss: perOrderKiB(series.rss), anon: perOrderKiB(series.anon), disk: perOrderKiB(series.disk) },
    peakRssMiB: round1(Math.max(...samples.map((s) => s.hwmMiB ?? 0))),
    peakHeapUsedMiB: round1(Math.max(...samples.map((s) => s.heapUsedMiB ?? 0))),
  };
}

/**
 * One soak run. `root` is the repository, `work` a scratch folder (the shop's DATA_DIR goes under it and is removed
 * at the end). Resolves with the figures, every sample and the load generator's summary, or a `failed` status.
 * `track` sees each child process as it starts, so that a harness interrupted by a signal can stop them.
 */
export async function shopSoak({ root, work, rate = SOAK_DEFAULTS.rate, seconds = SOAK_DEFAULTS.seconds, warmupSeconds = SOAK_DEFAULTS.warmupSeconds, sampleSeconds = SOAK_DEFAULTS.sampleSeconds, retentionMs = SOAK_DEFAULTS.retentionMs, topicDefaults = SOAK_DEFAULTS.topicDefaults, log = () => {}, track = () => {} }) {
  const port = await freePort();
  const dataDir = join(work, 'shop-soak');
  const memoryFile = join(work, 'shop-soak-memory.json');
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(memoryFile, { force: true });
  mkdirSync(work, { recursive: true });
  const env = {
    ...shopEnv({ port, dataDir }),
    // The load generator is one client standing for many customers: at 200 orders/s and a second or two to each
    // outcome it holds several hundred long polls, past the per-client bound meant for real clients (128).
    LONG_POLL_MAX: '8192',
    LONG_POLL_MAX_PER_CLIENT: '8192',
    ORDER_RETENTION_MS: String(retentionMs),
    LOG_TOPIC_DEFAULTS: topicDefaults,
    ...SOAK_FIXED_ENV,
    SOAK_MEMORY_FILE: memoryFile,
  };
  const shop = startChild(process.execPath, ['--import', join(root, 'bench/lib/soak-sampler.mjs'), join(root, 'apps/shop/dist/main.js')], { cwd: root, env });
  track(shop);
  const url = `http://127.0.0.1:${port}`;
  const samples = [];
  const loadAtStart = loadavg()[0];
  let load;
  let ticker;
  try {
    if (!(await waitHealthy(url, 120_000))) return { status: 'failed', detail: `shop not healthy within 120 s: ${shop.stderr.slice(-300)}` };
    let t0;
    let validated = 0;
    const sample = () => {
      const mem = memoryMiB(shop.child.pid);
      if (mem === undefined || t0 === undefined) return;
      const heap = heapOf(memoryFile);
      const logB = diskBytes(join(dataDir, 'log'));
      const stateB = diskBytes(join(dataDir, 'state'));
      const totalB = diskBytes(dataDir);
      const s = {
        t: Math.round((Date.now() - t0) / 1000),
        rssMiB: round1(mem.rss),
        anonMiB: round1(mem.anon),
        fileMiB: round1(mem.file),
        hwmMiB: round1(mem.hwm),
        heapUsedMiB: heap ? round1(heap.heapUsed / MiB) : undefined,
        heapTotalMiB: heap ? round1(heap.heapTotal / MiB) : undefined,
        arrayBuffersMiB: heap ? round1(heap.arrayBuffers / MiB) : undefined,
        disk: { totalMiB: round1(totalB / MiB), logMiB: round1(logB / MiB), stateMiB: round1(stateB / MiB), otherMiB: round1((totalB - logB - stateB) / MiB) },
        validated,
        load1: round1(loadavg()[0]),
      };
      samples.push(s);
      if (s.t % 60 < sampleSeconds) log(`soak t=${s.t}s rss=${s.rssMiB} MiB (anon ${s.anonMiB}, file ${s.fileMiB}) heap=${s.heapUsedMiB} MiB disk=${s.disk.totalMiB} MiB validated=${validated} load=${s.load1}`);
    };
    // The clock starts when the load generator starts its orders (after setting stock and registering customers).
    const onLine = (line) => {
      if (t0 === undefined && line.startsWith('shop load:')) {
        t0 = Date.now();
        sample();
        ticker = setInterval(sample, sampleSeconds * 1000);
      }
      const m = /validated=(\d+)/.exec(line);
      if (m) validated = Number(m[1]);
    };
    load = startChild(process.execPath, [join(root, 'apps/shop/dist/load/main.js'), '--url', url, '--rate', String(rate), '--duration', String(seconds)], { cwd: root, onLine });
    track(load);
    const killer = setTimeout(() => load.child.kill('SIGKILL'), (seconds + 300) * 1000);
    await load.exited;
    clearTimeout(killer);
    clearInterval(ticker);
    sample();
    const summary = parseLoadSummary(load.stdout);
    if (!summary) return { status: 'failed', detail: `no summary from the load generator (exit ${load.exitCode}): ${load.stderr.slice(-300)}`, samples };
    return {
      status: 'ok',
      rate,
      seconds,
      retentionMs,
      topicDefaults,
      fixedEnv: SOAK_FIXED_ENV,
      ...summary,
      ...summarizeSoak(samples, { warmupSeconds, seconds }),
      loadAverage: { start: round1(loadAtStart), end: round1(loadavg()[0]), mean: round1(samples.reduce((a, s) => a + s.load1, 0) / Math.max(1, samples.length)) },
      samples,
    };
  } finally {
    clearInterval(ticker);
    if (load !== undefined) await stopChild(load, 5_000);
    await stopChild(shop);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(memoryFile, { force: true });
  }
}

function options(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      rate: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      'retention-ms': { type: 'string' },
      'topic-defaults': { type: 'string' },
      work: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const number = (raw, fallback) => (raw === undefined ? fallback : Number(raw));
  return {
    rate: number(values.rate, SOAK_DEFAULTS.rate),
    seconds: number(values.seconds, SOAK_DEFAULTS.seconds),
    warmupSeconds: number(values.warmup, SOAK_DEFAULTS.warmupSeconds),
    retentionMs: number(values['retention-ms'], SOAK_DEFAULTS.retentionMs),
    topicDefaults: values['topic-defaults'] ?? SOAK_DEFAULTS.topicDefaults,
    work: values.work === undefined ? undefined : resolve(values.work),
    out: values.out === undefined ? undefined : resolve(values.out),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
  const o = options(process.argv.slice(2));
  const stamp = () => new Date().toISOString().slice(11, 19);
  const children = new Set();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      void Promise.all([...children].map((child) => stopChild(child, 5_000))).finally(() => process.exit(130));
    });
  }
  const result = await shopSoak({
    ...o,
    root,
    work: o.work ?? join(root, 'bench', 'work'),
    log: (line) => console.log(`[soak ${stamp()}] ${line}`),
    track: (child) => children.add(child),
  });
  if (o.out) {
    // FILE.md: the report's section (as `npm run bench` renders it) and every sample in FILE.json beside it.
    const json = o.out.replace(/\.md$/, '.json');
    writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
    if (o.out.endsWith('.md')) {
      const head = [`# Shop soak, ${new Date().toISOString().slice(0, 10)}`, '', `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; every sample in [${basename(json)}](${basename(json)}).`, ''];
      writeFileSync(o.out, `${[...head, ...renderSoak(result)].join('\n')}\n`);
    }
  }
  console.log(`SOAK_RESULT ${JSON.stringify(result)}`);
  if (result.status !== 'ok') process.exitCode = 1;
}
