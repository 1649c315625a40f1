/**
 * The catalog contract over HTTP, run once per search engine (catalog-http.test.ts on the embedded index,
 * catalog-opensearch.test.ts on OpenSearch): feeds in, searchable within 2 s, products, dedupe, deletion, rejects,
 * and the general error rules.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CatalogProduct } from '../src/catalog/catalog-schemas.js';
import type { SearchResult } from '../src/catalog/search/search-index.js';
import { freshGtin, within, type CatalogShop } from './catalog-support.js';
import { runId } from './support.js';

/** The contract: a change in a feed is searchable within 2 s. */
const SEARCHABLE_MS = 2_000;

export function catalogContract(engine: string, start: () => Promise<CatalogShop>): void {
  describe(`catalog over HTTP (${engine})`, () => {
    let shop: CatalogShop;
    // Words unique to this run keep searches independent of other suites' products.
    const word = `zq${runId}`.replace(/[^a-z0-9]/g, '');
    const search = (query: string) => shop.get<SearchResult>(`/v1/catalog/search?${query}`);
    const findGtin = async (query: string, gtin: string): Promise<boolean> =>
      (await search(query)).body.hits?.some((h) => h.gtin === gtin) === true;

    before(async () => {
      shop = await start();
    });
    after(async () => {
      await shop?.close();
    });

    it('a feed record is searchable within 2 s, typo tolerant, with filters and facets', async () => {
      const gtin = freshGtin();
      const posted = await shop.post('/v1/catalog/feeds/acme', {
        sku: `A-${gtin}`,
        gtin,
        title: `Lumina ${word} desk lamp`,
        brand: 'Lumina',
        category: 'Lighting',
        widthCm: 20,
        weightKg: 1.2,
        priceEurCents: 4999,
        attributes: { colour: 'black' },
      });
      assert.equal(posted.status, 202);
      const seen = await within(SEARCHABLE_MS, async () => ((await findGtin(`q=${word}`, gtin)) ? true : undefined));
      assert.equal(seen.value, true, `not searchable within ${SEARCHABLE_MS} ms`);

      // Typo tolerance on titles: one edit in "lamp", two in "lumina".
      assert.ok(await findGtin(`q=${word}+lamq`, gtin));
      assert.ok(await findGtin(`q=lumnia+${word}`, gtin));

      const found = await search(`q=${word}&brand=Lumina&category=lighting&minPrice=40&maxPrice=50`);
      assert.equal(found.status, 200);
      assert.equal(found.body.total, 1);
      const hit = found.body.hits[0];
      assert.deepEqual({ ...hit, score: typeof hit?.score }, { gtin, title: `Lumina ${word} desk lamp`, brand: 'Lumina', price: { amount: 49.99, currency: 'EUR' }, score: 'number' });
      assert.deepEqual(found.body.facets, { brand: { Lumina: 1 }, category: { lighting: 1 } });
      assert.equal((await search(`q=${word}&maxPrice=10`)).body.total, 0);
      assert.equal((await search(`q=${word}&brand=Other`)).body.total, 0);

      const lookup = await within(SEARCHABLE_MS, async () => {
        const res = await shop.get<CatalogProduct>(`/v1/catalog/products/${gtin}`);
        return res.status === 200 ? res : undefined;
      });
      const product = lookup.value ?? { status: 404, body: {} as CatalogProduct };
      assert.equal(product.status, 200);
      assert.equal(product.body.gtin, gtin);
      assert.equal(product.body.category, 'lighting');
      assert.deepEqual(product.body.sources, [{ supplier: 'acme', sku: `A-${gtin}` }]);
      assert.equal(product.body.available, 0);
    });

    it('dedupes a product both feeds offer, and an update becomes searchable within 2 s', async () => {
      const gtin = freshGtin();
      await shop.post('/v1/catalog/feeds/acme', { sku: `A-${gtin}`, gtin, title: `Orbit ${word} kettle`, brand: 'Orbit', category: 'Kitchen', priceEurCents: 3000 });
      assert.ok((await within(SEARCHABLE_MS, async () => ((await findGtin(`q=${word}+kettle`, gtin)) ? true : undefined))).value);
      const posted = await shop.post('/v1/catalog/feeds/globex', [
        { sku: `G-${gtin}`, ean: gtin, name: `Globex ${word} kettle`, maker: 'Globex', dept: 'kitchen', widthIn: 10, weightLb: 3, priceUsd: 25 },
      ]);
      assert.equal(posted.status, 202);
      const merged = await within(SEARCHABLE_MS, async () => {
        const hit = (await search(`q=${word}+kettle`)).body.hits.find((h) => h.gtin === gtin);
        return hit?.price.amount === 23 ? hit : undefined;
      });
      assert.ok(merged.value, 'the freshest price (globex, 25 USD = 23 EUR) is searchable within 2 s');
      assert.equal(merged.value?.title, `Orbit ${word} kettle`, 'acme has priority for titles');
      const product = await within(SEARCHABLE_MS, async () => {
        const res = await shop.get<CatalogProduct>(`/v1/catalog/products/${gtin}`);
        return res.body.sources?.length === 2 ? res.body : undefined;
      });
      assert.deepEqual(product.value?.sources.map((s) => s.supplier), ['acme', 'globex']);
      assert.equal(product.value?.widthCm, 25.4, 'acme lacks a width: globex 10 in');
      assert.equal((await search(`q=${word}+kettle`)).body.hits.filter((h) => h.gtin === gtin).length, 1);
    });

    it('a deleted record removes the product from search and lookups', async () => {
      const gtin = freshGtin();
      await shop.post('/v1/catalog/feeds/globex', { sku: `G-${gtin}`, ean: gtin, name: `Vanishing ${word} chair`, maker: 'Globex', dept: 'furniture', priceUsd: 80 });
      assert.ok((await within(SEARCHABLE_MS, async () => ((await findGtin(`q=${word}+chair`, gtin)) ? true : undefined))).value);
      assert.equal((await shop.post('/v1/catalog/feeds/globex', { sku: `G-${gtin}`, deleted: true })).status, 202);
      const gone = await within(SEARCHABLE_MS, async () => ((await findGtin(`q=${word}+chair`, gtin)) ? undefined : true));
      assert.equal(gone.value, true, `still searchable ${SEARCHABLE_MS} ms after its deletion`);
      const lookup = await within(SEARCHABLE_MS, async () => ((await shop.get(`/v1/catalog/products/${gtin}`)).status === 404 ? true : undefined));
      assert.equal(lookup.value, true, 'the product lookup forgets it too');
    });

    it('rejects records with reasons, readable by sku', async () => {
      const sku = `BAD-${word}-${freshGtin()}`;
      const badGtin = freshGtin().slice(0, 12) + 'x';
      assert.equal((await shop.post('/v1/catalog/feeds/acme', { sku, gtin: badGtin, title: 'Broken', priceEurCents: 100 })).status, 202);
      assert.equal((await shop.post('/v1/catalog/feeds/acme', { sku, gtin: '4006381333932', title: 'Broken', priceEurCents: 100 })).status, 202);
      const rejects = await within(SEARCHABLE_MS, async () => {
        const res = await shop.get<{ sku: string; rejects: Array<Record<string, unknown>> }>(`/v1/catalog/rejects?sku=${encodeURIComponent(sku)}`);
        return res.body.rejects.length >= 2 ? res.body : undefined;
      });
      assert.equal(rejects.value?.sku, sku);
      assert.match(String(rejects.value?.rejects[0]?.['reason']), /^gtin: not all digits/);
      assert.match(String(rejects.value?.rejects[1]?.['reason']), /^gtin: check digit mismatch/);
      assert.equal(rejects.value?.rejects[1]?.['title'], 'Broken', 'the raw record travels with the reason');
      const none = await shop.get<{ rejects: unknown[] }>(`/v1/catalog/rejects?sku=none-${word}`);
      assert.deepEqual([none.status, none.body.rejects], [200, []]);
    });

    it('serves the page with a catalog search box and facets', async () => {
      const page = await shop.shop.server.inject({ method: 'GET', url: '/' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<form id="catalog-search">/);
      assert.match(page.body, /id="catalog-facets"/);
      assert.match(page.body, /\/v1\/catalog\/search\?/);
    });

    it('answers client errors with 400 naming the field, unknown things with 404, never 5xx', async () => {
      const bad = async (url: string, field: string, payload?: unknown): Promise<void> => {
        const res = payload === undefined ? await shop.get<{ error: string; field: string }>(url) : await shop.post<{ error: string; field: string }>(url, payload);
        assert.equal(res.status, 400, `${url} → ${res.status}`);
        assert.equal(res.body.field, field, url);
        assert.equal(typeof res.body.error, 'string');
      };
      await bad('/v1/catalog/feeds/acme', 'sku', { gtin: '4006381333931', title: 'no sku' });
      await bad('/v1/catalog/feeds/acme', 'sku', { sku: '   ' });
      await bad('/v1/catalog/feeds/acme', '1.sku', [{ sku: 'ok' }, { title: 'no sku' }]);
      await bad('/v1/catalog/feeds/globex', 'sku', { sku: 'x'.repeat(101) });
      await bad('/v1/catalog/feeds/globex', 'sku', { sku: 'lone \ud800 surrogate' });
      await bad('/v1/catalog/search?size=0', 'size');
      await bad('/v1/catalog/search?size=abc', 'size');
      await bad('/v1/catalog/search?page=0', 'page');
      await bad('/v1/catalog/search?minPrice=-1', 'minPrice');
      await bad('/v1/catalog/search?minPrice=10&maxPrice=5', 'maxPrice');
      await bad(`/v1/catalog/search?brand=${'b'.repeat(101)}`, 'brand');
      await bad('/v1/catalog/search?q=x&q=y', 'q');
      // Empty parameters, as a form sends them, mean "not given".
      const blank = await search(`q=${word}nothingmatches&brand=&category=&minPrice=&maxPrice=&page=&size=`);
      assert.deepEqual([blank.status, blank.body.total], [200, 0]);
      await bad('/v1/catalog/rejects', 'sku');
      await bad(`/v1/catalog/rejects?sku=${'s'.repeat(101)}`, 'sku');
      assert.equal((await shop.post('/v1/catalog/feeds/initech', { sku: 'x' })).status, 404);
      assert.equal((await shop.get('/v1/catalog/products/4006381333932')).status, 404);
      assert.equal((await shop.get('/v1/catalog/products/not-a-gtin')).status, 404);
      assert.equal((await shop.get('/v1/catalog/nothing')).status, 404);
      const empty = await search(`q=${word}nothingmatches`);
      assert.deepEqual([empty.status, empty.body.total, empty.body.hits], [200, 0, []]);
    });
  });
}
