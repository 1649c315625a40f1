/**
 * Lookups of any store over HTTP (`/v1/stores`): the listing, key reads of key-value, session and global stores,
 * key ranges, the errors (404 unknown store or key, 400 bad key/range/limit, never a 5xx), on each backend; then two
 * instances on one log, where a key read and a range asked of one instance reach the other's partitions; and a
 * small app with numeric keys and a window store, read through the same routes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createEmbeddedBackend, KafkaStreams, Serdes, StreamsBuilder, TimeWindows } from '@tributary/streams';
import { ForwardAuth } from '../src/http/forward-auth.js';
import { registerStoreRoutes } from '../src/http/store-routes.js';
import { startShop, type RunningShop } from '../src/shop.js';
import { storeDirectory } from '../src/lookups/store-directory.js';
import { LONG_KEYS, STRING_KEYS } from '../src/lookups/key-codecs.js';
import { quietLogger, runId, shopTargets, tempDir, uniqueCustomerId } from './support.js';

const WAIT_MS = 60_000;

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, waitMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe('the store directory', () => {
  it('lists every named store of every service once, with its kind, and leaves generated and join stores out', () => {
    const stores = storeDirectory();
    const pick = (name: string) => {
      const s = stores.get(name);
      assert.ok(s, `store ${name} listed`);
      return { service: s.service, kind: s.kind, global: s.global, keyType: s.keys.type };
    };
    assert.deepEqual(pick('orders-view'), { service: 'orders', kind: 'key-value', global: false, keyType: 'string' });
    assert.deepEqual(pick('fraud-session-totals'), { service: 'fraud', kind: 'session', global: false, keyType: 'string' });
    assert.deepEqual(pick('customers-store'), { service: 'email', kind: 'key-value', global: true, keyType: 'string' });
    assert.deepEqual(pick('catalog-products-store'), { service: 'catalog-view', kind: 'key-value', global: true, keyType: 'string' });
    for (const name of stores.keys()) assert.doesNotMatch(name, /^(KSTREAM|KTABLE)-|-join-store$/);
  });

  it('parses a numeric key with the store key serde and refuses text that is not one', () => {
    assert.equal(LONG_KEYS.parse('42'), 42);
    assert.equal(LONG_KEYS.parse('-7'), -7);
    assert.ok(LONG_KEYS.parse('4.2') instanceof Error);
    assert.ok(LONG_KEYS.parse('9007199254740993') instanceof Error);
    assert.ok(LONG_KEYS.parse('x') instanceof Error);
    // The codec's serde is the store's: the same bytes a producer keyed with Serdes.long() would have written.
    assert.deepEqual(LONG_KEYS.serde.serialize('t', 42), Serdes.long().serialize('t', 42));
    assert.equal(STRING_KEYS.parse('A B/ä'), 'A B/ä');
  });
});

for (const target of shopTargets()) {
  describe(`store lookups on ${target.name}`, { timeout: 180_000 }, () => {
    it('reads key-value, session and global stores by key and key-value stores by range; errors are 4xx', async () => {
      const dir = tempDir(`lookups-${target.name}`);
      const shop = await target.start(dir.path);
      try {
        const call = async (url: string): Promise<Reply> => {
          const res = await shop.shop.server.inject({ method: 'GET', url });
          assert.ok(res.statusCode < 500, `${url} answered ${res.statusCode}`);
          return { status: res.statusCode, body: res.json() as Record<string, unknown> };
        };
        const listed = await call('/v1/stores');
        assert.equal(listed.status, 200);
        const stores = listed.body['stores'] as Array<Record<string, unknown>>;
        assert.deepEqual(
          stores.find((s) => s['name'] === 'orders-view'),
          { name: 'orders-view', service: 'orders', applicationId: 'orders-service-view-v2', kind: 'key-value', global: false, keyType: 'string', servedHere: true },
        );
        assert.ok(stores.every((s) => s['servedHere'] === true), 'every service runs in this process');

        // STOCKINGS has no inventory record here: the order FAILs quickly, whatever stock earlier runs left.
        const customerId = uniqueCustomerId();
        const ids = [1, 2, 3].map((i) => `lookup-${runId}-${i}`);
        for (const id of ids) {
          const posted = await shop.shop.server.inject({ method: 'POST', url: '/v1/orders', payload: { id, customerId, product: 'STOCKINGS', quantity: 1, price: 3 } });
          assert.equal(posted.statusCode, 201);
        }
        for (const id of ids) assert.equal((await call(`/v1/orders/${id}/validated?timeout=${WAIT_MS}`)).body['state'], 'FAILED');

        const byKey = await call(`/v1/stores/orders-view/${ids[0]}`);
        assert.equal(byKey.status, 200);
        assert.equal(byKey.body['store'], 'orders-view');
        assert.equal(byKey.body['key'], ids[0]);
        assert.equal((byKey.body['value'] as { order: { state: string } }).order.state, 'FAILED');

        const range = await call(`/v1/stores/orders-view?from=${ids[0]}&to=${ids[2]}`);
        assert.equal(range.status, 200);
        assert.deepEqual((range.body['entries'] as Array<{ key: string }>).map((e) => e.key), ids);
        assert.equal(range.body['truncated'], false);
        const limited = await call(`/v1/stores/orders-view?from=${ids[0]}&to=${ids[2]}&limit=2`);
        assert.deepEqual((limited.body['entries'] as Array<{ key: string }>).map((e) => e.key), ids.slice(0, 2));
        assert.equal(limited.body['truncated'], true);

        // The fraud service's session store: the customer's session total over the three orders.
        const sessions = await eventually(() => call(`/v1/stores/fraud-session-totals/${customerId}`), (r) => r.status === 200);
        assert.equal(sessions.status, 200);
        const windows = sessions.body['windows'] as Array<{ start: number; end: number; value: { total: number } }>;
        assert.equal(windows.length, 1);
        assert.equal(windows[0]?.value.total, 9);
        assert.equal((await call(`/v1/stores/fraud-session-totals/${customerId}?from=0&to=1`)).status, 404);

        // A global store answers from this instance's full copy.
        const gtin = await call('/v1/stores/catalog-products-store/0000000000000');
        assert.equal(gtin.status, 404);

        assert.equal((await call(`/v1/stores/no-such-store/x`)).status, 404);
        assert.equal((await call(`/v1/stores/no-such-store`)).status, 404);
        assert.equal((await call(`/v1/stores/orders-view/no-such-order-${runId}`)).status, 404);
        const backwards = await call(`/v1/stores/orders-view?from=${ids[2]}&to=${ids[0]}`);
        assert.equal(backwards.status, 400);
        assert.equal(backwards.body['field'], 'to');
        assert.equal((await call(`/v1/stores/orders-view?limit=0`)).body['field'], 'limit');
        assert.equal((await call(`/v1/stores/orders-view?limit=1001`)).status, 400);
        assert.equal((await call(`/v1/stores/fraud-session-totals`)).status, 400);
        assert.equal((await call(`/v1/stores/fraud-session-totals/${customerId}?from=5&to=1`)).status, 400);
        assert.equal((await call(`/v1/stores/orders-view/${'x'.repeat(101)}`)).body['field'], 'key');
        assert.equal((await call(`/v1/stores/orders-view/%ED%A0%80`)).status, 400);
      } finally {
        await shop.close();
        dir.remove();
      }
    });
  });
}

describe('store lookups across two instances', { timeout: 120_000 }, () => {
  it('routes a key read to the owner and gathers a range from every instance', async () => {
    const dir = tempDir('lookups-routing');
    const backend = createEmbeddedBackend({ dataDir: join(dir.path, 'log') });
    const shops: RunningShop[] = [];
    try {
      const [portA, portB] = [await freePort(), await freePort()];
      const common = { backend, logger: quietLogger, commitIntervalMs: 50, forwardSecret: 'lookups-test-shared-secret' };
      const a = await startShop({ ...common, stateDir: join(dir.path, 'a'), services: ['order-details', 'inventory', 'fraud', 'validations-aggregator'], applicationServer: `127.0.0.1:${portA}` });
      shops.push(a);
      await a.server.listen({ port: portA, host: '127.0.0.1' });
      const b = await startShop({ ...common, stateDir: join(dir.path, 'b'), services: [], applicationServer: `127.0.0.1:${portB}` });
      shops.push(b);
      await b.server.listen({ port: portB, host: '127.0.0.1' });
      for (const app of a.apps.values()) await app.waitForRunning(30_000);
      const tasksKnown = (s: RunningShop): number => s.view.app.allMetadata().reduce((n, i) => n + i.activeTasks.length, 0);
      await eventually(async () => Math.min(tasksKnown(a), tasksKnown(b)), (n) => n >= 4, 20_000);

      const ids = Array.from({ length: 12 }, (_, i) => `spread-${String(i).padStart(2, '0')}`);
      const onB = ids.find((id) => a.view.remoteOwner(id)?.port === portB);
      const onA = ids.find((id) => b.view.remoteOwner(id)?.port === portA);
      assert.ok(onA !== undefined && onB !== undefined, 'the ids spread over both instances');
      const get = (port: number, path: string): Promise<Response> => fetch(`http://127.0.0.1:${port}${path}`);
      for (const id of ids) {
        const posted = await fetch(`http://127.0.0.1:${portA}/v1/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id, customerId: 7, product: 'STOCKINGS', quantity: 1, price: 1 }),
        });
        assert.equal(posted.status, 201);
      }
      for (const id of ids) assert.equal((await get(portA, `/v1/orders/${id}/validated?timeout=20000`)).status, 200);

      // B's order, asked of A: A holds none of it and answers through B.
      assert.equal(a.view.order(onB), null);
      const routed = await get(portA, `/v1/stores/orders-view/${onB}`);
      assert.equal(routed.status, 200);
      assert.equal(((await routed.json()) as { key: string }).key, onB);
      assert.equal((await get(portB, `/v1/stores/orders-view/${onA}`)).status, 200);

      // A range spans both instances' partitions, in key order, whichever is asked.
      for (const port of [portA, portB]) {
        const range = await get(port, '/v1/stores/orders-view?from=spread-&to=spread-~');
        assert.equal(range.status, 200);
        assert.deepEqual(((await range.json()) as { entries: Array<{ key: string }> }).entries.map((e) => e.key), ids);
      }
      // A mark without the deployment's signature is ignored: the request is routed like any other.
      const forged = await fetch(`http://127.0.0.1:${portA}/v1/stores/orders-view?from=spread-&to=spread-~`, { headers: { 'x-shop-forwarded': 'forged' } });
      assert.equal(((await forged.json()) as { entries: unknown[] }).entries.length, ids.length);
    } finally {
      for (const s of shops.reverse()) await s.close();
      await backend.close();
      dir.remove();
    }
  });
});

describe('store lookups of numeric keys and window stores', { timeout: 60_000 }, () => {
  it('parses keys with the store key serde, orders ranges by its bytes and reads a key\'s windows', async () => {
    const dir = tempDir('lookups-windows');
    const backend = createEmbeddedBackend({ dataDir: join(dir.path, 'log'), autoCreateTopics: false });
    const topic = 'clicks-by-user';
    const builder = new StreamsBuilder();
    const clicks = builder.stream<number, string>(topic, { keySerde: Serdes.long(), valueSerde: Serdes.string() }).groupByKey();
    clicks.count({ storeName: 'clicks-total' });
    // Retention is size + grace (as in Kafka): an hour of grace keeps the first minute queryable after the second.
    clicks.windowedBy(TimeWindows.ofSizeAndGrace(60_000, 3_600_000)).count({ storeName: 'clicks-per-minute' });
    const topology = builder.build();
    const app = new KafkaStreams(topology, { applicationId: 'clicks-app', backend, stateDir: join(dir.path, 'state'), logger: quietLogger, commitIntervalMs: 50 });
    const server = Fastify();
    try {
      const admin = backend.admin();
      await admin.createTopics([{ name: topic, numPartitions: 2 }]);
      await admin.close();
      const directory = storeDirectory([{ service: 'clicks', applicationId: 'clicks-app', topology: () => topology }], { 'clicks-total': LONG_KEYS, 'clicks-per-minute': LONG_KEYS });
      registerStoreRoutes(server, { forwarding: new ForwardAuth(), logger: quietLogger }, { directory, app: (service) => (service === 'clicks' ? app : undefined) });
      await app.start();
      await app.waitForRunning();
      const minute = 60_000 * 28_000_000;
      const producer = await backend.createProducer({ clientId: 'clicks-writer' });
      for (const [user, at] of [[42, minute], [42, minute + 1_000], [7, minute], [42, minute + 61_000]] as const) {
        producer.send({ topic, key: Serdes.long().serialize(topic, user), value: Buffer.from('click'), timestamp: at });
      }
      await producer.flush();
      await producer.close();
      const call = async (url: string) => {
        const res = await server.inject({ method: 'GET', url });
        return { status: res.statusCode, body: res.json() as Record<string, unknown> };
      };
      const total = await eventually(() => call('/v1/stores/clicks-total/42'), (r) => r.body['value'] === 3, 20_000);
      assert.deepEqual(total.body, { store: 'clicks-total', key: 42, value: 3 });
      assert.equal((await call('/v1/stores/clicks-total/4.2')).body['field'], 'key');
      assert.equal((await call('/v1/stores/clicks-total/x')).status, 400);
      assert.deepEqual(((await call('/v1/stores/clicks-total?from=7&to=42')).body['entries'] as unknown[]), [{ key: 7, value: 1 }, { key: 42, value: 3 }]);
      assert.equal((await call('/v1/stores/clicks-total?from=42&to=7')).status, 400);
      assert.equal((await call('/v1/stores/clicks-total?from=abc')).body['field'], 'from');

      const windows = await call('/v1/stores/clicks-per-minute/42');
      assert.deepEqual(windows.body, { store: 'clicks-per-minute', key: 42, windows: [{ start: minute, value: 2 }, { start: minute + 60_000, value: 1 }] });
      const later = await call(`/v1/stores/clicks-per-minute/42?from=${minute + 1}`);
      assert.deepEqual(later.body['windows'], [{ start: minute + 60_000, value: 1 }]);
      assert.equal((await call('/v1/stores/clicks-per-minute/99')).status, 404);
      assert.equal((await call('/v1/stores/clicks-per-minute?from=1')).status, 400);
      assert.equal((await call('/v1/stores/clicks-per-minute/42?from=x')).status, 400);
    } finally {
      await server.close();
      await app.close();
      await backend.close();
      dir.remove();
    }
  });
});
