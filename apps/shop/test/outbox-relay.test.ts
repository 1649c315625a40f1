/**
 * The outbox relay on logical replication, on the embedded log: committed customer changes reach `customers`
 * exactly once and in order, rolled-back ones never do, and a restarted relay publishes nothing twice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEmbeddedBackend, createKafkaBackend, type Backend } from '@tributary/streams';
import pg from 'pg';
import { OutboxRelay } from '../src/connect/outbox-relay.js';
import { appendToOutbox, ensureOutbox, outboxNames } from '../src/connect/outbox-table.js';
import { PollingOutboxRelay } from '../src/connect/polling-outbox-relay.js';
import { CustomerStore } from '../src/customers/customer-store.js';
import { ensureTopics, TOPICS } from '../src/topics.js';
import type { Customer } from '../src/schemas.js';
import { startTestPostgres, type TestPostgres } from './pg-support.js';
import { readTopic, waitFor } from './relay-support.js';
import { kafkaBootstrapServers, quietLogger, runId, tempDir, uniqueCustomerId } from './support.js';

const customer = (id: number, level: Customer['level'], n = 0): Customer => ({
  id,
  firstName: `F${n}`,
  lastName: 'L',
  email: `c${id}@example.com`,
  address: 'somewhere',
  level,
});

describe('outbox relay (logical replication, embedded log)', () => {
  let postgres: TestPostgres;
  let backend: Backend;
  let store: CustomerStore;
  const dir = tempDir('relay');

  before(async () => {
    postgres = await startTestPostgres();
    backend = createEmbeddedBackend({ dataDir: dir.path });
    await ensureTopics(backend);
    store = await CustomerStore.open(postgres.url);
  });
  after(async () => {
    await store?.close().catch(() => undefined);
    await backend?.close();
    postgres?.destroy();
    dir.remove();
  });

  it('publishes every committed change once, in commit order per customer, deletes as tombstones', async () => {
    const relay = new OutboxRelay({ backend, connectionString: postgres.url, name: 'customers_relay', logger: quietLogger });
    relay.start();
    try {
      await store.put(customer(1, 'bronze'));
      await store.put(customer(2, 'gold'));
      await store.put(customer(1, 'silver'));
      assert.equal(await store.delete(2), true);
      assert.equal(await store.delete(99), false);
      await waitFor(async () => (await readTopic(backend, TOPICS.customers)).length >= 4, 20_000);
      const records = await readTopic(backend, TOPICS.customers);
      const byKey = (key: string) => records.filter((r) => r.key === key).map((r) => (r.value === null ? null : (JSON.parse(r.value) as Customer).level));
      assert.deepEqual(byKey('1'), ['bronze', 'silver']);
      assert.deepEqual(byKey('2'), ['gold', null]);
      assert.equal(records.length, 4);
      assert.deepEqual(await store.get(1), customer(1, 'silver'));
      // Published rows are deleted from the outbox.
      await waitFor(async () => (await store.pool.query('select 1 from outbox')).rowCount === 0, 10_000);
      assert.equal(await store.get(2), null);
    } finally {
      await relay.close();
    }
  });

  it('a restarted relay skips what it published and picks up what came in while it was down', async () => {
    const before = (await readTopic(backend, TOPICS.customers)).length;
    await store.put(customer(3, 'platinum'));
    const relay = new OutboxRelay({ backend, connectionString: postgres.url, name: 'customers_relay', logger: quietLogger });
    relay.start();
    try {
      await waitFor(async () => (await readTopic(backend, TOPICS.customers)).length >= before + 1, 20_000);
      await store.put(customer(3, 'gold'));
      await waitFor(async () => (await readTopic(backend, TOPICS.customers)).length >= before + 2, 20_000);
      await new Promise((r) => setTimeout(r, 300));
      const records = await readTopic(backend, TOPICS.customers);
      assert.equal(records.length, before + 2);
      assert.deepEqual(
        records.filter((r) => r.key === '3').map((r) => (JSON.parse(r.value ?? 'null') as Customer).level),
        ['platinum', 'gold'],
      );
    } finally {
      await relay.close();
    }
  });
});

// Like the shop's other real-broker suites: scripts/run-tests.mjs always starts a broker (and fails in CI without one).
if (kafkaBootstrapServers !== undefined) describe('outbox relay (logical replication, Kafka: records and LSN in the producer transaction)', () => {
  let postgres: TestPostgres;
  let backend: Backend;
  let store: CustomerStore;
  // The broker outlives this run: its own offsets topic, so positions of earlier runs' clusters are not read.
  const offsetsTopic = `relay-offsets-${runId}`;

  before(async () => {
    postgres = await startTestPostgres();
    backend = await createKafkaBackend({ bootstrapServers: kafkaBootstrapServers! });
    await ensureTopics(backend);
    store = await CustomerStore.open(postgres.url);
  });
  after(async () => {
    try {
      await store?.close().catch(() => undefined);
      await backend?.close();
    } finally {
      postgres?.destroy();
    }
  });

  it('publishes each committed change once and in order, also across a restart of the relay', async () => {
    const ids = [uniqueCustomerId(), uniqueCustomerId()];
    const relayOf = () => new OutboxRelay({ backend, connectionString: postgres.url, name: 'customers_relay', offsetsTopic, logger: quietLogger });
    const mine = async () => (await readTopic(backend, TOPICS.customers)).filter((r) => ids.includes(Number(r.key)));
    let relay = relayOf();
    relay.start();
    try {
      await store.put(customer(ids[0]!, 'bronze'));
      await store.put(customer(ids[1]!, 'gold'));
      await store.put(customer(ids[0]!, 'silver'));
      await waitFor(async () => (await mine()).length >= 3, 60_000);
      await relay.close();
      await store.delete(ids[1]!);
      relay = relayOf();
      relay.start();
      await waitFor(async () => (await mine()).length >= 4, 60_000);
      await new Promise((r) => setTimeout(r, 500));
      const records = await mine();
      const levels = (id: number) => records.filter((r) => r.key === String(id)).map((r) => (r.value === null ? null : (JSON.parse(r.value) as Customer).level));
      assert.deepEqual(levels(ids[0]!), ['bronze', 'silver']);
      assert.deepEqual(levels(ids[1]!), ['gold', null]);
    } finally {
      await relay.close();
    }
  });
});

describe('polling outbox relay (servers without logical decoding)', () => {
  let postgres: TestPostgres;
  let backend: Backend;
  let store: CustomerStore;
  const dir = tempDir('polling-relay');

  before(async () => {
    postgres = await startTestPostgres();
    backend = createEmbeddedBackend({ dataDir: dir.path });
    await ensureTopics(backend);
    store = await CustomerStore.open(postgres.url);
  });
  after(async () => {
    await store?.close().catch(() => undefined);
    await backend?.close();
    postgres?.destroy();
    dir.remove();
  });

  it('starts while a writer holds a transaction open on the outbox, and takes no lock that would stall writers', async () => {
    const writer = new pg.Client({ connectionString: postgres.url });
    const starter = new pg.Client({ connectionString: postgres.url });
    await Promise.all([writer.connect(), starter.connect()]);
    try {
      await writer.query('begin');
      await appendToOutbox(writer, 'outbox', TOPICS.customers, '20', JSON.stringify(customer(20, 'bronze')));
      // A lock wait fails fast here instead of hanging: the outbox already exists, so the relay's start needs no lock.
      await starter.query(`set lock_timeout = '2s'`);
      await ensureOutbox(starter, outboxNames('outbox'));
      await writer.query('rollback');
    } finally {
      await Promise.all([writer.end(), starter.end()]);
    }
  });

  it('does not skip a transaction that took its id early and committed late, and publishes nothing twice', async () => {
    const relayOf = () => new PollingOutboxRelay({ backend, connectionString: postgres.url, name: 'customers_poller', logger: quietLogger, pollIntervalMs: 20 });
    const levels = async (key: string) =>
      (await readTopic(backend, TOPICS.customers)).filter((r) => r.key === key).map((r) => (r.value === null ? null : (JSON.parse(r.value) as Customer).level));
    let relay = relayOf();
    relay.start();
    const late = new pg.Client({ connectionString: postgres.url });
    await late.connect();
    try {
      // The late transaction writes first (smaller outbox id and transaction id) and commits after another one.
      await late.query('begin');
      await late.query('insert into customers (id, doc) values ($1, $2)', [10, JSON.stringify(customer(10, 'gold'))]);
      await appendToOutbox(late, 'outbox', TOPICS.customers, '10', JSON.stringify(customer(10, 'gold')));
      await store.put(customer(11, 'silver'));
      await new Promise((r) => setTimeout(r, 300));
      // Held back while the older transaction runs: publishing 11 now would let 10 be skipped later by a cursor.
      assert.deepEqual(await levels('11'), []);
      await late.query('commit');
      await waitFor(async () => (await levels('10')).length === 1 && (await levels('11')).length === 1, 20_000);
      await relay.close();
      await store.put(customer(11, 'platinum'));
      await store.delete(10);
      relay = relayOf();
      relay.start();
      await waitFor(async () => (await levels('10')).length === 2 && (await levels('11')).length === 2, 20_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await levels('10'), ['gold', null]);
      assert.deepEqual(await levels('11'), ['silver', 'platinum']);
      await waitFor(async () => (await store.pool.query('select 1 from outbox')).rowCount === 0, 10_000);
      assert.equal(relay.state, 'RUNNING');
    } finally {
      await late.end();
      await relay.close();
    }
  });
});
