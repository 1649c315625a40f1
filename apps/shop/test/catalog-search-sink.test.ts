/**
 * The search sink on the embedded log: it follows `catalog-products` into the index, and after a restart it reads
 * only what came after the index's snapshot, not the whole topic.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createEmbeddedBackend, type Backend } from '@tributary/streams';
import type { CatalogProduct } from '../src/catalog/catalog-schemas.js';
import { CATALOG_TOPICS, catalogSerdes, ensureCatalogTopics } from '../src/catalog/catalog-topics.js';
import { MiniSearchIndex } from '../src/catalog/search/minisearch-index.js';
import type { IndexPositions, ProductChange } from '../src/catalog/search/search-index.js';
import { SearchSink } from '../src/catalog/search/search-sink.js';
import { ean, within } from './catalog-support.js';
import { quietLogger, tempDir } from './support.js';

const dir = tempDir('catalog-sink');
after(() => dir.remove());

/** Counts what the sink hands to the index. */
class CountingIndex extends MiniSearchIndex {
  applied = 0;
  override apply(changes: ReadonlyArray<ProductChange>, positions: IndexPositions): Promise<void> {
    this.applied += changes.length;
    return super.apply(changes, positions);
  }
}

function product(n: number, title: string): CatalogProduct {
  const gtin = ean(`50000000${String(n).padStart(4, '0')}`);
  return { gtin, title, brand: 'Sinkco', category: 'test', widthCm: null, weightKg: null, price: { amount: n, currency: 'EUR' }, sources: [], available: 0, attributes: {} };
}

async function write(backend: Backend, products: ReadonlyArray<CatalogProduct>): Promise<void> {
  const producer = await backend.createProducer({ clientId: 'test-products' });
  for (const p of products) {
    const topic = CATALOG_TOPICS.products;
    producer.send({ topic, key: catalogSerdes.key.serialize(topic, p.gtin), value: catalogSerdes.product.serialize(topic, p) });
  }
  await producer.flush();
  await producer.close();
}

describe('search sink', () => {
  it('follows catalog-products and, restarted, reads only what came after its snapshot', async () => {
    const backend = await createEmbeddedBackend({ dataDir: join(dir.path, 'log') });
    const snapshot = join(dir.path, 'snapshot.jsonl');
    try {
      await ensureCatalogTopics(backend);
      await write(backend, [product(1, 'Alpha widget'), product(2, 'Beta widget'), product(3, 'Gamma widget')]);
      const first = new CountingIndex(snapshot);
      const sink = new SearchSink(backend, first, quietLogger);
      await sink.start();
      const found = await within(5_000, async () => ((await sink.search({ q: 'widget', page: 1, size: 10 })).total === 3 ? true : undefined));
      assert.equal(found.value, true);
      await sink.close();
      assert.equal(first.applied, 3);

      await write(backend, [product(4, 'Delta widget')]);
      const second = new CountingIndex(snapshot);
      const restarted = new SearchSink(backend, second, quietLogger);
      await restarted.start();
      const all = await within(5_000, async () => ((await restarted.search({ q: 'widget', page: 1, size: 10 })).total === 4 ? true : undefined));
      assert.equal(all.value, true);
      await restarted.close();
      assert.equal(second.applied, 1, 'only the record after the snapshot was read');
    } finally {
      await backend.close();
    }
  });
});
