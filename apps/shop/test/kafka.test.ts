/**
 * The whole shop on Apache Kafka, when KAFKA_BOOTSTRAP_SERVERS names a broker (scripts/run-tests.mjs starts one):
 * the same services and API as on the embedded log. Ids are unique per run, since the broker's topics persist.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createKafkaBackend } from '@tributary/streams';
import type { Email } from '../src/email/email-sender.js';
import { startShop } from '../src/shop.js';
import { quietLogger, tempDir } from './support.js';

const bootstrapServers = process.env['KAFKA_BOOTSTRAP_SERVERS'] || undefined;

if (bootstrapServers !== undefined) {
  describe('shop on Kafka', () => {
    it('validates an order, fails one beyond the stock, and emails a paid order', async () => {
      const dir = tempDir('kafka');
      const backend = await createKafkaBackend({ bootstrapServers });
      const emails: Email[] = [];
      const shop = await startShop({
        backend,
        stateDir: join(dir.path, 'state'),
        logger: quietLogger,
        commitIntervalMs: 100,
        emailSender: { send: (e) => emails.push(e) },
      });
      try {
        for (const app of shop.apps.values()) await app.waitForRunning(60_000);
        const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
        const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<{ status: number; body: Record<string, unknown> }> => {
          const res = await shop.server.inject({ method, url, ...(payload ? { payload } : {}) });
          return { status: res.statusCode, body: res.json() as Record<string, unknown> };
        };
        // Stock is shared with earlier runs on this broker: set it, then order against what this run set.
        assert.equal((await call('PUT', '/v1/inventory/UNDERPANTS', { quantity: 1_000_000 })).status, 200);
        const customerId = Math.floor(Math.random() * 1_000_000_000);
        assert.equal((await call('POST', '/v1/customers', { id: customerId, firstName: 'K', lastName: 'F', email: `k${run}@example.com`, address: 'x', level: 'silver' })).status, 201);
        const ok = { id: `kafka-ok-${run}`, customerId, product: 'UNDERPANTS', quantity: 1, price: 3 };
        const tooMany = { id: `kafka-many-${run}`, customerId: customerId + 1, product: 'UNDERPANTS', quantity: 2_000_000, price: 0 };
        assert.equal((await call('POST', '/v1/orders', ok)).status, 201);
        assert.equal((await call('POST', '/v1/orders', tooMany)).status, 201);
        assert.equal((await call('POST', '/v1/payments', { id: `pay-${run}`, orderId: ok.id, ccy: 'EUR', amount: 3 })).status, 201);
        assert.equal((await call('GET', `/v1/orders/${ok.id}/validated?timeout=60000`)).body['state'], 'VALIDATED');
        assert.equal((await call('GET', `/v1/orders/${tooMany.id}/validated?timeout=60000`)).body['state'], 'FAILED');
        assert.equal((await call('POST', '/v1/orders', ok)).status, 409);
        const deadline = Date.now() + 60_000;
        while (!emails.some((e) => e.order.id === ok.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(
          emails.filter((e) => e.order.id === ok.id).map((e) => e.to),
          [`k${run}@example.com`],
        );
      } finally {
        await shop.close();
        await backend.close();
        dir.remove();
      }
    });
  });
}
