/**
 * The database hybrid over HTTP (system-spec.md, "Customers in PostgreSQL"), on the embedded log with a private
 * PostgreSQL started by tools/pg/pg.sh: customers are written to PostgreSQL with an outbox row, published to
 * `customers`, and joined by the email service; orders and their enrichment come back into `orders_report`.
 * Without DATABASE_URL the same endpoints write the topic directly and /health says the hybrid is off.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TOPICS } from '../src/topics.js';
import { startTestPostgres, type TestPostgres } from './pg-support.js';
import { readTopic, waitFor } from './relay-support.js';
import { runId, startTestShop, tempDir, uniqueCustomerId, type TestShop } from './support.js';

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

function client(shop: TestShop) {
  return async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<Reply> => {
    const res = await shop.shop.server.inject({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: res.statusCode, body: res.body.startsWith('{') ? (res.json() as Record<string, unknown>) : {} };
  };
}

const person = (id: number, level = 'bronze') => ({ id, firstName: 'Ada', lastName: 'L', email: `ada${id}@example.com`, address: 'x', level });

describe('customers in PostgreSQL, published through the outbox', () => {
  let postgres: TestPostgres;
  let shop: TestShop;
  const dir = tempDir('hybrid');

  before(async () => {
    postgres = await startTestPostgres();
    shop = await startTestShop(dir.path, { databaseUrl: postgres.url });
  });
  after(async () => {
    await shop?.close();
    postgres?.destroy();
    dir.remove();
  });

  it('writes PostgreSQL, reads it back, and publishes each change once (a delete as a tombstone)', async () => {
    const call = client(shop);
    const id = uniqueCustomerId();
    assert.equal((await call('POST', '/v1/customers', person(id))).status, 201);
    assert.deepEqual((await call('GET', `/v1/customers/${id}`)).body, person(id));
    const { id: _omitted, ...withoutId } = person(id, 'gold');
    assert.equal((await call('PUT', `/v1/customers/${id}`, withoutId)).status, 200);
    assert.equal((await call('GET', `/v1/customers/${id}`)).body['level'], 'gold');
    assert.equal((await call('DELETE', `/v1/customers/${id}`)).status, 204);
    assert.equal((await call('GET', `/v1/customers/${id}`)).status, 404);
    assert.equal((await call('DELETE', `/v1/customers/${id}`)).status, 404);
    const key = String(id);
    await waitFor(async () => (await readTopic(shop.backend, TOPICS.customers)).filter((r) => r.key === key).length >= 3, 30_000);
    const changes = (await readTopic(shop.backend, TOPICS.customers)).filter((r) => r.key === key);
    assert.deepEqual(
      changes.map((r) => (r.value === null ? null : (JSON.parse(r.value) as { level: string }).level)),
      ['bronze', 'gold', null],
    );
    const health = await call('GET', '/health');
    assert.equal((health.body['hybrid'] as { state: string; relay: string }).state, 'ON');
    assert.equal((health.body['hybrid'] as { relay: string }).relay, 'RUNNING');
  });

  it('rejects bad input with 400 naming the field, and unknown ids with 404', async () => {
    const call = client(shop);
    const put = await call('PUT', '/v1/customers/abc', person(1));
    assert.equal(put.status, 400);
    assert.equal(put.body['field'], 'id');
    const mismatch = await call('PUT', '/v1/customers/5', person(6));
    assert.deepEqual([mismatch.status, mismatch.body['field']], [400, 'id']);
    const badLevel = await call('PUT', '/v1/customers/5', { ...person(5), level: 'diamond' });
    assert.deepEqual([badLevel.status, badLevel.body['field']], [400, 'level']);
    assert.equal((await call('GET', '/v1/customers/%F0%9F%98%80')).status, 404);
    assert.equal((await call('GET', `/v1/reports/orders/${'x'.repeat(101)}`)).status, 400);
    assert.equal((await call('GET', `/v1/reports/orders/none-${runId}`)).status, 404);
  });

  it('brings orders and their customer level back into orders_report', async () => {
    const call = client(shop);
    const id = uniqueCustomerId();
    assert.equal((await call('POST', '/v1/customers', person(id, 'platinum'))).status, 201);
    // The email service joins against its customers table: wait until the relay has published the customer.
    await waitFor(async () => (await readTopic(shop.backend, TOPICS.customers)).some((r) => r.key === String(id)), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await call('PUT', '/v1/inventory/JUMPERS', { quantity: 1000 })).status, 200);
    const order = { id: `report-${runId}`, customerId: id, product: 'JUMPERS', quantity: 2, price: 10 };
    assert.equal((await call('POST', '/v1/orders', order)).status, 201);
    assert.equal((await call('POST', '/v1/payments', { id: `pay-${runId}`, orderId: order.id, ccy: 'EUR', amount: 20 })).status, 201);
    let report: Reply | undefined;
    await waitFor(async () => {
      report = await call('GET', `/v1/reports/orders/${order.id}`);
      return report.status === 200 && report.body['state'] === 'VALIDATED' && report.body['customerLevel'] === 'platinum';
    }, 60_000);
    assert.deepEqual(report?.body, { ...order, state: 'VALIDATED', customerLevel: 'platinum' });
  });
});

describe('customers without PostgreSQL', () => {
  let shop: TestShop;
  const dir = tempDir('hybrid-off');
  before(async () => {
    shop = await startTestShop(dir.path);
  });
  after(async () => {
    await shop?.close();
    dir.remove();
  });

  it('writes the topic directly and says the hybrid is off', async () => {
    const call = client(shop);
    const id = uniqueCustomerId();
    assert.equal((await call('POST', '/v1/customers', person(id))).status, 201);
    assert.equal((await call('PUT', `/v1/customers/${id}`, person(id, 'gold'))).status, 200);
    assert.equal((await call('DELETE', `/v1/customers/${id}`)).status, 204);
    const changes = (await readTopic(shop.backend, TOPICS.customers)).filter((r) => r.key === String(id));
    assert.deepEqual(
      changes.map((r) => (r.value === null ? null : (JSON.parse(r.value) as { level: string }).level)),
      ['bronze', 'gold', null],
    );
    const health = await call('GET', '/health');
    assert.equal((health.body['hybrid'] as { state: string }).state, 'OFF');
    assert.match((health.body['hybrid'] as { hint: string }).hint, /DATABASE_URL/);
    assert.equal((await call('GET', `/v1/customers/${id}`)).status, 404);
  });
});
