#!/usr/bin/env node
/**
 * Figures for the customers outbox relay (not a test): changes/s through the relay and commit-to-topic latency.
 * Starts a private PostgreSQL with tools/pg/pg.sh (port BENCH_PG_PORT, default 15490; destroyed afterwards),
 * relays into an in-memory embedded log.
 *
 *   npm run build && node bench/outbox-relay.mjs [--changes N] [--rate R] [--seconds S]
 *
 * 1. throughput: N customer changes are committed first (4 writers), then the relay starts; changes/s is N over
 *    the time from its first to its last published batch (catch-up, i.e. the relay's own rate).
 * 2. latency: with the relay running, R changes/s for S seconds from one writer; per change, the time from the
 *    PostgreSQL commit (its commit timestamp) to the end of the log transaction that holds it.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { changes: { type: 'string', default: '20000' }, rate: { type: 'string', default: '500' }, seconds: { type: 'string', default: '10' } } });
const changes = Number(values.changes);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const port = process.env.BENCH_PG_PORT ?? '15490';
const env = { ...process.env, PG_PORT: port };
delete env.PG_DATA_DIR;
const pgsh = (cmd) => {
  const r = spawnSync('bash', [join(root, 'tools/pg/pg.sh'), cmd], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pg.sh ${cmd}: ${r.stdout}${r.stderr}`);
};

const { createEmbeddedBackend } = await import(join(root, 'packages/streams/dist/index.js'));
const { OutboxRelay } = await import(join(root, 'apps/shop/dist/connect/outbox-relay.js'));
const { CustomerStore, CUSTOMERS_RELAY } = await import(join(root, 'apps/shop/dist/customers/customer-store.js'));
const { ensureTopics } = await import(join(root, 'apps/shop/dist/topics.js'));

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const customer = (id, n) => ({ id, firstName: `v${n}`, lastName: 'L', email: `c${id}@x`, address: 'a', level: 'bronze' });
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

pgsh('destroy');
pgsh('start');
const url = `postgres://tributary@127.0.0.1:${port}/tributary`;
try {
  const store = await CustomerStore.open(url);
  const backend = createEmbeddedBackend({ name: 'bench-outbox' });
  await ensureTopics(backend);

  // 1. throughput
  let n = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (n < changes) await store.put(customer(n % 1000, ++n));
    }),
  );
  let published = 0;
  let first = 0;
  let last = 0;
  let done;
  const allPublished = new Promise((r) => (done = r));
  let latencies = null;
  const relay = new OutboxRelay({
    backend,
    connectionString: url,
    name: CUSTOMERS_RELAY,
    logger: quiet,
    onPublished: (batch) => {
      const now = Date.now();
      if (latencies !== null) for (const t of batch.commitTimesMs) latencies.push(now - t);
      first ||= now;
      last = now;
      published += batch.records;
      if (published >= changes) done();
    },
  });
  const started = Date.now();
  relay.start();
  await allPublished;
  const throughput = Math.round(changes / ((last - started) / 1000));
  console.log(`throughput: ${changes} changes relayed in ${last - started} ms (from relay start, catch-up) = ${throughput} changes/s`);

  // 2. latency
  latencies = [];
  const interval = 1000 / rate;
  const t0 = Date.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = t0 + i * interval;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await store.put(customer(i % 1000, i));
  }
  const deadline = Date.now() + 10_000;
  while (latencies.length < rate * seconds && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  latencies.sort((a, b) => a - b);
  console.log(
    `latency (${latencies.length} changes at ${rate}/s): commit-to-topic p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`,
  );
  await relay.close();
  await backend.close();
  await store.close();
} finally {
  pgsh('destroy');
}
