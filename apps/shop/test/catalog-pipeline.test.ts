/**
 * The catalog pipeline's rules through the TopologyTestDriver: feed records in, products and rejects out.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TopologyTestDriver, type TestInputTopic, type TestOutputTopic } from '@tributary/streams';
import { catalogPipelineTopology } from '../src/catalog/catalog-pipeline.js';
import type { CatalogProduct } from '../src/catalog/catalog-schemas.js';
import { CATALOG_TOPICS, catalogSerdes } from '../src/catalog/catalog-topics.js';
import { checkGtin, gtinCheckDigit } from '../src/catalog/gtin.js';
import { USD_TO_EUR } from '../src/catalog/units.js';
import { TOPICS } from '../src/topics.js';
import type { InventoryEvent } from '../src/inventory/schemas.js';
import { inventoryEventSerde } from '../src/inventory/serdes.js';

const T0 = 1_700_000_000_000;

/** A valid EAN-13 from 12 digits. */
const ean = (body: string): string => body + String(gtinCheckDigit(body));
const G1 = ean('400638133393'); // 4006381333931, a well-known valid EAN
const G2 = ean('501234567890');

interface Pipeline {
  acme: TestInputTopic<string | null, unknown>;
  globex: TestInputTopic<string | null, unknown>;
  inventory: TestInputTopic<string, InventoryEvent>;
  products: TestOutputTopic<string, CatalogProduct>;
  rejects: TestOutputTopic<string, Readonly<Record<string, unknown>>>;
}

function withPipeline(body: (p: Pipeline) => void): void {
  const driver = new TopologyTestDriver(catalogPipelineTopology(), { applicationId: 'catalog-test' }, T0);
  try {
    body({
      acme: driver.createInputTopic(CATALOG_TOPICS.feeds.acme, catalogSerdes.key, catalogSerdes.feed),
      globex: driver.createInputTopic(CATALOG_TOPICS.feeds.globex, catalogSerdes.key, catalogSerdes.feed),
      inventory: driver.createInputTopic(TOPICS.inventoryEvents, catalogSerdes.key, inventoryEventSerde),
      products: driver.createOutputTopic(CATALOG_TOPICS.products, catalogSerdes.key, catalogSerdes.product),
      rejects: driver.createOutputTopic(CATALOG_TOPICS.rejects, catalogSerdes.key, catalogSerdes.reject),
    });
  } finally {
    driver.close();
  }
}

function acme(sku: string, gtin: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sku,
    gtin,
    title: '  Trail   Running Shoe ',
    brand: ' Acme ',
    category: 'Shoes',
    widthCm: 11,
    weightKg: 0.31,
    priceEurCents: 8999,
    attributes: { colour: ' red ', size: 42 },
    ...overrides,
  };
}

function globex(sku: string, eanCode: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sku,
    ean: eanCode,
    name: 'Trail runner shoe',
    maker: 'Globex',
    dept: ' SHOES ',
    widthIn: 4,
    weightLb: 1,
    priceUsd: 100,
    specs: { colour: 'blue', waterproof: true },
    ...overrides,
  };
}

describe('gtin', () => {
  it('validates GS1 check digits and keeps one canonical form per number', () => {
    assert.deepEqual(checkGtin('4006381333931'), { ok: true, gtin: '4006381333931' });
    assert.deepEqual(checkGtin(' 400-6381-333931 '), { ok: true, gtin: '4006381333931' });
    assert.deepEqual(checkGtin('04006381333931'), { ok: true, gtin: '4006381333931' }, 'GTIN-14 with indicator 0');
    assert.deepEqual(checkGtin('036000291452'), { ok: true, gtin: '0036000291452' }, 'UPC-A padded to 13');
    assert.deepEqual(checkGtin('96385074'), { ok: true, gtin: '0000096385074' }, 'GTIN-8 padded to 13');
    assert.deepEqual(checkGtin('10012345678902'), { ok: true, gtin: '10012345678902' }, 'GTIN-14 with an indicator');
    const bad = checkGtin('4006381333932');
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.reason, /check digit mismatch: expected 1, got 2/);
    assert.equal(checkGtin('40063813339').ok, false, '11 digits');
    assert.equal(checkGtin('40063813339x1').ok, false);
    assert.equal(checkGtin(undefined).ok, false);
  });
});

