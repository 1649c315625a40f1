/** The results file (Markdown) and its bar chart (SVG) from one run's measurements. */

import { LABELS, fmt, renderMatrix, renderWorkload } from './matrix-report.mjs';

const COLORS = { jvm: '#d9822b', tributary: '#2b6cb0', flow: '#8a8a8a', 'tributary-embedded': '#38a169' };

export function renderMarkdown(results, chartName) {
  const { versions: v, options: o } = results;
  const lines = [];
  lines.push(`# Benchmark results ${results.date}${o.records < 1_000_000 ? ' (short run)' : ''}`, '');
  lines.push(`Produced by \`node bench/run.mjs ${o.argv.join(' ')}\` (see bench/README.md for what each row measures and how to read it).`, '');
  lines.push(...renderWorkload(results));
  lines.push(`- **Versions**: Node ${v.node}; ${String(v.java ?? '').split('\n')[0]}; Apache Kafka ${v.kafka}; @tributary/streams ${v.tributary ?? '?'}${v.tributaryCommit ? ` (commit ${v.tributaryCommit}${v.uncommitted === false ? '' : ' plus uncommitted work'})` : ''}; @kafkats/flow ${v.kafkatsFlow ?? 'not installed'}; @confluentinc/kafka-javascript ${v.confluentKafkaJavascript ?? '?'} (librdkafka ${v.librdkafka}). Stores: Tributary LMDB, Kafka Streams RocksDB. JVM \`-Xms256m -Xmx1g\`.`);
  if (o.tributaryClientConfig) lines.push(`- Tributary on Kafka ran with extra librdkafka settings \`${JSON.stringify(o.tributaryClientConfig)}\`.`);
  if (o.tributaryStore) lines.push(`- Tributary on Kafka's count store type: ${o.tributaryStore}.`);
  lines.push('');

  if (results.matrix.length > 0) {
    lines.push(`## Throughput${o.records < 1_000_000 ? ` (short run: ${fmt(o.records)} records)` : ''}`, '');
    lines.push(...renderMatrix(results));
    lines.push(`![records per second, medians](${chartName})`, '');
  }

  if (results.ceilings.length > 0) {
    lines.push('## Ceilings (same broker, same input size)', '');
    lines.push('| row | records/s | peak RSS MiB | status |', '| --- | ---: | ---: | --- |');
    for (const c of results.ceilings) lines.push(`| ${c.name} | ${fmt(c.recordsPerSec)} | ${fmt(c.peakRssMiB)} | ${c.status}${c.detail ? `: ${c.detail}` : ''} |`);
    lines.push('');
  }

  if (results.latency.length > 0) {
    lines.push('## End-to-end latency (paced, stateless)', '');
    lines.push(`Stateless topology (JSON, one partition), ${fmt(o.pacedRate)} records/s for ${o.pacedSeconds} s after a warm-up record. Latency = the output record's broker append time minus the input record's produce time (carried in its JSON \`ts\`); on the embedded log it is the receive time of an in-process consumer.`, '');
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
  // Medians of the core rows (start rates); the 1M-key store needs the keys group (`--with keys`).
  const median = (id, c) => results.matrix.find((r) => r.id === id)?.contenders[c]?.summary;
  for (const id of ['stateless', 'count']) {
    const t = median(id, 'tributary');
    const j = median(id, 'jvm');
    lines.push(`- ${id}: Tributary ≥ JVM — ${t && j ? `${fmt(t.rate.median)} vs ${fmt(j.rate.median)} rec/s (medians): ${t.rate.median >= j.rate.median ? 'met' : `**not met** (${fmt(t.rate.median / j.rate.median, 2)}×)`}` : 'not measured'}`);
  }
  const ls = (results.logStorage ?? []).find((r) => r.status === 'ok');
  lines.push(`- embedded log: ${fmt(ls?.records ?? 10_000_000)} records of 200 B written and read back with RSS < 150 MB — ${ls ? `${fmt(ls.peakRssMiB)} MiB (${fmt((ls.peakRssMiB * 1048576) / 1e6)} MB): ${ls.peakRssMiB * 1048576 < 150e6 ? 'met' : '**not met**'}` : 'not measured'}`);
  const e = median('stateless', 'tributary-embedded');
  lines.push(`- embedded stateless > 500k rec/s — ${e ? `${fmt(e.rate.median)} rec/s (median): ${e.rate.median > 500_000 ? 'met' : '**not met**'}` : 'not measured'}`);
  const bigRow = results.matrix.find((r) => r.id === 'count-1m-keys');
  const st = bigRow?.contenders.tributary?.summary;
  lines.push(`- 1M-key store < 200 MB RSS — ${st ? `count with ${fmt(bigRow.keys)} keys peaked at ${fmt(st.peakRssMiB)} MiB${bigRow.keys < 1_000_000 ? ' (fewer than 1M keys in this run: indicative only)' : st.peakRssMiB * 1.048576 < 200 ? ': met' : ': **not met**'}` : 'not measured (`--with keys`)'}`);
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

/** Grouped horizontal bars: median records/s (start → output complete) per matrix row and contender. */
export function renderChart(results) {
  const rows = results.matrix;
  const contenders = results.options.contenders;
  const medianOf = (row, c) => row.contenders[c]?.summary?.rate.median;
  const max = Math.max(1, ...rows.flatMap((r) => contenders.map((c) => medianOf(r, c) ?? 0)));
  const labelW = 260;
  const barMax = 520;
  const bar = 16;
  const gap = 14;
  const top = 50;
  const groupH = contenders.length * (bar + 3) + gap;
  const height = top + rows.length * groupH + 20 + contenders.length * 18;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barMax + 140}" height="${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="10" y="22" font-size="15" font-weight="bold">Input records/s, medians (${fmt(results.options.records)} records, ${results.date})</text>`);
  rows.forEach((row, gi) => {
    const y0 = top + gi * groupH;
    out.push(`<text x="10" y="${y0 + (contenders.length * (bar + 3)) / 2 + 4}" font-weight="bold">${row.label}</text>`);
    contenders.forEach((c, ci) => {
      const m = medianOf(row, c);
      const y = y0 + ci * (bar + 3);
      if (m !== undefined) {
        const w = Math.max(1, (m / max) * barMax);
        out.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${COLORS[c] ?? '#555'}"/>`);
        out.push(`<text x="${labelW + w + 5}" y="${y + 12}">${fmt(m)}</text>`);
      } else {
        out.push(`<text x="${labelW + 5}" y="${y + 12}" fill="#999">${c}: ${row.contenders[c]?.status ?? 'not run'}</text>`);
      }
    });
  });
  const ly = top + rows.length * groupH + 10;
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
  lines.push(`\`bench/lib/shop-soak.mjs\`: the shop as \`npm start\` runs it, on a fresh durable embedded log, under \`npm run shop:load\` at a fixed rate (each order with a payment, its outcome long-polled), sampled every 10 s from the load's start. Horizons: ORDER_RETENTION_MS=${soak.retentionMs ?? '-'}, LOG_TOPIC_DEFAULTS=\`${soak.topicDefaults || '(none)'}\`${soak.fixedEnv ? `, ${Object.entries(soak.fixedEnv).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}. RSS is split into anonymous memory (heaps, buffers, native) and file-backed pages (LMDB's mapped state files, code); slopes are least-squares fits from warm-up (${soak.warmupSeconds ?? '-'} s) to the end; disk is the data directory (log, state stores, sent emails).`, '');
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
