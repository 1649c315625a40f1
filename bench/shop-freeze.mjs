#!/usr/bin/env node
/**
 * The Kafka shop through a frozen broker: a fresh single-node broker, the shop on it (as `npm start` runs it), the
 * load generator at a fixed rate, and, `--freeze-at` seconds into the load, the broker's JVM stopped with SIGSTOP
 * for `--freeze-for` seconds, then continued. A frozen broker is what a long GC pause, a VM migration or a stalled
 * disk looks like to clients: connections stay open and nothing answers. Prints per-window latency (by the order's
 * start time), the slowest answer to GET /health probed once a second (a blocked event loop shows there), and the
 * load generator's totals, and writes them as JSON.
 *
 *   node bench/shop-freeze.mjs [--rate 200] [--seconds 180] [--freeze-at 50] [--freeze-for 25] [--window 10]
 *                              [--port 19592] [--out bench/work/shop-freeze.json]
 *
 * The shop's log lines (warnings and above) go beside the JSON, in shop-freeze-warnings.log, each prefixed with its
 * second into the load.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startChild, stopChild } from './lib/proc.mjs';
import { freePort, parseLoadSummary, shopEnv, waitHealthy } from './lib/shop-load.mjs';
import { percentiles } from './lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '180' },
    'freeze-at': { type: 'string', default: '50' },
    'freeze-for': { type: 'string', default: '25' },
    window: { type: 'string', default: '10' },
    port: { type: 'string', default: '19592' },
    out: { type: 'string', default: join(root, 'bench/work/shop-freeze.json') },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const freezeAt = Number(values['freeze-at']);
const freezeFor = Number(values['freeze-for']);
const windowS = Number(values.window);
const work = join(root, 'bench/work/shop-freeze');
const log = (m) => console.log(`[freeze ${new Date().toISOString().slice(11, 19)}] ${m}`);

const brokerEnv = { ...process.env, KAFKA_PORT: values.port, KAFKA_DATA_DIR: join(work, 'kafka') };
const kafka = (cmd) => execFileSync('bash', [join(root, 'tools/kafka/kafka.sh'), cmd], { env: brokerEnv, stdio: 'inherit' });
const brokerPid = () => Number(readFileSync(join(work, 'kafka/node-1/kafka.pid'), 'utf8').trim());

try {
  kafka('stop');
} catch {
  // nothing running
}
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
kafka('start');
const bootstrap = `127.0.0.1:${values.port}`;
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const shopLines = [];
const shop = startChild(process.execPath, [join(root, 'apps/shop/dist/main.js')], {
  cwd: root,
  env: shopEnv({ port, dataDir: join(work, 'shop'), bootstrap }),
  onLine: (line) => shopLines.push(line),
});
const events = [];
let frozen = false;
let probing = false;
const at = () => Date.now();
try {
  if (!(await waitHealthy(url, 180_000))) throw new Error(`the shop was not healthy within 180 s: ${shop.stderr.slice(-500)}`);
  log(`shop healthy at ${url}; load ${rate}/s for ${seconds} s, broker frozen at ${freezeAt} s for ${freezeFor} s`);
  const latencyLog = join(work, 'latency.csv');
  let loadStart;
  // How long the shop takes to answer GET /health, once a second: a blocked event loop shows here first.
  const probes = [];
  probing = true;
  const probe = (async () => {
    while (probing) {
      const started = at();
      let status = 0;
      try {
        status = (await fetch(`${url}/health`, { signal: AbortSignal.timeout(30_000) })).status;
      } catch {
        // no answer within 30 s: recorded as status 0
      }
      if (loadStart !== undefined) probes.push({ s: (started - loadStart) / 1000, ms: at() - started, status });
      await new Promise((r) => setTimeout(r, Math.max(0, 1_000 - (at() - started))));
    }
  })();
  const timers = [];
  const load = startChild(
    process.execPath,
    [join(root, 'apps/shop/dist/load/main.js'), '--url', url, '--rate', String(rate), '--duration', String(seconds), '--latency-log', latencyLog],
    {
      cwd: root,
      onLine: (line) => {
        // The load generator's clock starts as it prints this line: the freeze is timed from it.
        if (loadStart === undefined && line.startsWith('shop load:')) {
          loadStart = at();
          timers.push(
            setTimeout(() => {
              process.kill(brokerPid(), 'SIGSTOP');
              frozen = true;
              events.push({ s: (at() - loadStart) / 1000, event: 'SIGSTOP' });
              log('broker frozen');
            }, freezeAt * 1000),
            setTimeout(() => {
              process.kill(brokerPid(), 'SIGCONT');
              frozen = false;
              events.push({ s: (at() - loadStart) / 1000, event: 'SIGCONT' });
              log('broker continued');
            }, (freezeAt + freezeFor) * 1000),
          );
        }
      },
    },
  );
  let giveUp;
  const done = await Promise.race([load.exited, new Promise((r) => (giveUp = setTimeout(() => r(undefined), (seconds + 300) * 1000)))]);
  clearTimeout(giveUp);
  timers.forEach(clearTimeout);
  probing = false;
  await probe;
  if (frozen) process.kill(brokerPid(), 'SIGCONT');
  if (done === undefined) {
    load.child.kill('SIGKILL');
    throw new Error('the load generator did not finish within 300 s of its duration');
  }
  const summary = parseLoadSummary(load.stdout);
  const rows = readFileSync(latencyLog, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map(Number));
  const windows = [];
  for (let from = 0; from < seconds; from += windowS) {
    const lat = rows.filter(([s]) => s >= from * 1000 && s < (from + windowS) * 1000).map(([, ms]) => ms);
    const p = lat.length > 0 ? percentiles(lat) : undefined;
    const inWindow = probes.filter((x) => x.s >= from && x.s < from + windowS);
    const healthMaxMs = inWindow.length > 0 ? Math.max(...inWindow.map((x) => x.ms)) : undefined;
    windows.push({ from, to: from + windowS, outcomes: lat.length, p50: p?.p50, p99: p?.p99, max: p?.max, healthMaxMs, healthProbes: inWindow.length });
  }
  // Warnings of the shop while it ran, by message, to see which parts noticed the freeze.
  const byMessage = new Map();
  for (const line of shopLines) {
    const m = /"msg":"([^"]*)"/.exec(line);
    if (m) byMessage.set(m[1], (byMessage.get(m[1]) ?? 0) + 1);
  }
  const result = {
    date: new Date().toISOString(),
    rate,
    seconds,
    freezeAt,
    freezeFor,
    events,
    summary,
    windows,
    shopMessages: Object.fromEntries([...byMessage].sort((a, b) => b[1] - a[1]).slice(0, 30)),
    shopAlive: shop.exitCode === undefined && shop.signal === undefined,
  };
  mkdirSync(dirname(values.out), { recursive: true });
  // The shop's warnings, each with its second into the load, for the timeline of what noticed the freeze.
  writeFileSync(
    join(dirname(values.out), 'shop-freeze-warnings.log'),
    shopLines
      .map((line) => {
        const t = /"time":(\d+)/.exec(line);
        return t && loadStart !== undefined ? `${((Number(t[1]) - loadStart) / 1000).toFixed(1)} s ${line}` : line;
      })
      .join('\n'),
  );

  writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log('| window (s) | outcomes | p50 ms | p99 ms | max ms | /health slowest ms (probes) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  const f = (n) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
  for (const w of windows) console.log(`| ${w.from}–${w.to} | ${w.outcomes} | ${f(w.p50)} | ${f(w.p99)} | ${f(w.max)} | ${f(w.healthMaxMs)} (${w.healthProbes}) |`);
  console.log(load.stdout.split('---').pop()?.trim());
  console.log(`events: ${events.map((e) => `${e.event} at ${e.s.toFixed(1)} s`).join(', ')}; shop alive at the end: ${result.shopAlive}`);
  log(`wrote ${values.out}`);
} finally {
  probing = false;
  await stopChild(shop, 60_000);
  kafka('stop');
}
