/** The results file (Markdown) and its bar chart (SVG) from one run's measurements. */

const LABELS = {
  jvm: 'Kafka Streams 4.3.1 (JVM)',
  tributary: 'Tributary on Kafka',
  flow: '@kafkats/flow on Kafka',
  'tributary-embedded': 'Tributary on the embedded log',
};
const COLORS = { jvm: '#d9822b', tributary: '#2b6cb0', flow: '#8a8a8a', 'tributary-embedded': '#38a169' };

const fmt = (n, digits = 0) => (n === undefined || n === null || Number.isNaN(n) ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

function jvmRate(results, scenario) {
  return results.runs.find((r) => r.scenario === scenario && r.contender === 'jvm' && r.status === 'ok')?.recordsPerSec;
}

export function renderMarkdown(results, chartName) {
  const { machine: m, versions: v, options: o } = results;
  const lines = [];
  lines.push(`# Benchmark results ${results.date}`, '');
  lines.push(`Produced by \`node bench/run.mjs --records ${o.records}${o.keys !== o.records ? ` --keys ${o.keys}` : ''}\` (see bench/README.md for what each row measures).`, '');
  lines.push('## Setup', '');
  lines.push(`- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Linux ${m.kernel}. Broker, contender and harness share it; 1-minute load average ${fmt(m.loadAtStart, 1)} at the start, ${fmt(m.loadAtEnd, 1)} at the end (other work on the machine inflates it).`);
  lines.push(`- Versions: Node ${v.node}; ${String(v.java ?? '').split('\n')[0]}; Apache Kafka ${v.kafka}; @tributary/streams ${v.tributary ?? '?'}${v.tributaryCommit ? ` (commit ${v.tributaryCommit} plus uncommitted work)` : ''}; @kafkats/flow ${v.kafkatsFlow ?? 'not installed'}; @confluentinc/kafka-javascript ${v.confluentKafkaJavascript ?? '?'} (librdkafka ${v.librdkafka}).`);
  lines.push(`- Input: ${fmt(o.records)} JSON events of about 213 bytes in one partition, keys \`u0\`..\`u${o.keys - 1}\` (${fmt(o.keys)} distinct), timestamps 1 ms apart; join table of ${fmt(Math.min(o.keys, 100_000))} user profiles.`);
  lines.push('- One stream thread everywhere; record caches off everywhere (every update is forwarded); single-node broker (KRaft), replication factor 1, acks=all.');
  if (o.tributaryClientConfig) lines.push(`- Tributary on Kafka ran with extra librdkafka settings \`${JSON.stringify(o.tributaryClientConfig)}\`.`);
  if (o.tributaryStore) lines.push(`- Tributary on Kafka's stateful store type: ${o.tributaryStore}.`);
  lines.push(`- Latency: stateless topology, ${fmt(o.pacedRate)} records/s for ${o.pacedSeconds} s after a warm-up record.`, '');

  lines.push('## Throughput', '');
  lines.push(`![records per second](${chartName})`, '');
  lines.push('| case | contender | records/s (start → last output) | × JVM | records/s (first → last output) | wall time s | peak RSS MiB | anon / file MiB | V8 heap / Buffers MiB | status |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of results.runs) {
    const jvm = jvmRate(results, r.scenario);
    const ratio = r.status === 'ok' && jvm ? `${fmt(r.recordsPerSec / jvm, 2)}` : '–';
    const status = r.status === 'ok' ? 'ok' : `${r.status}${r.detail ? `: ${String(r.detail).replace(/\|/g, '/')}` : ''}`;
    lines.push(`| ${r.scenario} | ${LABELS[r.contender] ?? r.contender} | ${r.status === 'ok' ? fmt(r.recordsPerSec) : '–'} | ${ratio} | ${fmt(r.steadyRecordsPerSec)} | ${r.ms ? fmt(r.ms / 1000, 1) : '–'} | ${fmt(r.peakRssMiB)} | ${r.peakAnonMiB === undefined ? '–' : `${fmt(r.peakAnonMiB)} / ${fmt(r.peakFileMiB)}`} | ${r.js ? `${fmt(r.js.heapTotalMiB)} / ${fmt(r.js.arrayBuffersMiB)}` : '–'} | ${status} |`);
  }
  lines.push('');

  if (results.ceilings.length > 0) {
    lines.push('## Ceilings (same broker, same input size)', '');
    lines.push('| row | records/s | peak RSS MiB | status |', '| --- | ---: | ---: | --- |');
    for (const c of results.ceilings) lines.push(`| ${c.name} | ${fmt(c.recordsPerSec)} | ${fmt(c.peakRssMiB)} | ${c.status}${c.detail ? `: ${c.detail}` : ''} |`);
    lines.push('');
  }

  if (results.latency.length > 0) {
    lines.push('## End-to-end latency (paced, stateless)', '');
    lines.push('Latency = the output record\'s broker append time minus the input record\'s produce time (carried in its JSON `ts`); on the embedded log it is the receive time of an in-process consumer.', '');
    lines.push('| contender | p50 ms | p95 ms | p99 ms | max ms | outputs | peak RSS MiB | status |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const l of results.latency) {
      lines.push(`| ${LABELS[l.contender] ?? l.contender} | ${fmt(l.p50)} | ${fmt(l.p95)} | ${fmt(l.p99)} | ${fmt(l.max)} | ${fmt(l.received)} | ${fmt(l.peakRssMiB)} | ${l.status}${l.detail ? `: ${l.detail}` : ''} |`);
    }
    lines.push('');
  }

  if ((results.shop ?? []).length > 0) {
    lines.push('## Reference shop (load generator)', '');
    lines.push('`npm run shop:load` against the shop with every service in one process: orders posted at a fixed rate over HTTP, latency from POST /v1/orders to the order\'s VALIDATED or FAILED version (long-poll on /validated).', '');
    lines.push('| backend | rate /s | seconds | started | VALIDATED | FAILED | timed out | p50 ms | p95 ms | p99 ms | max ms | outcomes/s | peak RSS MiB | status |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const r of results.shop) {
      lines.push(`| ${r.backend} | ${fmt(r.rate)} | ${fmt(r.seconds)} | ${fmt(r.started)} | ${fmt(r.validated)} | ${fmt(r.failed)} | ${fmt(r.timeouts)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${fmt(r.outcomesPerSec, 1)} | ${fmt(r.peakRssMiB)} | ${r.status}${r.detail ? `: ${String(r.detail).replace(/\|/g, '/')}` : ''} |`);
    }
    lines.push('');
  }

  if (results.soak !== undefined) lines.push(...renderSoak(results.soak));

  const catalog = results.catalog;
  if (catalog !== undefined) {
    lines.push('## Catalog (pipeline and search)', '');
    lines.push('`bench/lib/catalog-bench.mjs`: supplier records (60 % acme, 40 % globex, half of globex\'s on acme\'s GTINs) pre-loaded into the feed topics of a durable embedded log, then the catalog-pipeline app from start until every product version is in `catalog-products`; then the same number of products loaded into each search engine through the `SearchIndex` port and a fixed query mix (words, typos, filters, facets) issued at a fixed rate, latency measured at the port from each query\'s scheduled time (OpenSearch: including HTTP). "alone": the same queries one at a time, without queueing — when it exceeds 1000/rate ms the engine cannot keep up and the paced latencies grow with the run.', '');
    if (catalog.status !== 'ok') {
      lines.push(`Not measured: ${catalog.status}${catalog.detail ? ` (${catalog.detail})` : ''}`, '');
    } else {
      const p = catalog.pipeline;
      lines.push('| pipeline | records | product versions | ms | records/s | status |', '| --- | ---: | ---: | ---: | ---: | --- |');
      lines.push(`| clean → dedupe → amend (embedded log) | ${fmt(p.records)} | ${fmt(p.outputs)} | ${fmt(p.ms)} | ${fmt(p.recordsPerSec)} | ${p.status} |`, '');
      lines.push('| search engine | products | load ms | alone p50 ms | alone p95 ms | queries | rate /s | p50 ms | p95 ms | p99 ms | max ms | status |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
      for (const r of catalog.search) {
        lines.push(`| ${r.engine} | ${fmt(r.products)} | ${fmt(r.loadMs)} | ${fmt(r.serviceP50, 1)} | ${fmt(r.serviceP95, 1)} | ${fmt(r.queries)} | ${fmt(r.rate)} | ${fmt(r.p50, 1)} | ${fmt(r.p95, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.max, 1)} | ${r.status}${r.detail ? `: ${r.detail}` : ''} |`);
      }
      lines.push('');
    }
  }

  if ((results.logStorage ?? []).length > 0) {
    lines.push('## Embedded log storage', '');
    lines.push('`bench/lib/embedded-log-io.mjs`: records with 200-byte values written to one partition of a durable embedded log (a flush, i.e. an fdatasync, per 10,000), then read back from offset 0 by a consumer polling 1,000 at a time (the runtime\'s default); records older than the in-memory tail come from the segment files.', '');
    lines.push('| records | write records/s | read records/s | peak RSS while writing MiB | peak RSS MiB | status |', '| ---: | ---: | ---: | ---: | ---: | --- |');
    for (const r of results.logStorage) {
      lines.push(`| ${fmt(r.records)} | ${fmt(r.writeRecordsPerSec)} | ${fmt(r.readRecordsPerSec)} | ${fmt(r.peakRssWriteMiB)} | ${fmt(r.peakRssMiB)} | ${r.status}${r.detail ? `: ${r.detail}` : ''} |`);
    }
    lines.push('');
  }

  lines.push('## Targets', '');
  const rate = (s, c) => results.runs.find((r) => r.scenario === s && r.contender === c && r.status === 'ok');
  for (const s of ['stateless', 'stateful']) {
    const t = rate(s, 'tributary');
    const j = rate(s, 'jvm');
    lines.push(`- ${s}: Tributary ≥ JVM — ${t && j ? `${fmt(t.recordsPerSec)} vs ${fmt(j.recordsPerSec)} rec/s: ${t.recordsPerSec >= j.recordsPerSec ? 'met' : `**not met** (${fmt(t.recordsPerSec / j.recordsPerSec, 2)}×)`}` : 'not measured'}`);
  }
  const ls = (results.logStorage ?? []).find((r) => r.status === 'ok');
  lines.push(`- embedded log: ${fmt(ls?.records ?? 10_000_000)} records of 200 B written and read back with RSS < 150 MB — ${ls ? `${fmt(ls.peakRssMiB)} MiB (${fmt((ls.peakRssMiB * 1048576) / 1e6)} MB): ${ls.peakRssMiB * 1048576 < 150e6 ? 'met' : '**not met**'}` : 'not measured'}`);
  const e = rate('stateless', 'tributary-embedded');
  lines.push(`- embedded stateless > 500k rec/s — ${e ? `${fmt(e.recordsPerSec)} rec/s: ${e.recordsPerSec > 500_000 ? 'met' : '**not met**'}` : 'not measured'}`);
  const st = rate('stateful', 'tributary');
  lines.push(`- 1M-key store < 200 MB RSS — ${st ? `stateful case with ${fmt(o.keys)} keys peaked at ${fmt(st.peakRssMiB)} MiB${o.keys < 1_000_000 ? ' (fewer than 1M keys in this run: indicative only)' : st.peakRssMiB * 1.048576 < 200 ? ': met' : ': **not met**'}` : 'not measured'}`);
  lines.push('');

  if (results.profiles.length > 0) {
    lines.push('## CPU profiles of the Tributary runs (`node --cpu-prof`, self time, idle excluded)', '');
    for (const p of results.profiles) {
      if (p.status !== 'ok') {
        lines.push(`### ${p.scenario} / ${LABELS[p.contender]}: ${p.status}`, '');
        continue;
      }
      lines.push(`### ${p.scenario} / ${LABELS[p.contender]} (${fmt(p.recordsPerSec)} rec/s under the profiler, ${fmt(p.busyMs)} ms busy)`, '');
      lines.push(`By area: ${p.areas.map((a) => `${a.area} ${a.pct}%`).join(', ')}.`, '');
      lines.push('| function | self % |', '| --- | ---: |');
      for (const f of p.top) lines.push(`| \`${f.fn.replace(/\|/g, '/')}\` | ${f.pct} |`);
      lines.push('');
    }
  }

  if (results.notes.length > 0) {
    lines.push('## Notes', '');
    for (const n of results.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** Grouped horizontal bars: records/s (start → last output) per case and contender. */
export function renderChart(results) {
  const scenarios = [...new Set(results.runs.map((r) => r.scenario))];
  const contenders = [...new Set(results.runs.map((r) => r.contender))];
  const max = Math.max(1, ...results.runs.filter((r) => r.status === 'ok').map((r) => r.recordsPerSec));
  const labelW = 130;
  const barMax = 560;
  const bar = 16;
  const gap = 14;
  const top = 50;
  const groupH = contenders.length * (bar + 3) + gap;
  const height = top + scenarios.length * groupH + 20 + contenders.length * 18;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barMax + 140}" height="${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="10" y="22" font-size="15" font-weight="bold">Records/s, start to last output (${fmt(results.options.records)} records, ${results.date})</text>`);
  scenarios.forEach((s, gi) => {
    const y0 = top + gi * groupH;
    out.push(`<text x="10" y="${y0 + (contenders.length * (bar + 3)) / 2 + 4}" font-weight="bold">${s}</text>`);
    contenders.forEach((c, ci) => {
      const r = results.runs.find((x) => x.scenario === s && x.contender === c);
      const y = y0 + ci * (bar + 3);
      if (r?.status === 'ok') {
        const w = Math.max(1, (r.recordsPerSec / max) * barMax);
        out.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${COLORS[c] ?? '#555'}"/>`);
        out.push(`<text x="${labelW + w + 5}" y="${y + 12}">${fmt(r.recordsPerSec)}</text>`);
      } else {
        out.push(`<text x="${labelW + 5}" y="${y + 12}" fill="#999">${c}: ${r?.status ?? 'not run'}</text>`);
      }
    });
  });
  const ly = top + scenarios.length * groupH + 10;
  contenders.forEach((c, i) => {
    out.push(`<rect x="${labelW}" y="${ly + i * 18}" width="12" height="12" fill="${COLORS[c] ?? '#555'}"/>`);
    out.push(`<text x="${labelW + 18}" y="${ly + i * 18 + 10}">${LABELS[c] ?? c}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The shop soak's section (bench/lib/shop-soak.mjs): its figures, errors and a row per minute. */
export function renderSoak(soak) {
  const lines = [];
  lines.push('## Reference shop soak (embedded log)', '');
  lines.push(`\`bench/lib/shop-soak.mjs\`: the shop as \`npm start\` runs it, on a fresh durable embedded log, under \`npm run shop:load\` at a fixed rate (each order with a payment, its outcome long-polled), sampled every 10 s from the load's start. Horizons: ORDER_RETENTION_MS=${soak.retentionMs ?? '-'}, LOG_TOPIC_DEFAULTS=\`${soak.topicDefaults || '(none)'}\`. RSS is split into anonymous memory (heaps, buffers, native) and file-backed pages (LMDB's mapped state files, code); slopes are least-squares fits from warm-up (${soak.warmupSeconds ?? '-'} s) to the end; disk is the data directory (log, state stores, sent emails).`, '');
  if (soak.status !== 'ok') {
    lines.push(`Not measured: ${soak.status}${soak.detail ? ` (${String(soak.detail).replace(/\|/g, '/').replace(/\n/g, ' ')})` : ''}`, '');
  } else {
    const f = soak.figures;
    const slopes = (x) => `${fmt(x.slopeKiBPerMin)} / ${fmt(x.secondHalfSlopeKiBPerMin)}`;
    lines.push('Slopes in KiB/min, from warm-up to the end / over the second half of the run.', '');
    lines.push('| rate /s | seconds | accepted | VALIDATED | FAILED | timed out | errors | p50 ms | p99 ms | RSS at warm-up MiB | RSS at end MiB | RSS slope | anon slope | file slope | heap used slope | peak RSS MiB | disk at end MiB | log + state slope | load avg (mean) |');
    lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    lines.push(`| ${fmt(soak.rate)} | ${fmt(soak.seconds)} | ${fmt(soak.accepted)} | ${fmt(soak.validated)} | ${fmt(soak.failed)} | ${fmt(soak.timeouts)} | ${fmt(soak.errors)} | ${fmt(soak.p50)} | ${fmt(soak.p99)} | ${fmt(f.rss.atWarmupMiB, 1)} | ${fmt(f.rss.atEndMiB, 1)} | ${slopes(f.rss)} | ${slopes(f.anon)} | ${slopes(f.file)} | ${slopes(f.heapUsed)} | ${fmt(soak.peakRssMiB, 1)} | ${fmt(f.disk.atEndMiB, 1)} | ${slopes(f.diskLogState)} | ${fmt(soak.loadAverage?.mean, 1)} |`, '');
    if (soak.errorReasons) lines.push(`Load generator errors by reason: ${soak.errorReasons.replace(/\|/g, '/')}`, '');
    lines.push('| t s | RSS MiB | anon MiB | file MiB | heap used MiB | disk MiB | log MiB | state MiB | other MiB | validated | load avg |');
    lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    // The first sample of each minute, and the last one.
    const rows = soak.samples.filter((x, i, all) => i === all.length - 1 || i === 0 || Math.floor(x.t / 60) > Math.floor(all[i - 1].t / 60));
    for (const x of rows) {
      lines.push(`| ${x.t} | ${fmt(x.rssMiB, 1)} | ${fmt(x.anonMiB, 1)} | ${fmt(x.fileMiB, 1)} | ${fmt(x.heapUsedMiB, 1)} | ${fmt(x.disk.totalMiB, 1)} | ${fmt(x.disk.logMiB, 1)} | ${fmt(x.disk.stateMiB, 1)} | ${fmt(x.disk.otherMiB, 1)} | ${fmt(x.validated)} | ${fmt(x.load1, 1)} |`);
    }
    lines.push('');
  }
  return lines;
}
