/**
 * The catalog's benchmark rows, as a child program of bench/run.mjs (or on its own):
 *
 *   node bench/lib/catalog-bench.mjs [--products 100000] [--seconds 20] [--rate 50] [--work DIR] [--no-opensearch]
 *
 * 1. Pipeline: N supplier records (60 % acme, 40 % globex, half of globex's on acme's GTINs, so dedupe
 *    merges) pre-loaded into the feed topics of a durable embedded log, then the catalog-pipeline app started; the
 *    rate is N over the time from start until N product versions are in `catalog-products`.
 * 2. Search: N products loaded into each engine through the SearchIndex port (the sink's path), then a fixed set of
 *    queries (words, typos, filters, facets) issued at a fixed rate for S seconds; latency per query at the port
 *    (for OpenSearch that includes the HTTP round trip), p50/p95/p99. OpenSearch is started by tools/search/search.sh
 *    on its own port with its data in the work folder, and stopped afterwards.
 * Prints one JSON line `CATALOG_RESULT {...}` at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createEmbeddedBackend } from '../../packages/streams/dist/index.js';
import { startCatalogPipeline } from '../../apps/shop/dist/catalog/catalog-pipeline.js';
import { CATALOG_TOPICS, catalogSerdes, ensureCatalogTopics } from '../../apps/shop/dist/catalog/catalog-topics.js';
import { gtinCheckDigit } from '../../apps/shop/dist/catalog/gtin.js';
import { MiniSearchIndex } from '../../apps/shop/dist/catalog/search/minisearch-index.js';
import { OpenSearchIndex } from '../../apps/shop/dist/catalog/search/opensearch-index.js';
import { ensureTopics } from '../../apps/shop/dist/topics.js';
import { percentiles } from './stats.mjs';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

function parseArgs(argv) {
  const o = { products: 100_000, seconds: 20, rate: 50, work: join(root, 'bench', 'work', 'catalog'), opensearch: true, port: 19450 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--products') o.products = Number(next());
    else if (a === '--seconds') o.seconds = Number(next());
    else if (a === '--rate') o.rate = Number(next());
    else if (a === '--work') o.work = next();
    else if (a === '--port') o.port = Number(next());
    else if (a === '--no-opensearch') o.opensearch = false;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** A small deterministic PRNG (mulberry32): the same corpus and queries on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ADJECTIVES = ['red', 'blue', 'green', 'black', 'white', 'compact', 'deluxe', 'classic', 'portable', 'cordless', 'heavy', 'light', 'smart', 'vintage', 'modern', 'silent', 'wireless', 'waterproof', 'organic', 'premium'];
const MATERIALS = ['copper', 'steel', 'wool', 'cotton', 'leather', 'bamboo', 'oak', 'glass', 'ceramic', 'carbon', 'silk', 'aluminium', 'plastic', 'linen', 'granite'];
const NOUNS = ['kettle', 'jumper', 'lamp', 'drill', 'shoes', 'boots', 'chair', 'table', 'mug', 'socks', 'backpack', 'headphones', 'speaker', 'blender', 'toaster', 'jacket', 'scarf', 'hammer', 'saw', 'clock', 'mirror', 'pillow', 'blanket', 'bottle', 'knife'];
const CATEGORIES = ['kitchen', 'clothing', 'lighting', 'tools', 'shoes', 'furniture', 'electronics', 'home', 'outdoor', 'bags', 'garden', 'sports'];
const BRANDS = Array.from({ length: 40 }, (_, i) => `Brand${String.fromCharCode(65 + (i % 26))}${i}`);

const gtinOf = (n) => {
  const body = `4${String(n).padStart(11, '0')}`;
  return body + String(gtinCheckDigit(body));
};

function describe(random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  return { title: `${pick(ADJECTIVES)} ${pick(MATERIALS)} ${pick(NOUNS)}`, brand: pick(BRANDS), category: pick(CATEGORIES), price: Math.round(random() * 50_000) / 100 + 1 };
}

/** The feed records: acme's for GTINs 0..0.6N, globex's for 0.4N..N (overlapping acme's last third). */
function feedRecords(n) {
  const random = rng(42);
  const acme = Math.round(n * 0.6);
  const out = [];
  for (let i = 0; i < acme; i++) {
    const d = describe(random);
    out.push({ supplier: 'acme', sku: `A-${i}`, record: { sku: `A-${i}`, gtin: gtinOf(i), title: d.title, brand: d.brand, category: d.category, widthCm: 10 + (i % 50), weightKg: 0.5, priceEurCents: Math.round(d.price * 100), attributes: { colour: 'red' } } });
  }
  for (let j = 0; j < n - acme; j++) {
    const g = Math.round(n * 0.4) + j;
    const d = describe(random);
    out.push({ supplier: 'globex', sku: `G-${j}`, record: { sku: `G-${j}`, ean: gtinOf(g), name: d.title, maker: d.brand, dept: d.category, widthIn: 4, weightLb: 1.5, priceUsd: d.price, specs: { colour: 'blue' } } });
  }
  return out;
}

function corpus(n) {
  const random = rng(7);
  return Array.from({ length: n }, (_, i) => {
    const d = describe(random);
    return { gtin: gtinOf(i), title: d.title, brand: d.brand, category: d.category, widthCm: null, weightKg: null, price: { amount: d.price, currency: 'EUR' }, sources: [], available: 0, attributes: {} };
  });
}

