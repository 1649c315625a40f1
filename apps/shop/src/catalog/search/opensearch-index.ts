/**
 * The OpenSearch engine (official client `@opensearch-project/opensearch`). Documents are written with external
 * versions — the record's offset in `catalog-products` — so a replayed or reordered change never regresses a
 * document: OpenSearch refuses a version not newer than the one it holds (a 409 the sink treats as "already
 * there"). Deletes carry versions too, so a late replay of an older version cannot resurrect a deleted product
 * (within `index.gc_deletes`, raised here to a day). The positions the index covers are a document of a small
 * companion index, written after each batch.
 *
 * The distribution the project runs (the integ-test zip) ships only the standard analyzers: no stemmers, no
 * edge n-grams. Titles, brands and categories are analyzed with `standard` (Unicode word breaks, lower case),
 * which is also how the embedded engine tokenizes; typo tolerance is `fuzziness: AUTO`.
 */
import { Client, type API } from '@opensearch-project/opensearch';
import type { CatalogProduct } from '../catalog-schemas.js';
import { FIELD_BOOSTS, type IndexPositions, type ProductChange, type SearchIndex, type SearchQuery, type SearchResult } from './search-index.js';

const POSITIONS_ID = 'positions';

export interface OpenSearchOptions {
  /** e.g. `http://127.0.0.1:19400`. */
  readonly url: string;
  /** The products index; its positions live in `<index>-positions`. */
  readonly index: string;
}

interface Bucket {
  readonly key: string;
  readonly doc_count: number;
}

interface SearchBody {
  readonly hits: {
    readonly total?: { readonly value: number } | number;
    readonly hits: ReadonlyArray<{ readonly _id: string; readonly _score?: number | null; readonly _source?: Partial<CatalogProduct> }>;
  };
  readonly aggregations?: Record<string, { readonly buckets?: ReadonlyArray<Bucket> }>;
}

interface BulkItem {
  readonly status: number;
  readonly result?: string;
  readonly error?: { readonly type?: string; readonly reason?: string };
}

export class OpenSearchIndex implements SearchIndex {
  readonly engine = 'opensearch' as const;
  private readonly client: Client;
  private readonly positionsIndex: string;
  /** What the positions doc holds. */
  private known: IndexPositions = new Map();

  constructor(private readonly options: OpenSearchOptions) {
    this.client = new Client({ node: options.url });
    this.positionsIndex = `${options.index}-positions`;
  }

  async open(): Promise<IndexPositions> {
    try {
      await this.client.ping();
    } catch (error) {
      throw new Error(
        `OpenSearch at ${this.options.url} does not answer (${error instanceof Error ? error.message : String(error)}); ` +
          'start one with `npm run search:start` or set OPENSEARCH_URL',
      );
    }
    await this.createIfMissing(this.options.index, {
      settings: {
        number_of_shards: 1,
        number_of_replicas: 0,
        // An explicit interval keeps the shard refreshing even when nobody searches (no search-idle), so a change
        // is searchable well within the 2 s the contract allows.
        refresh_interval: '250ms',
        'index.gc_deletes': '1d',
      },
      mappings: {
        // Sources and attributes stay in _source for reads but are not indexed.
        dynamic: false,
        properties: {
          gtin: { type: 'keyword' },
          title: { type: 'text', analyzer: 'standard' },
          brand: { type: 'keyword', fields: { text: { type: 'text', analyzer: 'standard' } } },
          category: { type: 'keyword', fields: { text: { type: 'text', analyzer: 'standard' } } },
          price: { properties: { amount: { type: 'double' }, currency: { type: 'keyword' } } },
          available: { type: 'integer' },
          widthCm: { type: 'float' },
          weightKg: { type: 'float' },
        },
      },
    });
    await this.createIfMissing(this.positionsIndex, {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: { dynamic: false, properties: {} },
    });
    try {
      const res = await this.client.get({ index: this.positionsIndex, id: POSITIONS_ID });
      const source = (res.body as { _source?: { positions?: Record<string, number> } })._source;
      this.known = new Map(Object.entries(source?.positions ?? {}).map(([p, o]) => [Number(p), o]));
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      this.known = new Map();
    }
    return new Map(this.known);
  }

