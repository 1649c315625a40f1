/**
 * The command side end to end over HTTP, once per backend (the embedded log always, Apache Kafka when
 * KAFKA_BOOTSTRAP_SERVERS is set): inventory commands answered `202` and their results long-polled, PUT as a SET
 * command, the read model, a rebuild of it from `inventory-events` under a new application id equal to the live
 * one, and registrations with by-email lookups. On Kafka the topics outlive the suite, so products, customers and
 * emails are unique to the run (a GTIN made of the run's time stands for the product).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { KafkaStreams, QueryableStoreTypes } from '@tributary/streams';
import { INVENTORY_READ_MODEL_STORE, inventoryReadModelTopology } from '../src/inventory/read-model.js';
import type { Stock } from '../src/inventory/schemas.js';
import { quietLogger, runId, shopTargets, tempDir, type TestShop } from './support.js';

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
}

const WAIT_MS = 30_000;
/** A product no earlier run on the same broker stocked: a 14-digit GTIN from this run's clock. */
const product = (n: number): string => `9${String(Date.now() + n).slice(-13)}`;

for (const target of shopTargets()) {
  describe(`command side on ${target.name}`, { timeout: 180_000 }, () => {
    const dir = tempDir(`commands-${target.name}`);
    let shop: TestShop;
    const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<Reply> => {
      const res = await shop.shop.server.inject({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
      return { status: res.statusCode, body: res.body.startsWith('{') ? (res.json() as Record<string, unknown>) : {}, headers: res.headers };
    };
    const command = async (p: string, body: Record<string, unknown>): Promise<Reply> => {
      const posted = await call('POST', `/v1/inventory/${p}/commands`, body);
      assert.equal(posted.status, 202, JSON.stringify(posted.body));
      assert.equal(posted.headers['location'], `/v1/commands/${String(posted.body['commandId'])}`);
      return call('GET', `${String(posted.headers['location'])}?timeout=${WAIT_MS}`);
    };

    before(async () => {
      shop = await target.start(dir.path);
    });
    after(async () => {
      await shop?.close();
      dir.remove();
    });

    it('answers commands with 202 and their results, and keeps the read model', async () => {
      const p = product(1);
      assert.equal((await call('GET', `/v1/inventory/${p}`)).status, 404);
      const put = await call('PUT', `/v1/inventory/${p}`, { quantity: 10 });
      assert.deepEqual([put.status, put.body], [200, { product: p, quantity: 10, reserved: 0, available: 10 }]);
      const reserved = await command(p, { type: 'RESERVE', quantity: 4, orderId: `o-${runId}` });
      assert.equal(reserved.status, 200);
      assert.equal(reserved.body['status'], 'ACCEPTED');
      assert.equal((reserved.body['events'] as unknown[]).length, 1);
      const tooMany = await command(p, { type: 'REMOVE', quantity: 7 });
      assert.equal(tooMany.body['status'], 'REJECTED');
      assert.match(String(tooMany.body['reason']), /insufficient stock/);
      const mine = `cmd-${runId}`;
      assert.equal((await command(p, { commandId: mine, type: 'ADD', quantity: 5 })).body['status'], 'ACCEPTED');
      // The same id again: the first result, and the stock counted once.
      const again = await command(p, { commandId: mine, type: 'ADD', quantity: 5 });
      assert.equal(again.body['status'], 'ACCEPTED');
      const stock = await call('GET', `/v1/inventory/${p}`);
      assert.deepEqual(stock.body, { product: p, quantity: 15, reserved: 4, available: 11 });
      // A SET below what is reserved is refused.
      const below = await call('PUT', `/v1/inventory/${p}`, { quantity: 3 });
      assert.equal(below.status, 409);
      assert.match(String(below.body['error']), /4 are reserved/);
    });

    it('refuses bad input with 400 naming the field, and times out unknown commands with 504', async () => {
      const p = product(2);
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ type: 'STEAL', quantity: 1 }, 'type'],
        [{ type: 'ADD', quantity: -1 }, 'quantity'],
        [{ type: 'ADD', quantity: 1.5 }, 'quantity'],
        [{ type: 'ADD' }, 'quantity'],
        [{ type: 'ADD', quantity: 1, commandId: '' }, 'commandId'],
        [{ type: 'ADD', quantity: 1, commandId: 'x'.repeat(101) }, 'commandId'],
        [{ type: 'ADD', quantity: 1, commandId: 'order:o1:reserve' }, 'commandId'],
        [{ type: 'ADD', quantity: 1, commandId: '\uD800' }, 'commandId'],
      ];
      for (const [body, field] of cases) {
        const res = await call('POST', `/v1/inventory/${p}/commands`, body);
        assert.deepEqual([res.status, res.body['field']], [400, field], JSON.stringify(body));
      }
      assert.equal((await call('POST', '/v1/inventory/HATS/commands', { type: 'ADD', quantity: 1 })).body['field'], 'product');
      const unknown = await call('GET', `/v1/commands/never-${runId}?timeout=100`);
      assert.deepEqual([unknown.status, unknown.body['commandId']], [504, `never-${runId}`]);
      assert.equal((await call('GET', `/v1/commands/x?timeout=-1`)).body['field'], 'timeout');
      assert.equal((await call('GET', `/v1/commands/${'y'.repeat(101)}`)).status, 400);
      assert.equal((await call('GET', '/v1/commandos/1')).status, 404);
    });

    it('rebuilds a read model from inventory-events alone, equal to the live one', async () => {
      const products = [product(3), product(4)];
      for (const p of products) {
        await call('PUT', `/v1/inventory/${p}`, { quantity: 20 });
        for (let i = 0; i < 5; i++) await command(p, { type: i % 2 === 0 ? 'RESERVE' : 'REMOVE', quantity: i + 1 });
      }
      const rebuilt = new KafkaStreams(inventoryReadModelTopology(), {
        applicationId: `inventory-read-model-rebuild-${runId}`,
        backend: shop.backend,
        stateDir: join(dir.path, 'rebuild'),
        logger: quietLogger,
        commitIntervalMs: 100,
      });
      await rebuilt.start();
      try {
        await rebuilt.waitForRunning(60_000);
        for (const p of products) {
          const live = (await call('GET', `/v1/inventory/${p}`)).body;
          const deadline = Date.now() + WAIT_MS;
          let copy: Stock | null = null;
          while (Date.now() < deadline) {
            copy = rebuilt.store({ storeName: INVENTORY_READ_MODEL_STORE, type: QueryableStoreTypes.keyValueStore<string, Stock>() }).get(p);
            if (copy !== null && copy.available === live['available'] && copy.reserved === live['reserved']) break;
            await new Promise((r) => setTimeout(r, 50));
          }
          assert.deepEqual(copy, { available: live['available'], reserved: live['reserved'] }, p);
        }
      } finally {
        await rebuilt.close();
      }
    });

    it('registers customers with unique emails and usernames, and finds them by email', async () => {
      const register = async (body: Record<string, unknown>): Promise<Reply> => {
        const posted = await call('POST', '/v1/registrations', body);
        assert.equal(posted.status, 202, JSON.stringify(posted.body));
        assert.equal(posted.headers['location'], `/v1/registrations/${String(posted.body['commandId'])}`);
        return call('GET', `${String(posted.headers['location'])}?timeout=${WAIT_MS}`);
      };
      const email = `ada-${runId}@example.com`;
      const first = await register({ customerId: `a-${runId}`, email, username: `ada-${runId}` });
      assert.deepEqual([first.status, first.body['status'], first.body['customerId']], [200, 'ACCEPTED', `a-${runId}`]);
      const loser = await register({ customerId: `b-${runId}`, email: ` ${email.toUpperCase()} `, username: `bob-${runId}` });
      assert.equal(loser.body['status'], 'REJECTED');
      assert.match(String(loser.body['reason']), /^email/);
      const owner = await call('GET', `/v1/customers/by-email/${encodeURIComponent(email.toUpperCase())}`);
      assert.deepEqual([owner.status, owner.body['customerId']], [200, `a-${runId}`]);
      const moved = await register({ customerId: `a-${runId}`, email: `ada2-${runId}@example.com`, type: 'CHANGE_EMAIL' });
      assert.equal(moved.body['status'], 'ACCEPTED');
      // The old email is free once the change is decided; the lookup follows the claims.
      const deadline = Date.now() + WAIT_MS;
      while ((await call('GET', `/v1/customers/by-email/${encodeURIComponent(email)}`)).status !== 404 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal((await call('GET', `/v1/customers/by-email/${encodeURIComponent(email)}`)).status, 404);
      assert.equal((await register({ customerId: `b-${runId}`, email, username: `bob-${runId}` })).body['status'], 'ACCEPTED');
      assert.equal((await register({ customerId: `a-${runId}`, type: 'DELETE' })).body['status'], 'ACCEPTED');
      for (const [body, field] of [
        [{ email, username: 'x' }, 'customerId'],
        [{ customerId: 'c', email: 'not-an-email', username: 'x' }, 'email'],
        [{ customerId: 'c', email: 'c@example.com' }, 'username'],
        [{ customerId: 'c', email: 'c@example.com', username: 'x', type: 'RENAME' }, 'type'],
      ] as const) {
        const res = await call('POST', '/v1/registrations', body);
        assert.deepEqual([res.status, res.body['field']], [400, field], JSON.stringify(body));
      }
      assert.equal((await call('GET', `/v1/registrations/none-${runId}?timeout=50`)).status, 504);
    });
  });
}
