/**
 * Two orders instances on one log: each owns half of the `orders` partitions, and a request for an order the
 * other owns is forwarded there (signed with the deployment's shared secret), so either instance answers for every
 * order and duplicates are caught by the owner.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createEmbeddedBackend } from '@tributary/streams';
import { startShop, type RunningShop } from '../src/shop.js';
import { quietLogger, tempDir } from './support.js';

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

async function eventually<T>(read: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    value = await read();
  }
  return value;
}

describe('routing between orders instances', () => {
  it('forwards reads and writes for an order to the instance that owns it', async () => {
    const dir = tempDir('routing');
    const backend = createEmbeddedBackend({ dataDir: join(dir.path, 'log') });
    const shops: RunningShop[] = [];
    try {
      const [portA, portB] = [await freePort(), await freePort()];
      const common = { backend, logger: quietLogger, commitIntervalMs: 50, forwardSecret: 'routing-test-shared-secret' };
      const a = await startShop({ ...common, stateDir: join(dir.path, 'a'), applicationServer: `127.0.0.1:${portA}` });
      shops.push(a);
      await a.server.listen({ port: portA, host: '127.0.0.1' });
      const b = await startShop({ ...common, stateDir: join(dir.path, 'b'), services: [], applicationServer: `127.0.0.1:${portB}` });
      shops.push(b);
      await b.server.listen({ port: portB, host: '127.0.0.1' });
      for (const app of a.apps.values()) await app.waitForRunning(30_000);

      // Both instances must know who owns what before routing means anything.
      const tasksKnown = (s: RunningShop): number => s.view.app.allMetadata().reduce((n, i) => n + i.activeTasks.length, 0);
      await eventually(() => Math.min(tasksKnown(a), tasksKnown(b)), (n) => n >= 4);
      // The same for the command views (stock is read and set at the owner of the product's partition): 4 partitions
      // of 4 partitioned sub-topologies.
      const viewTasksKnown = (s: RunningShop): number => s.commands.app.allMetadata().reduce((n, i) => n + i.activeTasks.length, 0);
      await eventually(() => Math.min(viewTasksKnown(a), viewTasksKnown(b)), (n) => n >= 16);
      let id = '';
      for (let i = 0; i < 100 && id === ''; i++) if (a.view.remoteOwner(`routed-${i}`)?.port === portB) id = `routed-${i}`;
      assert.notEqual(id, '', 'some id must belong to instance B');

      const at = (port: number, path: string, init?: { method: string; body: unknown }): Promise<Response> =>
        fetch(`http://127.0.0.1:${port}${path}`, {
          ...(init ? { method: init.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) } : {}),
        });
      assert.equal((await at(portA, '/v1/inventory/JUMPERS', { method: 'PUT', body: { quantity: 10 } })).status, 200);
      const order = { id, customerId: 42, product: 'JUMPERS', quantity: 1, price: 5 };
      const posted = await at(portA, '/v1/orders', { method: 'POST', body: order });
      assert.equal(posted.status, 201);
      assert.equal(posted.headers.get('location'), `/v1/orders/${id}`);
      const outcome = await at(portA, `/v1/orders/${id}/validated?timeout=20000`);
      assert.equal(outcome.status, 200);
      assert.equal(((await outcome.json()) as { state: string }).state, 'VALIDATED');
      // The order lives in B's view only; A answered through B.
      assert.equal(a.view.order(id), null);
      assert.equal(b.view.order(id)?.state, 'VALIDATED');
      assert.equal((await at(portA, '/v1/orders', { method: 'POST', body: order })).status, 409);
      assert.equal((await at(portB, '/v1/orders', { method: 'POST', body: order })).status, 409);

      // A client cannot pass its request off as forwarded to skip the owner (and its duplicate check).
      const forged = await fetch(`http://127.0.0.1:${portA}/v1/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shop-forwarded': '1' },
        body: JSON.stringify(order),
      });
      assert.equal(forged.status, 409);

      // An owner that does not answer gives a bare 502: nothing about the inside reaches the client.
      await b.server.close();
      const unreachable = await at(portA, `/v1/orders/${id}?timeout=0`);
      assert.equal(unreachable.status, 502);
      const text = await unreachable.text();
      assert.doesNotMatch(text, new RegExp(`127\\.0\\.0\\.1|${portB}|ECONNREFUSED|fetch failed`));
    } finally {
      for (const s of shops.reverse()) await s.close();
      await backend.close();
      dir.remove();
    }
  });
});