const QUERIES = [
  { q: 'copper kettle' },
  { q: 'wool jumpr' },
  { q: 'cordless drill' },
  { q: 'runing shoes' },
  { q: 'leather boots', maxPrice: 200 },
  { q: 'lamp', category: 'lighting' },
  { q: 'smart speaker', brand: BRANDS[3] },
  { q: 'bamboo', minPrice: 50, maxPrice: 150 },
  { q: 'vintage clock' },
  { q: 'headphnes' },
  { q: '', category: 'kitchen' },
  { q: 'waterproof jacket' },
];

async function pipelineRun(o) {
  const dir = join(o.work, 'pipeline');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const backend = await createEmbeddedBackend({ dataDir: join(dir, 'log') });
  try {
    await ensureTopics(backend);
    await ensureCatalogTopics(backend);
    const records = feedRecords(o.products);
    const producer = await backend.createProducer({ clientId: 'bench-feeds' });
    for (const { supplier, sku, record } of records) {
      const topic = CATALOG_TOPICS.feeds[supplier];
      producer.send({ topic, key: catalogSerdes.key.serialize(topic, sku), value: catalogSerdes.feed.serialize(topic, record) });
    }
    await producer.flush();
    await producer.close();
    const consumer = await backend.createConsumer({ clientId: 'bench-watch', isolationLevel: 'read_uncommitted', autoOffsetReset: 'earliest' });
    const partitions = [0, 1, 2, 3].map((partition) => ({ topic: CATALOG_TOPICS.products, partition }));
    const produced = async () => (await consumer.endOffsets(partitions)).reduce((sum, p) => sum + p.offset, 0);
    const started = Date.now();
    const app = await startCatalogPipeline({ backend, stateDir: join(dir, 'state'), logger: quiet });
    const deadline = started + 90_000 + o.products;
    let count = 0;
    while ((count = await produced()) < o.products && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const ms = Date.now() - started;
    await app.close();
    await consumer.close();
    return { records: o.products, outputs: count, ms, recordsPerSec: (count / ms) * 1000, status: count >= o.products ? 'ok' : 'timeout', rssMiB: process.memoryUsage().rss / 2 ** 20 };
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function searchRun(engine, index, o, products, afterLoad) {
  await index.open();
  const loadStart = Date.now();
  for (let i = 0; i < products.length; i += 1000) {
    const batch = products.slice(i, i + 1000).map((p, k) => ({ gtin: p.gtin, product: p, partition: 0, offset: i + k }));
    await index.apply(batch, new Map([[0, i + batch.length]]));
  }
  await afterLoad?.();
  const loadMs = Date.now() - loadStart;
  // A warm-up round, not measured: first queries pay for lazy structures (and the JIT) on both engines.
  for (const q of QUERIES) await index.search({ page: 1, size: 10, ...q });
  // Service time: each query alone, one after the other (what a query costs without queueing).
  const alone = [];
  for (let round = 0; round < 3; round++) {
    for (const q of QUERIES) {
      const t = performance.now();
      await index.search({ page: 1, size: 10, ...q });
      alone.push(performance.now() - t);
    }
  }
  const service = percentiles(alone);
  const total = Math.round(o.seconds * o.rate);
  const samples = [];
  const pending = [];
  const begin = performance.now();
  for (let i = 0; i < total; i++) {
    const due = begin + (i * 1000) / o.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const query = { page: 1, size: 10, ...QUERIES[i % QUERIES.length] };
    // Latency from the query's scheduled time, so a slow engine's queueing shows (no coordinated omission).
    pending.push(index.search(query).then((r) => samples.push({ ms: performance.now() - due, total: r.total })));
  }
  await Promise.all(pending);
  await index.close();
  const p = percentiles(samples.map((s) => s.ms));
  return { engine, products: products.length, queries: samples.length, rate: o.rate, loadMs, serviceP50: service.p50, serviceP95: service.p95, p50: p.p50, p95: p.p95, p99: p.p99, max: p.max, status: 'ok' };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(o.work, { recursive: true });
  const result = { pipeline: undefined, search: [] };
  result.pipeline = await pipelineRun(o);
  console.error(`[catalog] pipeline: ${Math.round(result.pipeline.recordsPerSec)} rec/s (${result.pipeline.outputs} products in ${result.pipeline.ms} ms)`);
  const products = corpus(o.products);
  result.search.push(await searchRun('embedded (MiniSearch)', new MiniSearchIndex(undefined), o, products));
  console.error(`[catalog] embedded search: alone p50 ${result.search[0].serviceP50} ms; at ${o.rate}/s p50 ${result.search[0].p50} ms p95 ${result.search[0].p95} ms`);
  if (o.opensearch) {
    const env = { ...process.env, SEARCH_PORT: String(o.port), SEARCH_DATA_DIR: join(o.work, `opensearch-${o.port}`) };
    rmSync(env.SEARCH_DATA_DIR, { recursive: true, force: true });
    const started = spawnSync('bash', [join(root, 'tools/search/search.sh'), 'start'], { env, stdio: ['ignore', 2, 2] });
    if (started.status !== 0) {
      result.search.push({ engine: 'OpenSearch', status: 'not available', detail: 'tools/search/search.sh start failed' });
    } else {
      try {
        const index = new OpenSearchIndex({ url: `http://127.0.0.1:${o.port}`, index: 'bench-catalog' });
        await index.drop();
        result.search.push(await searchRun('OpenSearch 2.19.6', index, o, products, () => index.refresh()));
        console.error(`[catalog] OpenSearch search: alone p50 ${result.search[1].serviceP50} ms; at ${o.rate}/s p50 ${result.search[1].p50} ms p95 ${result.search[1].p95} ms`);
      } finally {
        spawnSync('bash', [join(root, 'tools/search/search.sh'), 'stop'], { env, stdio: ['ignore', 2, 2] });
      }
    }
  }
  console.log(`CATALOG_RESULT ${JSON.stringify(result)}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