describe('catalog pipeline', () => {
  it('cleans an acme record: trimmed text, lower-case category, euro cents to euros', () => {
    withPipeline((p) => {
      p.acme.pipeInput('A-1', acme('A-1', G1), T0);
      const out = p.products.readKeyValuesToList();
      assert.equal(out.length, 1);
      assert.equal(out[0]?.key, G1);
      assert.deepEqual(out[0]?.value, {
        gtin: G1,
        title: 'Trail Running Shoe',
        brand: 'Acme',
        category: 'shoes',
        widthCm: 11,
        weightKg: 0.31,
        price: { amount: 89.99, currency: 'EUR' },
        sources: [{ supplier: 'acme', sku: 'A-1' }],
        available: 0,
        attributes: { colour: 'red', size: 42 },
      });
      assert.ok(p.rejects.isEmpty());
    });
  });

  it('cleans a globex record: inches, pounds and dollars become cm, kg and EUR at the fixed rate', () => {
    withPipeline((p) => {
      p.globex.pipeInput('G-1', globex('G-1', G2, { priceUsd: '$ 19.99' }), T0);
      const product = p.products.readKeyValuesToList()[0]?.value;
      assert.equal(product?.title, 'Trail runner shoe');
      assert.equal(product?.brand, 'Globex');
      assert.equal(product?.category, 'shoes');
      assert.equal(product?.widthCm, 10.16);
      assert.equal(product?.weightKg, 0.454);
      assert.deepEqual(product?.price, { amount: Math.round(19.99 * USD_TO_EUR * 100) / 100, currency: 'EUR' });
      assert.equal(USD_TO_EUR, 0.92);
      assert.deepEqual(product?.price, { amount: 18.39, currency: 'EUR' });
    });
  });

  it('rejects records that cannot be cleaned, keyed by sku, with the raw record and a reason', () => {
    withPipeline((p) => {
      p.acme.pipeInput('A-bad', acme('A-bad', '4006381333932'), T0);
      p.acme.pipeInput('A-notitle', acme('A-notitle', G1, { title: '   ' }), T0);
      p.acme.pipeInput('A-cents', acme('A-cents', G1, { priceEurCents: 12.5 }), T0);
      p.globex.pipeInput('G-neg', globex('G-neg', G2, { priceUsd: -3 }), T0);
      p.globex.pipeInput('G-noean', globex('G-noean', ''), T0);
      p.globex.pipeInput('G-str', 'not an object', T0);
      p.acme.pipeInput('A-gone', { sku: 'A-gone', deleted: true }, T0);
      const rejects = p.rejects.readKeyValuesToList();
      assert.deepEqual(
        rejects.map((r) => r.key),
        ['A-bad', 'A-notitle', 'A-cents', 'G-neg', 'G-noean', 'G-str', 'A-gone'],
      );
      const reasons = rejects.map((r) => String(r.value?.['reason']));
      assert.match(reasons[0] ?? '', /^gtin: check digit mismatch/);
      assert.match(reasons[1] ?? '', /^title: missing/);
      assert.match(reasons[2] ?? '', /^priceEurCents: must be a whole number/);
      assert.match(reasons[3] ?? '', /^priceUsd: must not be negative/);
      assert.match(reasons[4] ?? '', /^ean: /);
      assert.match(reasons[5] ?? '', /JSON object/);
      assert.match(reasons[6] ?? '', /nothing to delete/);
      // The raw record travels with the reason.
      assert.equal(rejects[0]?.value?.['gtin'], '4006381333932');
      assert.equal(rejects[0]?.value?.['supplier'], 'acme');
      assert.equal(rejects[5]?.value?.['raw'], 'not an object');
      assert.ok(p.products.isEmpty());
    });
  });

  it('dedupes both feeds by GTIN: acme wins descriptive fields, the freshest price wins, sources lists both', () => {
    withPipeline((p) => {
      p.acme.pipeInput('A-1', acme('A-1', G1), T0);
      // globex sends the same product as a GTIN-14 with spaces: the same canonical GTIN.
      p.globex.pipeInput('G-9', globex('G-9', ` 0${G1} `, { priceUsd: 50, weightLb: 2 }), T0 + 1000);
      const out = p.products.readKeyValuesToList();
      assert.equal(out.length, 2);
      const merged = out[1]?.value;
      assert.equal(out[1]?.key, G1);
      assert.equal(merged?.title, 'Trail Running Shoe', 'acme has priority for titles');
      assert.equal(merged?.brand, 'Acme');
      assert.equal(merged?.weightKg, 0.31, 'acme has priority for measures');
      assert.deepEqual(merged?.price, { amount: 46, currency: 'EUR' }, 'the freshest offer (globex) sets the price');
      assert.deepEqual(merged?.sources, [
        { supplier: 'acme', sku: 'A-1' },
        { supplier: 'globex', sku: 'G-9' },
      ]);
      assert.deepEqual(merged?.attributes, { colour: 'red', size: 42, waterproof: true });
      // acme updates later: now its price is the freshest.
      p.acme.pipeInput('A-1', acme('A-1', G1, { priceEurCents: 7000 }), T0 + 2000);
      assert.deepEqual(p.products.readKeyValuesToList()[0]?.value?.price, { amount: 70, currency: 'EUR' });
    });
  });

  it('falls back to the next supplier for a field the preferred one lacks', () => {
    withPipeline((p) => {
      p.acme.pipeInput('A-1', acme('A-1', G1, { brand: null, weightKg: undefined }), T0);
      p.globex.pipeInput('G-1', globex('G-1', G1), T0);
      const merged = p.products.readKeyValuesToList().at(-1)?.value;
      assert.equal(merged?.brand, 'Globex');
      assert.equal(merged?.weightKg, 0.454);
      assert.equal(merged?.title, 'Trail Running Shoe');
    });
  });

  it('a deleted record removes the product (a tombstone), even when another feed offers it too', () => {
    withPipeline((p) => {
      p.acme.pipeInput('A-1', acme('A-1', G1), T0);
      p.globex.pipeInput('G-1', globex('G-1', G1), T0);
      p.products.readKeyValuesToList();
      p.acme.pipeInput('A-1', { sku: 'A-1', deleted: true }, T0 + 1);
      assert.deepEqual(p.products.readKeyValuesToList(), [{ key: G1, value: null }]);
      // A later record brings it back.
      p.globex.pipeInput('G-1', globex('G-1', G1), T0 + 2);
      assert.deepEqual(p.products.readKeyValuesToList()[0]?.value?.sources, [{ supplier: 'globex', sku: 'G-1' }]);
      // A feed tombstone (null value) deletes too.
      p.globex.pipeInput('G-1', null, T0 + 3);
      assert.deepEqual(p.products.readKeyValuesToList(), [{ key: G1, value: null }]);
    });
  });

  it('a sku that moves to another GTIN withdraws its old offer', () => {
    withPipeline((p) => {
      p.acme.pipeInput('A-1', acme('A-1', G1), T0);
      p.acme.pipeInput('A-1', acme('A-1', G2), T0 + 1);
      const out = p.products.readKeyValuesToList();
      assert.deepEqual(
        out.map((r) => [r.key, r.value === null ? null : r.value.gtin]),
        [
          [G1, G1],
          [G1, null],
          [G2, G2],
        ],
      );
    });
  });

  it('amends products with available stock from the inventory events, and ignores rejected ones', () => {
    withPipeline((p) => {
      let n = 0;
      const event = (product: string, type: InventoryEvent['type'], available: number, reserved: number): InventoryEvent => {
        n += 1;
        return { eventId: `e${n}`, commandId: `c${n}`, type, product, quantity: 1, available, reserved };
      };
      p.inventory.pipeInput(G1, event(G1, 'STOCK_SET', 10, 0), T0);
      assert.ok(p.products.isEmpty(), 'stock alone makes no product');
      p.acme.pipeInput('A-1', acme('A-1', G1), T0);
      assert.equal(p.products.readKeyValuesToList()[0]?.value?.available, 10);
      p.inventory.pipeInput(G1, event(G1, 'RESERVED', 7, 3), T0);
      assert.equal(p.products.readKeyValuesToList()[0]?.value?.available, 7);
      p.inventory.pipeInput(G1, event(G1, 'REJECTED', 0, 0), T0);
      assert.ok(p.products.isEmpty(), 'a rejected command changed nothing');
      p.inventory.pipeInput(G1, event(G1, 'STOCK_REMOVED', 0, 3), T0);
      assert.equal(p.products.readKeyValuesToList()[0]?.value?.available, 0);
      p.inventory.pipeInput('JUMPERS', event('JUMPERS', 'STOCK_SET', 5, 0), T0);
      assert.ok(p.products.isEmpty(), 'other products are not catalog products');
    });
  });

  it('writes nothing when a record changes nothing', () => {
    withPipeline((p) => {
      p.acme.pipeInput('A-1', acme('A-1', G1), T0);
      p.acme.pipeInput('A-1', acme('A-1', G1), T0 + 5);
      assert.equal(p.products.readKeyValuesToList().length, 1);
    });
  });
});
