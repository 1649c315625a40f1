/**
 * The matrix part of the results file: the workload statement (machine, broker, what every row shares) and the
 * side-by-side table of medians, then every run. report.mjs places it; see bench/README.md for how to read it.
 */
import { CORE, mib } from './matrix.mjs';

export const LABELS = {
  jvm: 'Kafka Streams 4.3.1 (JVM)',
  tributary: 'Tributary on Kafka',
  flow: '@kafkats/flow on Kafka',
  'tributary-embedded': 'Tributary on the embedded log',
};
const SHORT = { jvm: 'JVM', tributary: 'Tributary', flow: 'flow', 'tributary-embedded': 'embedded' };

export const fmt = (n, digits = 0) =>
  n === undefined || n === null || Number.isNaN(n) ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const k = (n) => (n === undefined ? '–' : `${fmt(n / 1000, 1)}k`);
const cellText = (s) => String(s).replace(/\|/g, '/').replace(/\n/g, ' ');

function statusText(entry) {
  if (/not supported/.test(entry.detail ?? '')) return 'not supported';
  return entry.status;
}

function rateCell(entry) {
  const s = entry.summary;
  if (s === undefined) return statusText(entry);
  const partial = entry.status === 'ok' ? '' : ` (then ${statusText(entry)})`;
  return `${k(s.rate.median)} (${k(s.rate.min)}–${k(s.rate.max)})${s.rate.n < 3 ? ` n=${s.rate.n}` : ''}${partial}`;
}

/** The workload statement: the report's first lines. */
export function renderWorkload(results) {
  const { machine: m, options: o, broker: b } = results;
  const rows = results.matrix;
  const distinct = (f) => [...new Set(rows.map(f))];
  const lines = [];
  lines.push(`- **Machine**: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Linux ${m.kernel}; load average ${m.loadAtStart.map((x) => fmt(x, 2)).join(' / ')} (1 / 5 / 15 min) at the start, ${fmt(m.loadAtEnd, 2)} (1 min) at the end. Broker, contenders and harness share the machine; other work on it shows in the load average and lowers every number.`);
  lines.push(`- **Broker**: Apache Kafka ${b.version}, one KRaft node (broker and controller in one JVM, heap ${b.heap}), \`tools/kafka/kafka.sh\`: ${b.settings}. Replication factor 1, acks=all. Output topics stamp \`LogAppendTime\`.`);
  lines.push(`- **Records**: ${fmt(o.records)} per case${o.records < 1_000_000 ? ' — **short run**: start-up weighs heavily at this size, compare the "from first output" rates' : ''}; timestamps 1 ms apart; input pre-loaded once per workload, read by every run.`);
  lines.push(`- **Core workload** (every row unless its name says otherwise): ${CORE.format} serdes, ${CORE.partitions} partitions, ${fmt(Math.min(CORE.keys, o.records))} keys (\`--keys\` ${o.keys !== undefined ? `set to ${fmt(o.keys)}` : 'not set'}), ${CORE.threads} stream thread, record cache off (\`statestore.cache.max.bytes\` / \`statestoreCacheMaxBytes\` 0), at_least_once, commit interval the library default (30 s; exactly_once_v2 100 ms).`);
  lines.push(`- **This run**: serdes ${distinct((r) => r.format).join(', ')}; partitions ${distinct((r) => r.partitions).join(', ')}; keys ${distinct((r) => r.keys).map((x) => fmt(x)).join(', ')}; stream threads ${distinct((r) => r.threads).join(', ')}; caches ${distinct((r) => r.cacheBytes).map((x) => (x === 0 ? 'off' : mib(x))).join(', ')}; guarantees ${distinct((r) => r.guarantee).join(', ')}.`);
  lines.push(`- **Runs**: ${o.runs} measured run${o.runs === 1 ? '' : 's'} per contender and row, alternated (${o.contenders.map((c) => SHORT[c] ?? c).join(', ')}, ${o.contenders.map((c) => SHORT[c] ?? c).join(', ')}, ...) after ${o.warmUps} discarded warm-up round${o.warmUps === 1 ? '' : 's'} in the same order (JIT and class loading for the JVM; the OS page cache of the input for everyone). Every run: a new process, a fresh application id and output topic; medians with min–max.`);
  return lines;
}

