/**
 * The embedded search index at its own layer: versions by offset (no regressions on replay or reordering), search
 * with filters and facets, and restoring from its snapshot without the topic.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CatalogProduct } from '../src/catalog/catalog-schemas.js';
import { MiniSearchIndex } from '../src/catalog/search/minisearch-index.js';
import type { ProductChange, SearchQuery } from '../src/catalog/search/search-index.js';
import { ean } from './catalog-support.js';
import { tempDir } from './support.js';

const dir = tempDir('catalog-index');
after(() => dir.remove());

function product(gtin: string, title: string, brand: string, category: string, amount: number): CatalogProduct {
  return { gtin, title, brand, category, widthCm: null, weightKg: null, price: { amount, currency: 'EUR' }, sources: [], available: 0, attributes: {} };
}

const query = (q: string, extra: Partial<SearchQuery> = {}): SearchQuery => ({ q, page: 1, size: 10, ...extra });
const G1 = ean('100000000001');
const G2 = ean('100000000002');
const G3 = ean('100000000003');

describe('embedded search index', () => {
  it('never regresses a document: a replayed or older change is ignored', async () => {
    const index = new MiniSearchIndex(undefined);
    await index.open();
    const change = (offset: number, title: string | null): ProductChange => ({
      gtin: G1,
      product: title === null ? null : product(G1, title, 'B', 'c', 1),
      partition: 0,
      offset,
    });
    await index.apply([change(5, 'newer toaster')], new Map([[0, 6]]));
    await index.apply([change(3, 'older toaster'), change(4, null)], new Map([[0, 6]]));
    assert.deepEqual((await index.search(query('toaster'))).hits.map((h) => h.title), ['newer toaster']);
    await index.apply([change(7, null)], new Map([[0, 8]]));
    await index.apply([change(6, 'resurrected toaster')], new Map([[0, 8]]));
    assert.equal((await index.search(query('toaster'))).total, 0, 'a replayed older version does not undo a deletion');
    await index.close();
  });

  it('searches with typos, filters, facets and pages; an empty query lists everything by GTIN', async () => {
    const index = new MiniSearchIndex(undefined);
    await index.open();
    await index.apply(
      [
        { gtin: G1, product: product(G1, 'Red wool jumper', 'Knitters', 'clothing', 40), partition: 0, offset: 0 },
        { gtin: G2, product: product(G2, 'Blue wool jumper', 'Knitters', 'clothing', 60), partition: 1, offset: 0 },
        { gtin: G3, product: product(G3, 'Wool socks', 'Sockco', 'clothing', 9), partition: 1, offset: 1 },
      ],
      new Map([
        [0, 1],
        [1, 2],
      ]),
    );
    const typo = await index.search(query('jumpre'));
    assert.deepEqual(new Set(typo.hits.map((h) => h.gtin)), new Set([G1, G2]));
    const filtered = await index.search(query('wool', { brand: 'Knitters', minPrice: 50 }));
    assert.deepEqual(filtered.hits.map((h) => h.gtin), [G2]);
    assert.deepEqual(filtered.facets, { brand: { Knitters: 1 }, category: { clothing: 1 } });
    const all = await index.search(query('', { size: 2 }));
    assert.equal(all.total, 3);
    assert.deepEqual(all.hits.map((h) => h.gtin), [G1, G2]);
    assert.deepEqual((await index.search(query('', { size: 2, page: 2 }))).hits.map((h) => h.gtin), [G3]);
    assert.deepEqual(all.facets.brand, { Knitters: 2, Sockco: 1 });
    await index.close();
  });

  it('restores from its snapshot with the positions it covers, without re-reading the topic', async () => {
    const path = join(dir.path, 'snapshot.jsonl');
    const first = new MiniSearchIndex(path);
    assert.deepEqual(await first.open(), new Map());
    await first.apply([{ gtin: G1, product: product(G1, 'Copper kettle', 'Orbit', 'kitchen', 30), partition: 2, offset: 41 }], new Map([[2, 42]]));
    await first.close();
    const second = new MiniSearchIndex(path);
    assert.deepEqual(await second.open(), new Map([[2, 42]]));
    assert.deepEqual((await second.search(query('kettle'))).hits.map((h) => h.gtin), [G1]);
    // Versions survive too: the change at offset 41 replayed after the restore changes nothing.
    await second.apply([{ gtin: G1, product: null, partition: 2, offset: 41 }], new Map([[2, 42]]));
    assert.equal((await second.search(query('kettle'))).total, 1);
    await second.close();
  });
});
