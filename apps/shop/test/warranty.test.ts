/**
 * The warranty service, deployed after orders exist: 1,000 orders (and their outcomes) are in `orders` before it
 * starts; it offers a warranty for exactly the VALIDATED orders of eligible catalog products, once each — also after
 * a restart on an empty state directory and with VALIDATED records replayed — and keeps up with orders placed after.
 * Then the whole shop through HTTP: an order naming a catalog product by GTIN, stocked by `PUT /v1/inventory/{gtin}`,
 * is VALIDATED and its offer is at `GET /v1/warranty-offers/{orderId}`. On each backend.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createEmbeddedBackend, createKafkaBackend, type Backend, type KafkaStreams } from '@tributary/streams';
import { gtinCheckDigit } from '../src/catalog/gtin.js';
import type { CatalogProduct } from '../src/catalog/catalog-schemas.js';
import { CATALOG_TOPICS, catalogSerdes, ensureCatalogTopics } from '../src/catalog/catalog-topics.js';
import { ensureLaterTopics, LATER_TOPICS } from '../src/later/later-topics.js';
import type { WarrantyOffer } from '../src/later/later-schemas.js';
import { createWarranty, warrantyOffer } from '../src/later/warranty.js';
import type { Order } from '../src/schemas.js';
import { deadLetterTopic, ensureTopics, PARTITIONS, serdes, TOPICS } from '../src/topics.js';
import { kafkaBootstrapServers, quietLogger, readRawTopic, runId, shopTargets, tempDir, uniqueCustomerId } from './support.js';

const WAIT_MS = 60_000;
/**
 * A service deployed later reads `orders` from the beginning. On the test broker that topic holds every order the
 * other shop suites wrote before this file runs, so catching up takes longer there than on a fresh embedded log.
 */
const CATCH_UP_MS = 240_000;
let gtinSeq = 0;
/** A valid GTIN-13 no earlier run used (the catalog topic outlives a suite on a broker). */
function uniqueGtin(): string {
  gtinSeq += 1;
  const body = String((Date.now() % 1e9) * 1000 + gtinSeq).padStart(12, '0').slice(-12);
  return `${body}${gtinCheckDigit(body)}`;
}

function product(gtin: string, category: string, amount: number): CatalogProduct {
  return { gtin, title: `Thing ${gtin}`, brand: 'Orbit', category, widthCm: null, weightKg: null, price: { amount, currency: 'EUR' }, sources: [{ supplier: 'acme', sku: gtin }], available: 0, attributes: {} };
}

async function write(backend: Backend, records: ReadonlyArray<{ topic: string; key: string; value: Buffer | null }>): Promise<void> {
  const producer = await backend.createProducer({ clientId: `warranty-test-writer-${runId}` });
  try {
    for (const r of records) producer.send({ topic: r.topic, key: Buffer.from(r.key, 'utf8'), value: r.value });
    await producer.flush();
  } finally {
    await producer.close();
  }
}

const orderRecord = (order: Order) => ({ topic: TOPICS.orders, key: order.id, value: serdes.order.serialize(TOPICS.orders, order) });

/** This run's offers in `warranty-offers` (committed only), read from the beginning until `count` are there. */
async function offers(backend: Backend, prefix: string, count: number, waitMs = WAIT_MS): Promise<WarrantyOffer[]> {
  const mine = (records: Awaited<ReturnType<typeof readRawTopic>>): WarrantyOffer[] =>
    records.filter((r) => r.key?.toString('utf8').startsWith(prefix)).map((r) => JSON.parse(r.value?.toString('utf8') ?? 'null') as WarrantyOffer);
  return mine(await readRawTopic(backend, LATER_TOPICS.warrantyOffers, (records) => mine(records).length >= count, waitMs));
}

const backends: Array<{ name: string; open(dir: string): Promise<Backend> }> = [
  { name: 'embedded', open: async (dir) => createEmbeddedBackend({ dataDir: join(dir, 'log'), autoCreateTopics: false }) },
  ...(kafkaBootstrapServers !== undefined ? [{ name: 'kafka', open: async () => createKafkaBackend({ bootstrapServers: kafkaBootstrapServers as string }) }] : []),
];

