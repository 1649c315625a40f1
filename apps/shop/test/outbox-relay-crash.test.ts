/**
 * The outbox relay under failure (system-spec.md: every committed change reaches `customers` exactly once, in
 * commit order per customer, across a crash of the relay at any point):
 *
 * - the relay runs as a child process (apps/shop/dist/customers/relay-process.js, on the embedded log) and is
 *   SIGKILLed at random points, dozens of times, while customers keep changing in PostgreSQL;
 * - PostgreSQL is restarted under a running relay, which waits and resumes;
 * - the orders_report sink replayed from offset 0 leaves the table as it was.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { createEmbeddedBackend } from '@tributary/streams';
import { OutboxRelay } from '../src/connect/outbox-relay.js';
import { appendToOutbox } from '../src/connect/outbox-table.js';
import { CUSTOMERS_RELAY, CustomerStore } from '../src/customers/customer-store.js';
import { createOrdersReportSink, ORDERS_REPORT_GROUP } from '../src/customers/orders-report.js';
import type { Customer, Order, OrderEnriched } from '../src/schemas.js';
import { ensureTopics, serdes, TOPICS } from '../src/topics.js';
import { repoRoot, startTestPostgres, type TestPostgres } from './pg-support.js';
import { readTopic, waitFor } from './relay-support.js';
import { quietLogger, tempDir } from './support.js';

const ROUNDS = 30;
const CUSTOMERS = 12;
const relayScript = join(repoRoot, 'apps', 'shop', 'dist', 'customers', 'relay-process.js');

const customer = (id: number, n: number): Customer => ({ id, firstName: `v${n}`, lastName: 'L', email: `c${id}@x`, address: 'a', level: 'bronze' });

/** A deterministic generator, so a failing run can be repeated. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function spawnRelay(databaseUrl: string, dataDir: string): ChildProcess {
  // On the embedded log: none of the test broker's settings (its SASL variables would be a configuration error).
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KAFKA_')));
  return spawn(process.execPath, [relayScript], {
    env: { ...env, DATABASE_URL: databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/**
 * Commits one last change and returns a WAL position inside its transaction: the relay's slot has confirmed past
 * it exactly when that transaction (and so every earlier one) is published. (The WAL end after the commit would do
 * only if nothing else wrote WAL in between; the server writes records of its own.)
 */