  async apply(changes: ReadonlyArray<ProductChange>, positions: IndexPositions): Promise<void> {
    if (changes.length > 0) {
      const body: object[] = [];
      for (const c of changes) {
        const meta = { _index: this.options.index, _id: c.gtin, version: c.offset, version_type: 'external' };
        if (c.product === null) body.push({ delete: meta });
        else body.push({ index: meta }, c.product);
      }
      const res = await this.client.bulk({ body });
      const items = (res.body as { items: ReadonlyArray<Record<string, BulkItem>> }).items;
      for (const item of items) {
        const op = Object.values(item)[0];
        if (op === undefined || op.status < 300) continue;
        // 409: the index already holds this version or a newer one; 404: deleting what is not there.
        if (op.status === 409 || (op.status === 404 && op.result === 'not_found')) continue;
        throw new Error(`OpenSearch bulk item failed (${op.status}): ${op.error?.type ?? ''} ${op.error?.reason ?? ''}`);
      }
    }
    if (positions.size > 0) {
      // The positions doc holds every partition; a batch names only those it touched.
      const all = new Map(this.known);
      for (const [p, o] of positions) all.set(p, o);
      this.known = all;
      await this.client.index({ index: this.positionsIndex, id: POSITIONS_ID, body: { positions: Object.fromEntries(all) } });
    }
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const filter: object[] = [];
    if (query.brand !== undefined) filter.push({ term: { brand: query.brand } });
    if (query.category !== undefined) filter.push({ term: { category: query.category } });
    if (query.minPrice !== undefined || query.maxPrice !== undefined) {
      filter.push({ range: { 'price.amount': { ...(query.minPrice !== undefined ? { gte: query.minPrice } : {}), ...(query.maxPrice !== undefined ? { lte: query.maxPrice } : {}) } } });
    }
    const text = query.q.trim();
    const must =
      text === ''
        ? [{ match_all: {} }]
        : [
            {
              multi_match: {
                query: text,
                // most_fields sums the fields' scores, as the embedded engine does.
                type: 'most_fields',
                fields: [`title^${FIELD_BOOSTS.title}`, `brand.text^${FIELD_BOOSTS.brand}`, `category.text^${FIELD_BOOSTS.category}`],
                fuzziness: 'AUTO',
              },
            },
          ];
    const request = {
      index: this.options.index,
      // Cast below: the client's generated types lack `terms.field` in aggregations, which OpenSearch requires.
      body: {
        from: (query.page - 1) * query.size,
        size: query.size,
        track_total_hits: true,
        track_scores: true,
        query: { bool: { must, filter } },
        sort: [{ _score: { order: 'desc' } }, { gtin: { order: 'asc' } }],
        aggs: { brand: { terms: { field: 'brand', size: 100 } }, category: { terms: { field: 'category', size: 100 } } },
        _source: ['gtin', 'title', 'brand', 'price'],
      } as API.Search_RequestBody,
    };
    const res = await this.client.search(request);
    const body = res.body as unknown as SearchBody;
    const total = typeof body.hits.total === 'number' ? body.hits.total : (body.hits.total?.value ?? 0);
    const hits = body.hits.hits.map((h) => ({
      gtin: h._source?.gtin ?? h._id,
      title: h._source?.title ?? '',
      brand: h._source?.brand ?? null,
      price: h._source?.price ?? { amount: 0, currency: 'EUR' as const },
      score: h._score ?? 0,
    }));
    const facet = (name: string): Record<string, number> =>
      Object.fromEntries((body.aggregations?.[name]?.buckets ?? []).map((b) => [b.key, b.doc_count]));
    return { total, hits, facets: { brand: facet('brand'), category: facet('category') } };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Makes changes searchable now (tests and benchmarks; the sink relies on the refresh interval). */
  async refresh(): Promise<void> {
    await this.client.indices.refresh({ index: this.options.index });
  }

  /** Deletes both indices (tests start from nothing). */
  async drop(): Promise<void> {
    await this.client.indices.delete({ index: [this.options.index, this.positionsIndex], ignore_unavailable: true });
  }

  private async createIfMissing(index: string, body: object): Promise<void> {
    try {
      await this.client.indices.create({ index, body });
    } catch (error) {
      const type = (error as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;
      if (type !== 'resource_already_exists_exception') throw error;
    }
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { meta?: { statusCode?: number } }).meta?.statusCode;
}
