/**
 * The outbox relay on logical replication, on the embedded log: committed customer changes reach `customers`
 * exactly once and in order, rolled-back ones never do, and a restarted relay publishes nothing twice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEmbeddedBackend, type Backend } from '@tributary/streams';
import { OutboxRelay } from '../src/connect/outbox-relay.js';
import { CustomerStore } from '../src/customers/customer-store.js';
import { ensureTopics, TOPICS } from '../src/topics.js';
import type { Customer } from '../src/schemas.js';
import { startTestPostgres, type TestPostgres } from './pg-support.js';
import { readTopic, waitFor } from './relay-support.js';
import { quietLogger, tempDir } from './support.js';

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