async function lastChange(client: pg.Client, c: Customer): Promise<string> {
  await client.query('begin');
  await client.query('insert into customers (id, doc) values ($1, $2) on conflict (id) do update set doc = excluded.doc', [c.id, JSON.stringify(c)]);
  await appendToOutbox(client, 'outbox', TOPICS.customers, String(c.id), JSON.stringify(c));
  const lsn = (await client.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn')).rows[0]!.lsn;
  await client.query('commit');
  return lsn;
}
async function confirmedPast(client: pg.Client, lsn: string): Promise<boolean> {
  const r = await client.query<{ ok: boolean }>('select confirmed_flush_lsn >= $1::pg_lsn as ok from pg_replication_slots where slot_name = $2', [
    lsn,
    CUSTOMERS_RELAY,
  ]);
  return r.rows[0]?.ok === true;
}

/** Per customer key, the values published to `customers`, in log order (null: a tombstone). */
function byKey(records: ReadonlyArray<{ key: string | null; value: string | null }>): Map<string, Array<string | null>> {
  const out = new Map<string, Array<string | null>>();
  for (const r of records) {
    const key = r.key ?? '';
    out.set(key, [...(out.get(key) ?? []), r.value === null ? null : (JSON.parse(r.value) as Customer).firstName]);
  }
  return out;
}

describe('outbox relay under failure', () => {
  let postgres: TestPostgres;
  let store: CustomerStore;
  let admin: pg.Client;
  const dirs: Array<{ remove(): void }> = [];

  before(async () => {
    postgres = await startTestPostgres();
    store = await CustomerStore.open(postgres.url);
    admin = new pg.Client({ connectionString: postgres.url });
    admin.on('error', () => undefined);
    await admin.connect();
  });
  after(async () => {
    await admin?.end().catch(() => undefined);
    await store?.close().catch(() => undefined);
    postgres?.destroy();
    for (const d of dirs) d.remove();
  });

  it(`keeps exactly once and per-customer order across ${ROUNDS} SIGKILLs of the relay process`, async (t) => {
    const dir = tempDir('relay-crash');
    dirs.push(dir);
    const next = random(17);
    // What was committed, per customer, in commit order (one writer: its order is the commit order).
    const expected = new Map<string, Array<string | null>>();
    const live = new Set<number>();
    let version = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const id = 1 + Math.floor(next() * CUSTOMERS);
        version += 1;
        if (live.has(id) && next() < 0.2) {
          await store.delete(id);
          live.delete(id);
          expected.set(String(id), [...(expected.get(String(id)) ?? []), null]);
        } else {
          await store.put(customer(id, version));
          live.add(id);
          expected.set(String(id), [...(expected.get(String(id)) ?? []), `v${version}`]);
        }
        await new Promise((r) => setTimeout(r, next() * 4));
      }
    })();
    for (let round = 0; round < ROUNDS; round++) {
      const child = spawnRelay(postgres.url, dir.path);
      // Kill anywhere from start-up to well into streaming.
      await new Promise((r) => setTimeout(r, 200 + next() * 2000));
      child.kill('SIGKILL');
      await exited(child);
    }
    writing = false;
    await writer;
    version += 1;
    const target = await lastChange(admin, customer(1, version));
    expected.set('1', [...(expected.get('1') ?? []), `v${version}`]);
    const last = spawnRelay(postgres.url, dir.path);
    await waitFor(() => confirmedPast(admin, target), 30_000);
    last.kill('SIGTERM');
    await exited(last);

    const backend = createEmbeddedBackend({ dataDir: join(dir.path, 'log') });
    try {
      const published = byKey(await readTopic(backend, TOPICS.customers));
      const batches = (await readTopic(backend, 'relay-offsets')).length;
      t.diagnostic(`${version} changes, published in ${batches} log transactions across ${ROUNDS + 1} relay processes`);
      assert.ok(version > 100, `only ${version} changes were made`);
      // The kills fell while the relay was streaming, not only before it started.
      assert.ok(batches > ROUNDS / 2, `only ${batches} batches were published`);
      assert.deepEqual(published, expected);
    } finally {
      await backend.close();
    }
  });

  it('waits while PostgreSQL restarts and resumes without loss or duplicates', async () => {
    const dir = tempDir('relay-pg-restart');
    dirs.push(dir);
    const backend = createEmbeddedBackend({ dataDir: dir.path });
    await ensureTopics(backend);
    const relay = new OutboxRelay({ backend, connectionString: postgres.url, name: CUSTOMERS_RELAY, logger: quietLogger });
    try {
      relay.start();
      // A fresh log, an old slot: the slot resends its unacknowledged tail, which this log has never seen.
      const base = 1000;
      for (let n = 0; n < 50; n++) await store.put(customer(base + (n % 5), n));
      await waitFor(() => relay.state === 'RUNNING', 20_000);
      postgres.stop();
      await waitFor(() => relay.state === 'WAITING', 20_000);
      postgres.start();
      for (let attempt = 0; ; attempt++) {
        try {
          for (let n = 50; n < 100; n++) await store.put(customer(base + (n % 5), n));
          break;
        } catch (error) {
          // The pool's clients were cut by the restart; new ones connect.
          if (attempt > 20) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await admin.end().catch(() => undefined);
      admin = new pg.Client({ connectionString: postgres.url });
      admin.on('error', () => undefined);
      await admin.connect();
      const finals = async () => {
        const seen = byKey((await readTopic(backend, TOPICS.customers)).filter((r) => Number(r.key) >= base));
        return [0, 1, 2, 3, 4].every((k) => seen.get(String(base + k))?.includes(`v${95 + k}`) === true);
      };
      await waitFor(finals, 30_000);
      await new Promise((r) => setTimeout(r, 300));
      const published = byKey((await readTopic(backend, TOPICS.customers)).filter((r) => Number(r.key) >= base));
      for (let k = 0; k < 5; k++) {
        const values = published.get(String(base + k)) ?? [];
        // Exactly the versions of this customer, each once and in order (retried puts may repeat a version).
        const versions = values.map((v) => Number(v!.slice(1)));
        assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
        assert.deepEqual(new Set(versions), new Set(Array.from({ length: 20 }, (_, i) => k + 5 * i)));
        assert.equal(versions[versions.length - 1], 95 + k);
      }
      assert.equal(relay.state, 'RUNNING');
    } finally {
      await relay.close();
      await backend.close();
    }
  });

  it('a replay of the orders_report sink from offset 0 leaves the table unchanged', async () => {
    const dir = tempDir('sink-replay');
    dirs.push(dir);
    const backend = createEmbeddedBackend({ dataDir: dir.path });
    await ensureTopics(backend);
    const producer = await backend.createProducer({ clientId: 'sink-test' });
    const orders: Order[] = [];
    for (let i = 0; i < 40; i++) {
      const base: Order = { id: `o${i}`, customerId: i % 7, state: 'CREATED', product: 'JUMPERS', quantity: 1 + i, price: 10 };
      orders.push(base);
      producer.send({ topic: TOPICS.orders, key: Buffer.from(base.id), value: serdes.order.serialize(TOPICS.orders, base) });
      const final: Order = { ...base, state: i % 3 === 0 ? 'FAILED' : 'VALIDATED' };
      producer.send({ topic: TOPICS.orders, key: Buffer.from(base.id), value: serdes.order.serialize(TOPICS.orders, final) });
      const enriched: OrderEnriched = { id: base.id, customerId: base.customerId, customerLevel: i % 2 === 0 ? 'gold' : 'silver' };
      producer.send({ topic: TOPICS.ordersEnriched, key: Buffer.from(base.id), value: serdes.enriched.serialize(TOPICS.ordersEnriched, enriched) });
    }
    await producer.flush();
    await producer.close();
    const snapshot = async (): Promise<unknown[]> =>
      (await admin.query('select id, customer_id, state, product, quantity, price, customer_level from orders_report order by id')).rows;

    const first = createOrdersReportSink(backend, postgres.url, quietLogger);
    first.start();
    await waitFor(() => first.recordsWritten >= 120, 30_000);
    await first.close();
    const before = await snapshot();
    assert.equal(before.length, 40);
    assert.ok(before.every((row) => (row as { state: string }).state !== 'CREATED' && (row as { customer_level: string | null }).customer_level !== null));

    // A new group starts at offset 0: every record is applied again, CREATED after VALIDATED included.
    const replay = createOrdersReportSink(backend, postgres.url, quietLogger, `${ORDERS_REPORT_GROUP}-replay`);
    replay.start();
    await waitFor(() => replay.recordsWritten >= 120, 30_000);
    await replay.close();
    assert.deepEqual(await snapshot(), before);
    await backend.close();
  });
});