describe('warranty offers (rule)', () => {
  it('offers two years for eligible electronics, three from 1000 EUR, nothing below 100 EUR or outside electronics', () => {
    const order: Order = { id: 'o', customerId: 1, state: 'VALIDATED', product: 'g', quantity: 2, price: 1 };
    assert.deepEqual(warrantyOffer(order, product('g', 'electronics', 149.99)), { orderId: 'o', gtin: 'g', years: 2, price: 30 });
    assert.deepEqual(warrantyOffer(order, product('g', 'electronics', 1000)), { orderId: 'o', gtin: 'g', years: 3, price: 200 });
    assert.equal(warrantyOffer(order, product('g', 'electronics', 100))?.price, 20);
    assert.equal(warrantyOffer(order, product('g', 'electronics', 99.99)), null);
    assert.equal(warrantyOffer(order, product('g', 'kitchen', 500)), null);
  });
});

for (const target of backends) {
  describe(`warranty service deployed later on ${target.name}`, { timeout: 600_000 }, () => {
    it('offers once per VALIDATED eligible order among 1,000 earlier ones, across a restart, then live', async () => {
      const dir = tempDir(`warranty-${target.name}`);
      const backend = await target.open(dir.path);
      const apps: KafkaStreams[] = [];
      try {
        await ensureTopics(backend);
        await ensureCatalogTopics(backend);
        await ensureLaterTopics(backend);
        const [cheap, kitchen, phone, tv] = [uniqueGtin(), uniqueGtin(), uniqueGtin(), uniqueGtin()];
        const catalog = [product(phone, 'electronics', 149.99), product(cheap, 'electronics', 99.99), product(kitchen, 'kitchen', 500), product(tv, 'electronics', 1299)];
        await write(backend, catalog.map((p) => ({ topic: CATALOG_TOPICS.products, key: p.gtin, value: catalogSerdes.product.serialize(CATALOG_TOPICS.products, p) })));

        const prefix = `w-${runId}-`;
        const products = [phone, cheap, kitchen, tv, 'JUMPERS'];
        const expected = new Map<string, { gtin: string; years: number; price: number }>();
        const placed = (from: number, count: number): Order[][] =>
          Array.from({ length: count }, (_, n) => {
            const i = from + n;
            const created: Order = { id: `${prefix}${String(i).padStart(5, '0')}`, customerId: 1 + (i % 50), state: 'CREATED', product: products[i % products.length] ?? 'JUMPERS', quantity: 1 + (i % 3), price: 10 };
            const outcome: Order = { ...created, state: i % 4 === 3 ? 'FAILED' : 'VALIDATED' };
            if (outcome.state === 'VALIDATED' && (created.product === phone || created.product === tv)) {
              const unit = created.product === phone ? 15 : 129.9;
              expected.set(created.id, { gtin: created.product, years: created.product === tv ? 3 : 2, price: Math.round(unit * 100 * created.quantity) / 100 });
            }
            return [created, outcome];
          });
        const earlier = placed(0, 1_000);
        await write(backend, earlier.flat().map(orderRecord));
        const firstCount = expected.size;
        assert.equal(firstCount, 300, "two products in five are eligible, three orders in four VALIDATED");

        const runtime = (state: string) => ({ backend, stateDir: join(dir.path, state), logger: quietLogger, commitIntervalMs: target.name === 'kafka' ? 100 : 50 });
        const appId = `warranty-test-${runId}-${target.name}`;
        // The shop creates its apps' dead-letter topics (the broker does not auto-create topics); this app's id is
        // the test's own. On the shared test broker `orders` holds other suites' hostile orders, which it sets aside.
        const admin = backend.admin();
        await admin.createTopics([{ name: deadLetterTopic(appId), numPartitions: PARTITIONS }]);
        await admin.close();
        const first = createWarranty(runtime('a'), appId);
        apps.push(first);
        await first.start();
        const made = await offers(backend, prefix, firstCount, CATCH_UP_MS);
        assert.equal(made.length, firstCount);
        await first.close();

        // Replays of earlier outcomes and new orders, while the service is down; it restarts elsewhere (no local state).
        const replayed = earlier.slice(0, 100).map(([, outcome]) => outcome as Order);
        const later = placed(1_000, 40);
        await write(backend, [...replayed.map(orderRecord), ...later.flat().map(orderRecord)]);
        const second = createWarranty(runtime('b'), appId);
        apps.push(second);
        await second.start();
        const afterRestart = expected.size;
        await offers(backend, prefix, afterRestart, CATCH_UP_MS);

        // Live: orders placed while it runs.
        const live = placed(1_040, 20);
        await write(backend, live.flat().map(orderRecord));
        assert.equal((await offers(backend, prefix, expected.size)).length, expected.size);
        // Everything in the topic now, read for a while longer: a duplicate would show up as one more.
        const final = await offers(backend, prefix, Number.POSITIVE_INFINITY, 2_000);
        const ids = final.map((o) => o.orderId);
        assert.equal(new Set(ids).size, ids.length, 'no order got two offers');
        assert.deepEqual(new Set(ids), new Set(expected.keys()));
        for (const offer of final) {
          const want = expected.get(offer.orderId);
          assert.deepEqual({ gtin: offer.gtin, years: offer.years, price: offer.price }, want, `offer for ${offer.orderId}`);
        }
      } finally {
        for (const app of apps) await app.close();
        await backend.close();
        dir.remove();
      }
    });
  });
}

