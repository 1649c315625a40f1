/**
 * One measured run of one contender on one matrix row: on the broker (a fresh application id and output topic,
 * deleted afterwards with the run's internal topics) or on the embedded log (a child that pre-loads its own log).
 *
 * `ctx`: `{here, root, work, bootstrap, runId, live, records, timeoutMs, tributaryClientConfig?, tributaryStore?}`;
 * `live` is the harness's set of running children (stopped on Ctrl-C).
 *
 * A run's rates: records divided by the time from spawning the process (broker) or `app.start()` (embedded) to the
 * moment the output was complete (completion.mjs), and by the time from the first output record to that moment.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { APPEND_TIME, createTopics, deleteTopics, watchOutput } from './kafka-io.mjs';
import { completionFor } from './completion.mjs';
import { spawnContender } from './contenders.mjs';
import { lastLines, startChild, stopChild } from './proc.mjs';

/** The settings every contender gets for `row`. */
function rowSettings(row) {
  return { case: row.case, format: row.format, guarantee: row.guarantee, cacheBytes: row.cacheBytes, commitIntervalMs: row.commitIntervalMs, threads: row.threads };
}

/**
 * The rate from the first output is left out when that output came in the last tenth of the run (a cache holding
 * every key until one commit at the end): the records over that sliver of time would be a meaningless figure.
 */
function rates(ctx, ms, steadyMs) {
  return {
    ms,
    steadyMs,
    recordsPerSec: (ctx.records * 1000) / Math.max(1, ms),
    steadyRecordsPerSec: steadyMs !== undefined && steadyMs >= 0.1 * ms && steadyMs > 0 ? (ctx.records * 1000) / steadyMs : undefined,
  };
}

export function memoryOf(child) {
  const reported = /^MEMORY (.*)$/m.exec(child.stdout);
  let js;
  try {
    js = reported ? JSON.parse(reported[1]) : undefined;
  } catch {
    js = undefined;
  }
  return { peakRssMiB: child.peakRss, peakAnonMiB: child.peakAnon, peakFileMiB: child.peakFile, js };
}

/** `workload`: the row's pre-loaded input (workloads.mjs). `tag` makes the app id and topics unique. */
export async function brokerRun(ctx, row, contender, workload, { tag, extraNodeArgs = [] }) {
  const output = `bench-out-${tag}`;
  const appId = `bench-${tag}`;
  await createTopics(ctx.bootstrap, [{ name: output, partitions: workload.partitions, config: APPEND_TIME }]);
  const completion = completionFor({ benchCase: row.case, format: row.format, records: ctx.records, keys: row.keys, base: workload.base });
  const args = {
    ...rowSettings(row),
    bootstrap: ctx.bootstrap,
    input: workload.topic,
    output,
    table: workload.table,
    appId,
    stateDir: join(ctx.work, 'state', tag),
    ...(contender === 'tributary' && ctx.tributaryClientConfig ? { clientConfig: ctx.tributaryClientConfig } : {}),
    ...(contender === 'tributary' && ctx.tributaryStore ? { storeType: ctx.tributaryStore } : {}),
  };
  let watcher;
  watcher = await watchOutput(ctx.bootstrap, output, workload.partitions, Infinity, {
    deadline: Date.now() + ctx.timeoutMs,
    onRecord: (m) => {
      if (completion.observe(m.key, m.value, m.timestamp)) watcher.stop();
    },
  });
  const start = Date.now();
  const child = spawnContender(ctx, contender, args, extraNodeArgs);
  ctx.live.add(child);
  const outcome = await Promise.race([watcher.done.then(() => 'done'), child.exited.then(() => 'exited')]);
  child.sample();
  watcher.stop();
  await watcher.done;
  await stopChild(child);
  ctx.live.delete(child);
  rmSync(args.stateDir, { recursive: true, force: true });
  // The run's output, repartition and changelog topics: 1M records each would fill the disk over a matrix.
  await deleteTopics(ctx.bootstrap, { names: [output], prefixes: [`${appId}-`] }).catch(() => undefined);

  const { state } = completion;
  const base = { outputs: state.outputs, expected: state.expected, reached: completion.kind === 'outputs' ? state.outputs : state.reached, ...memoryOf(child) };
  if (!state.complete) {
    if (outcome === 'exited') {
      const unavailable = /UNAVAILABLE (.*)/.exec(child.stdout);
      if (unavailable) return { ...base, status: 'not available', detail: unavailable[1] };
      return { ...base, status: 'failed', detail: `exited with ${child.exitCode ?? child.signal}: ${lastLines(child.stderr || child.stdout)}` };
    }
    return { ...base, status: 'timeout', detail: `${base.reached} of ${state.expected} ${completion.kind} after ${Math.round(ctx.timeoutMs / 1000)} s; ${lastLines(child.stderr)}` };
  }
  return { ...base, status: 'ok', ...rates(ctx, state.doneTs - start, state.doneTs - state.firstTs) };
}

/** Tributary on the embedded log: one child pre-loads, starts the app and times it (tributary-embedded.mjs). */
export async function embeddedRun(ctx, row, { tag, profileDir } = {}) {
  const stateDir = join(ctx.work, 'state', `embedded-${tag}`);
  const args = { ...rowSettings(row), records: ctx.records, keys: row.keys, partitions: row.partitions, stateDir, timeoutMs: ctx.timeoutMs, profileDir };
  const child = startChild(process.execPath, [join(ctx.here, 'lib', 'tributary-embedded.mjs'), 'throughput', JSON.stringify(args)], { cwd: ctx.root });
  ctx.live.add(child);
  const timer = setTimeout(() => child.child.kill('SIGKILL'), ctx.timeoutMs + 120_000);
  await child.exited;
  clearTimeout(timer);
  ctx.live.delete(child);
  rmSync(stateDir, { recursive: true, force: true });
  let r;
  try {
    r = JSON.parse(child.stdout.trim().split('\n').pop() ?? '');
  } catch {
    return { status: 'failed', detail: lastLines(child.stderr || child.stdout), peakRssMiB: child.peakRss };
  }
  if (r.unavailable) return { status: 'not available', detail: r.unavailable };
  if (r.ms === undefined) return { status: 'failed', detail: lastLines(child.stdout) };
  const base = { outputs: r.outputs, expected: r.expected, reached: r.reached, ...memoryOf(child) };
  if (!r.complete) return { ...base, status: 'timeout', detail: `${r.reached} of ${r.expected} after ${Math.round(ctx.timeoutMs / 1000)} s` };
  return { ...base, status: 'ok', ...rates(ctx, r.ms, r.firstMs === undefined ? undefined : r.ms - r.firstMs) };
}
