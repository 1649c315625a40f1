/**
 * The catalog's read side in the API process: the view app (products, rejects), the search index chosen by
 * configuration, the sink that keeps it up to date, and the feed writer. The pipeline itself is a background
 * service (`catalog-pipeline` in services/registry.ts) like the shop's others.
 */
import { join } from 'node:path';
import type { KafkaStreams } from '@tributary/streams';
import type { ServiceRuntime } from '../services/service-runtime.js';
import type { SearchConfig } from './catalog-config.js';
import type { CatalogProduct, CatalogReject, Supplier } from './catalog-schemas.js';
import { ensureCatalogTopics } from './catalog-topics.js';
import { CatalogView, createCatalogView } from './catalog-view.js';
import { FeedWriter, type FeedEntry } from './feed-writer.js';
import { MiniSearchIndex } from './search/minisearch-index.js';
import { OpenSearchIndex } from './search/opensearch-index.js';
import type { SearchEngine, SearchIndex, SearchQuery, SearchResult } from './search/search-index.js';
import { SearchSink } from './search/search-sink.js';

/** What the catalog's HTTP routes need. */
export interface CatalogApi {
  readonly engine: SearchEngine;
  search(query: SearchQuery): Promise<SearchResult>;
  product(gtin: string): CatalogProduct | null;
  rejects(sku: string): CatalogReject[];
  appendFeed(supplier: Supplier, entries: ReadonlyArray<FeedEntry>): Promise<void>;
}

export interface RunningCatalog {
  readonly api: CatalogApi;
  readonly sink: SearchSink;
  close(): Promise<void>;
}

export function createSearchIndex(config: SearchConfig, runtime: Pick<ServiceRuntime, 'stateDir' | 'logger'>): SearchIndex {
  return config.engine === 'opensearch'
    ? new OpenSearchIndex({ url: config.url, index: config.index })
    : new MiniSearchIndex(join(runtime.stateDir, 'catalog-search', 'minisearch-snapshot.jsonl'), runtime.logger);
}

/**
 * Starts the catalog's read side. The view app runs under the caller's supervisor (`supervise`), which also closes
 * it; the search sink and the feed writer are closed by `close()`.
 */
export async function startCatalog(
  runtime: ServiceRuntime,
  config: SearchConfig,
  supervise: (name: string, create: () => KafkaStreams) => Promise<{ readonly app: KafkaStreams; waitForRunning(timeoutMs?: number): Promise<void> }>,
): Promise<RunningCatalog> {
  await ensureCatalogTopics(runtime.backend);
  const viewApp = await supervise('catalog-view', () => createCatalogView(runtime));
  await viewApp.waitForRunning();
  const view = new CatalogView(viewApp);
  let sink: SearchSink | undefined;
  let writer: FeedWriter | undefined;
  try {
    const index = createSearchIndex(config, runtime);
    sink = new SearchSink(runtime.backend, index, runtime.logger);
    await sink.start();
    writer = new FeedWriter(await runtime.backend.createProducer({ clientId: 'catalog-feeds-api' }));
  } catch (error) {
    await sink?.close().catch(() => undefined);
    throw error;
  }
  const feeds = writer;
  const running = sink;
  return {
    sink: running,
    api: {
      engine: config.engine,
      search: (query) => running.search(query),
      product: (gtin) => view.product(gtin),
      rejects: (sku) => view.rejects(sku),
      appendFeed: (supplier, entries) => feeds.append(supplier, entries),
    },
    close: async () => {
      await running.close().catch((error: unknown) => runtime.logger.warn({ err: String(error) }, 'closing the search sink failed'));
      await feeds.close().catch(() => undefined);
    },
  };
}