for (const target of shopTargets()) {
  describe(`warranty offers over HTTP on ${target.name}`, { timeout: 180_000 }, () => {
    it('stocks a catalog GTIN, validates an order for it and shows the offer', async () => {
      const dir = tempDir(`warranty-http-${target.name}`);
      const shop = await target.start(dir.path);
      try {
        const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
          const res = await shop.shop.server.inject({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
          assert.ok(res.statusCode < 500, `${method} ${url}: ${res.statusCode}`);
          return { status: res.statusCode, body: res.json() as Record<string, unknown> };
        };
        const gtin = uniqueGtin();
        const feed = await call('POST', '/v1/catalog/feeds/acme', { sku: `w-${runId}-${gtin}`, gtin, title: 'Radio', brand: 'Orbit', category: 'Electronics', priceEurCents: 24_900 });
        assert.equal(feed.status, 202);
        const deadline = Date.now() + WAIT_MS;
        while ((await call('GET', `/v1/catalog/products/${gtin}`)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        // A GTIN-12 form of the same number is stocked under the catalog's canonical key.
        const put = await call('PUT', `/v1/inventory/${gtin}`, { quantity: 5 });
        assert.equal(put.status, 200);
        assert.equal(put.body['product'], gtin);
        assert.equal((await call('PUT', '/v1/inventory/4006381333932', { quantity: 1 })).body['field'], 'product');

        const customerId = uniqueCustomerId();
        const id = `wh-${runId}`;
        assert.equal((await call('POST', '/v1/orders', { id, customerId, product: gtin, quantity: 2, price: 249 })).status, 201);
        const outcome = await call('GET', `/v1/orders/${id}/validated?timeout=${WAIT_MS}`);
        assert.equal(outcome.body['state'], 'VALIDATED');
        let offer = await call('GET', `/v1/warranty-offers/${id}`);
        while (offer.status === 404 && Date.now() < deadline + WAIT_MS) {
          await new Promise((r) => setTimeout(r, 50));
          offer = await call('GET', `/v1/warranty-offers/${id}`);
        }
        assert.equal(offer.status, 200);
        assert.deepEqual(offer.body, { orderId: id, gtin, years: 2, price: 49.8 });

        // A GTIN the catalog does not know fails order-details; no offer.
        const unknown = `wu-${runId}`;
        assert.equal((await call('POST', '/v1/orders', { id: unknown, customerId, product: uniqueGtin(), quantity: 1, price: 1 })).status, 201);
        assert.equal((await call('GET', `/v1/orders/${unknown}/validated?timeout=${WAIT_MS}`)).body['state'], 'FAILED');
        assert.equal((await call('GET', `/v1/warranty-offers/${unknown}`)).status, 404);
        assert.equal((await call('GET', `/v1/warranty-offers/${'x'.repeat(101)}`)).status, 400);
      } finally {
        await shop.close();
        dir.remove();
      }
    });
  });
}