/** The side-by-side table, its legend, and every run. */
export function renderMatrix(results) {
  const contenders = results.options.contenders;
  const others = contenders.filter((c) => c !== 'jvm');
  const hasJvm = contenders.includes('jvm');
  const lines = [];
  const head = ['case'];
  const align = ['---'];
  for (const c of contenders) {
    head.push(`${SHORT[c]} records/s median (min–max)`);
    align.push('---:');
    if (hasJvm && c !== 'jvm') {
      head.push(`${SHORT[c]} ÷ JVM`);
      align.push('---:');
    }
  }
  head.push(`from first output: ${contenders.map((c) => SHORT[c]).join(' / ')}`, `peak RSS MiB: ${contenders.map((c) => SHORT[c]).join(' / ')}`);
  align.push('---:', '---:');
  lines.push(`| ${head.join(' | ')} |`, `| ${align.join(' | ')} |`);
  for (const row of results.matrix) {
    const cells = [row.cacheBytes > 0 ? `${row.label} †` : row.label];
    const jvm = row.contenders.jvm?.summary;
    for (const c of contenders) {
      const entry = row.contenders[c];
      cells.push(rateCell(entry));
      if (hasJvm && c !== 'jvm') cells.push(entry.summary && jvm ? `**${fmt(entry.summary.rate.median / jvm.rate.median, 2)}×**` : '–');
    }
    cells.push(contenders.map((c) => k(row.contenders[c].summary?.steady?.median)).join(' / '));
    cells.push(contenders.map((c) => fmt(row.contenders[c].summary?.peakRssMiB)).join(' / '));
    lines.push(`| ${cells.map(cellText).join(' | ')} |`);
  }
  lines.push('');
  lines.push('Records/s are **input** records divided by the time from the process start (on the embedded log: `app.start()`) to the moment the output was complete: for stateless and join, every expected output record (broker append time); for count and windowed, every key (and window) showing its final count. "From first output" divides by the time from the first output record to that moment instead, which leaves start-up (JVM start, group join, state set-up) out. Ratios are median ÷ median of the start rates.');
  if (results.matrix.some((r) => r.cacheBytes > 0)) {
    lines.push('', '† Record cache on: updates of a key are coalesced between commits, so the output holds fewer records than the input, and a different number per contender (see "outputs" below); the rate still counts input records, and a run ends when the output has caught up to the final count of every key, which happens at the first commit after the input is consumed.');
  }
  const notes = [];
  for (const row of results.matrix) {
    for (const c of contenders) {
      const e = row.contenders[c];
      if (e.status !== 'ok' && e.detail) notes.push(`- ${row.label} / ${LABELS[c]}: ${e.status}: ${cellText(e.detail)}`);
    }
  }
  if (notes.length > 0) lines.push('', ...notes);
  lines.push('');
  if (others.length > 0 || hasJvm) {
    lines.push('### Every run', '');
    lines.push('| case | contender | run | records/s | from first output | s | outputs | peak RSS MiB | anon / file MiB | V8 heap / Buffers MiB | status |');
    lines.push('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const row of results.matrix) {
      for (const c of contenders) {
        let n = 0;
        // Not-available runs (the case or a setting does not exist for the contender) are in the notes above.
        for (const r of row.contenders[c].runs.filter((x) => x.status !== 'not available')) {
          const label = r.warmUp ? 'warm-up' : String(++n);
          lines.push(`| ${row.label} | ${SHORT[c]} | ${label} | ${fmt(r.recordsPerSec)} | ${fmt(r.steadyRecordsPerSec)} | ${r.ms ? fmt(r.ms / 1000, 1) : '–'} | ${fmt(r.outputs)} | ${fmt(r.peakRssMiB)} | ${r.peakAnonMiB === undefined ? '–' : `${fmt(r.peakAnonMiB)} / ${fmt(r.peakFileMiB)}`} | ${r.js ? `${fmt(r.js.heapTotalMiB)} / ${fmt(r.js.arrayBuffersMiB)}` : '–'} | ${r.status}${r.status !== 'ok' && r.detail ? `: ${cellText(r.detail)}` : ''} |`);
        }
      }
    }
    lines.push('');
  }
  return lines;
}
