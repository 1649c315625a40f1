/**
 * Runs the matrix rows: per row, every contender `runs` times, alternated (jvm, tributary, tributary-embedded, jvm,
 * ...), after `warmUps` discarded rounds in the same order (the JVM's JIT and class loading, and for everyone the OS
 * page cache of the input). Each row reports per contender the median, min and max over its measured runs.
 *
 * A contender whose case is not available (the format has no join table, the build lacks a setting) is skipped for
 * the rest of the row; one that failed or timed out is too, so a broken row costs one timeout, not `runs` of them.
 */
import { brokerRun, embeddedRun } from './throughput-run.mjs';
import { spread } from './stats.mjs';

function summaryOf(runs) {
  const ok = runs.filter((r) => r.status === 'ok' && !r.warmUp);
  if (ok.length === 0) return undefined;
  return {
    rate: spread(ok.map((r) => r.recordsPerSec)),
    steady: spread(ok.map((r) => r.steadyRecordsPerSec)),
    outputs: spread(ok.map((r) => r.outputs)),
    peakRssMiB: Math.max(...ok.map((r) => r.peakRssMiB ?? 0)) || undefined,
  };
}

/**
 * `ctx`: as throughput-run.mjs, plus `workloads` (workloads.mjs), `available` (`{[contender]: bool, why}`) and `log`.
 * Returns `{...row, contenders: {[name]: {status, detail?, runs, summary?}}}`.
 */
export async function runRow(ctx, row, { contenders, runs, warmUps }) {
  const result = { ...row, contenders: {} };
  const active = [];
  for (const c of contenders) {
    if (ctx.available[c]) {
      result.contenders[c] = { status: 'ok', runs: [] };
      active.push(c);
    } else {
      result.contenders[c] = { status: 'not available', detail: ctx.available.why[c], runs: [] };
    }
  }
  const workload = active.some((c) => c !== 'tributary-embedded') ? await ctx.workloads.input(row) : undefined;
  for (let round = 0; round < warmUps + runs; round++) {
    const warmUp = round < warmUps;
    for (const c of active) {
      const entry = result.contenders[c];
      if (entry.status !== 'ok') continue;
      const tag = `${row.id}-${c}-${ctx.runId}-${round}`;
      const run = c === 'tributary-embedded' ? await embeddedRun(ctx, row, { tag }) : await brokerRun(ctx, row, c, workload, { tag });
      entry.runs.push({ ...run, warmUp });
      const what = warmUp ? 'warm-up' : `run ${round - warmUps + 1}/${runs}`;
      ctx.log(`${row.id} / ${c} ${what}: ${run.status}${run.recordsPerSec ? ` ${Math.round(run.recordsPerSec)} rec/s (${run.steadyRecordsPerSec === undefined ? '–' : Math.round(run.steadyRecordsPerSec)} from first output)` : ''}${run.peakRssMiB ? `, ${Math.round(run.peakRssMiB)} MiB` : ''}${run.status !== 'ok' && run.detail ? `: ${run.detail}` : ''}`);
      if (run.status !== 'ok') {
        entry.status = run.status;
        entry.detail = run.detail;
      }
    }
  }
  for (const c of contenders) result.contenders[c].summary = summaryOf(result.contenders[c].runs);
  return result;
}
