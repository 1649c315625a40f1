/**
 * The catalog on the real path: OpenSearch, started by this file through tools/search/search.sh (fetched from
 * Maven Central on first use; run as an unprivileged user when the tests run as root), on a free port with a
 * fresh data folder, and stopped afterwards. With OPENSEARCH_URL set, that node is used instead.
 *
 * Runs the same HTTP contract as the embedded engine, and checks both engines give the same top hits for a fixed
 * query set (the documented differences are in apps/shop/README.md).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CatalogProduct } from '../src/catalog/catalog-schemas.js';
import { MiniSearchIndex } from '../src/catalog/search/minisearch-index.js';
import { OpenSearchIndex } from '../src/catalog/search/opensearch-index.js';
import type { SearchIndex, SearchQuery } from '../src/catalog/search/search-index.js';
import { catalogContract } from './catalog-contract.js';
import { ean, startCatalogShop } from './catalog-support.js';
import { runId, tempDir } from './support.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const script = join(root, 'tools', 'search', 'search.sh');
const dir = tempDir('catalog-opensearch');
const indexPrefix = `catalog-test-${runId}`.toLowerCase();

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** OpenSearch for this file: the one OPENSEARCH_URL names, or one started here. */
let node: { url: string; stop(): void } | undefined;
async function ensureOpenSearch(): Promise<string> {
  if (node !== undefined) return node.url;
  const external = process.env['OPENSEARCH_URL'];
  if (external) {
    node = { url: external, stop: () => undefined };
    return external;
  }
  let port = 19420;
  while (!((await portFree(port)) && (await portFree(port + 1)))) port += 2;
  const env = { ...process.env, SEARCH_PORT: String(port), SEARCH_DATA_DIR: join(root, '.search', `test-${port}`) };
  rmSync(env.SEARCH_DATA_DIR, { recursive: true, force: true });
  const started = spawnSync('bash', [script, 'start'], { env, encoding: 'utf8', timeout: 600_000 });
  if (started.status !== 0) {
    throw new Error(`OpenSearch did not start (exit ${started.status}):\n${started.stdout}\n${started.stderr}`);
  }
  node = {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      spawnSync('bash', [script, 'stop'], { env, stdio: 'ignore' });
      rmSync(env.SEARCH_DATA_DIR, { recursive: true, force: true });
    },
  };
  return node.url;
}

const dropped: OpenSearchIndex[] = [];
after(async () => {
  for (const index of dropped) await index.drop().catch(() => undefined);
  node?.stop();
  dir.remove();
});

catalogContract('OpenSearch, embedded log', async () => {
  const url = await ensureOpenSearch();
  const index = `${indexPrefix}-http`;
  dropped.push(new OpenSearchIndex({ url, index }));
  return startCatalogShop(dir.path, { engine: 'opensearch', url, index });
});

function product(n: number, title: string, brand: string, category: string, amount: number): CatalogProduct {
  const gtin = ean(`30000000${String(n).padStart(4, '0')}`);
  return { gtin, title, brand, category, widthCm: null, weightKg: null, price: { amount, currency: 'EUR' }, sources: [], available: 0, attributes: {} };
}

const CORPUS: ReadonlyArray<CatalogProduct> = [
  product(1, 'Red wool jumper', 'Knitters', 'clothing', 45),
  product(2, 'Blue cotton jumper', 'Knitters', 'clothing', 35),
  product(3, 'Wool socks', 'Sockco', 'clothing', 9),
  product(4, 'Stainless steel kettle', 'Orbit', 'kitchen', 30),
  product(5, 'Electric kettle with thermostat', 'Orbit', 'kitchen', 55),
  product(6, 'Cordless drill', 'Boltmax', 'tools', 89),
  product(7, 'Hammer drill', 'Boltmax', 'tools', 120),
  product(8, 'LED desk lamp', 'Lumina', 'lighting', 40),
  product(9, 'Floor lamp', 'Lumina', 'lighting', 75),
  product(10, 'Running shoes', 'Stride', 'shoes', 80),
  product(11, 'Trail running shoes', 'Stride', 'shoes', 110),
  product(12, 'Leather boots', 'Stride', 'shoes', 150),
];

/** Queries whose top hits both engines must agree on: exact words, typos, several words, filters, no text. */
const QUERIES: ReadonlyArray<Partial<SearchQuery> & { q: string }> = [
  { q: 'kettle' },
  { q: 'electric kettle' },
  { q: 'jumpr' },
  { q: 'wool' },
  { q: 'hammer drill' },
  // A dropped letter; not a swapped pair ("drlil"): OpenSearch counts a transposition as one edit, MiniSearch as two.
  { q: 'dril' },
  { q: 'lamp' },
  { q: 'runing shoes' },
  { q: 'leather boots' },
  { q: 'lumina' },
  { q: 'shoes', maxPrice: 100 },
  { q: 'jumper', brand: 'Knitters', category: 'clothing' },
  { q: '', category: 'tools' },
];

describe('both engines give the same top hits for a fixed query set', () => {
  const engines: SearchIndex[] = [];
  before(async () => {
    const url = await ensureOpenSearch();
    const opensearch = new OpenSearchIndex({ url, index: `${indexPrefix}-ranking` });
    dropped.push(opensearch);
    const embedded = new MiniSearchIndex(undefined);
    for (const index of [embedded, opensearch]) {
      await index.open();
      await index.apply(
        CORPUS.map((p, offset) => ({ gtin: p.gtin, product: p, partition: 0, offset })),
        new Map([[0, CORPUS.length]]),
      );
      engines.push(index);
    }
    await opensearch.refresh();
  });
  after(async () => {
    for (const index of engines) await index.close();
  });

  for (const query of QUERIES) {
    it(`"${query.q}"${Object.keys(query).length > 1 ? ` ${JSON.stringify({ ...query, q: undefined })}` : ''}`, async () => {
      const full: SearchQuery = { page: 1, size: 3, ...query };
      const [embedded, opensearch] = await Promise.all(engines.map((e) => e.search(full)));
      assert.ok(embedded && opensearch);
      const titles = (r: typeof embedded) => r.hits.map((h) => h.title);
      assert.ok(embedded.hits.length > 0, 'the query finds something');
      assert.deepEqual(titles(opensearch), titles(embedded), 'same top hits in the same order');
      assert.equal(opensearch.total, embedded.total, 'same number of matches');
      assert.deepEqual(opensearch.facets, embedded.facets, 'same facets');
    });
  }
});
