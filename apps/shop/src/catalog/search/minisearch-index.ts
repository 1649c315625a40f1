/**
 * The embedded search engine: a MiniSearch full-text index in the process, with a snapshot on disk (the serialized
 * index plus the positions it covers) written at most every few seconds and on close. A restart loads the snapshot
 * and the sink replays only what came after it. Like OpenSearch's external versions, the offset each GTIN was last
 * written at is kept, so a replayed or reordered older change never regresses a document.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import MiniSearch, { type Options, type SearchResult as MiniResult } from 'minisearch';
import type { Logger } from '@tributary/streams';
import type { CatalogProduct } from '../catalog-schemas.js';
import { autoFuzziness, FIELD_BOOSTS, type IndexPositions, type ProductChange, type SearchIndex, type SearchQuery, type SearchResult } from './search-index.js';

interface IndexedProduct {
  readonly gtin: string;
  readonly title: string;
  readonly brand: string;
  readonly category: string;
  readonly amount: number;
}

/**
 * First line of the snapshot file; the documents follow on the second line, the serialized index (as
 * MiniSearch.loadJSON reads it) on the third.
 */
interface SnapshotHeader {
  readonly format: 2;
  readonly positions: Record<string, number>;
  /** Offset of the last change applied per GTIN (deletions included). */
  readonly versions: Record<string, number>;
}

interface Snapshot {
  readonly header: SnapshotHeader;
  readonly docs: ReadonlyArray<IndexedProduct>;
  readonly index: string;
}

const OPTIONS: Options<IndexedProduct> = {
  idField: 'gtin',
  fields: ['title', 'brand', 'category'],
  // Nothing stored in MiniSearch: results copy stored fields per match, which doubled the cost of broad queries;
  // the documents live in `docs` instead.
  storeFields: [],
  searchOptions: {
    boost: { ...FIELD_BOOSTS },
    fuzzy: (term) => autoFuzziness(term),
    // Like a match query's default OR: more matching terms rank higher, any one is enough.
    combineWith: 'OR',
  },
};

const SNAPSHOT_EVERY_MS = 5_000;

export class MiniSearchIndex implements SearchIndex {
  readonly engine = 'embedded' as const;
  private index = new MiniSearch<IndexedProduct>(OPTIONS);
  private positions = new Map<number, number>();
  private versions = new Map<string, number>();
  /** Every live document's fields: an empty query scans these instead of materializing MiniSearch's wildcard. */
  private readonly docs = new Map<string, IndexedProduct>();
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  /** `snapshotPath` absent: memory only (tests, benchmarks). */
  constructor(
    private readonly snapshotPath: string | undefined,
    private readonly logger?: Logger,
  ) {}

  async open(): Promise<IndexPositions> {
    const snapshot = this.readSnapshot();
    if (snapshot !== undefined) {
      this.index = await MiniSearch.loadJSONAsync<IndexedProduct>(snapshot.index, OPTIONS);
      this.positions = new Map(Object.entries(snapshot.header.positions).map(([p, o]) => [Number(p), o]));
      this.versions = new Map(Object.entries(snapshot.header.versions));
      for (const doc of snapshot.docs) this.docs.set(doc.gtin, doc);
    }
    if (this.snapshotPath !== undefined) {
      this.timer = setInterval(() => this.snapshotIfDirty(), SNAPSHOT_EVERY_MS);
      this.timer.unref();
    }
    return new Map(this.positions);
  }

  apply(changes: ReadonlyArray<ProductChange>, positions: IndexPositions): Promise<void> {
    for (const change of changes) {
      const version = this.versions.get(change.gtin);
      if (version !== undefined && change.offset <= version) continue;
      this.versions.set(change.gtin, change.offset);
      if (this.index.has(change.gtin)) this.index.discard(change.gtin);
      this.docs.delete(change.gtin);
      if (change.product !== null) {
        const doc = toIndexed(change.product);
        this.index.add(doc);
        this.docs.set(doc.gtin, doc);
      }
    }
    for (const [partition, offset] of positions) this.positions.set(partition, offset);
    this.dirty = this.dirty || changes.length > 0 || positions.size > 0;
    return Promise.resolve();
  }

  search(query: SearchQuery): Promise<SearchResult> {
    const accept = (doc: IndexedProduct): boolean => {
      if (query.brand !== undefined && doc.brand !== query.brand) return false;
      if (query.category !== undefined && doc.category !== query.category) return false;
      if (query.minPrice !== undefined && doc.amount < query.minPrice) return false;
      if (query.maxPrice !== undefined && doc.amount > query.maxPrice) return false;
      return true;
    };
    const text = query.q.trim();
    let results: Array<{ readonly doc: IndexedProduct; readonly score: number }>;
    if (text === '') {
      // Every product scores alike (as OpenSearch's match_all): no need to ask the full-text index.
      results = [];
      for (const doc of this.docs.values()) if (accept(doc)) results.push({ doc, score: 1 });
    } else {
      results = this.index
        .search(text)
        .flatMap((r: MiniResult) => {
          const doc = this.docs.get(String(r.id));
          return doc !== undefined && accept(doc) ? [{ doc, score: r.score }] : [];
        });
    }
    // The same order as the OpenSearch engine: score, then GTIN.
    results.sort((a, b) => b.score - a.score || (a.doc.gtin < b.doc.gtin ? -1 : a.doc.gtin > b.doc.gtin ? 1 : 0));
    const brand: Record<string, number> = {};
    const category: Record<string, number> = {};
    for (const { doc } of results) {
      if (doc.brand !== '') brand[doc.brand] = (brand[doc.brand] ?? 0) + 1;
      if (doc.category !== '') category[doc.category] = (category[doc.category] ?? 0) + 1;
    }
    const from = (query.page - 1) * query.size;
    const hits = results.slice(from, from + query.size).map(({ doc, score }) => {
      return {
        gtin: doc.gtin,
        title: doc.title,
        brand: doc.brand === '' ? null : doc.brand,
        price: { amount: doc.amount, currency: 'EUR' as const },
        score,
      };
    });
    return Promise.resolve({ total: results.length, hits, facets: { brand, category } });
  }

  close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.snapshotIfDirty();
    return Promise.resolve();
  }

  /** Documents in the index (benchmarks, tests). */
  get size(): number {
    return this.index.documentCount;
  }

  private snapshotIfDirty(): void {
    if (!this.dirty || this.snapshotPath === undefined) return;
    const header: SnapshotHeader = { format: 2, positions: Object.fromEntries(this.positions), versions: Object.fromEntries(this.versions) };
    try {
      mkdirSync(dirname(this.snapshotPath), { recursive: true });
      // Write then rename: a crash mid-write leaves the previous snapshot, never half of one.
      const tmp = `${this.snapshotPath}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(header)}\n${JSON.stringify([...this.docs.values()])}\n${JSON.stringify(this.index)}`);
      renameSync(tmp, this.snapshotPath);
      this.dirty = false;
    } catch (error) {
      this.logger?.warn({ err: String(error), path: this.snapshotPath }, 'writing the search snapshot failed; will retry');
    }
  }

  private readSnapshot(): Snapshot | undefined {
    if (this.snapshotPath === undefined) return undefined;
    let text: string;
    try {
      text = readFileSync(this.snapshotPath, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const first = text.indexOf('\n');
      const second = text.indexOf('\n', first + 1);
      const header = JSON.parse(text.slice(0, first)) as SnapshotHeader;
      if (first > 0 && second > first && header.format === 2) {
        return { header, docs: JSON.parse(text.slice(first + 1, second)) as IndexedProduct[], index: text.slice(second + 1) };
      }
    } catch (error) {
      this.logger?.warn({ err: String(error), path: this.snapshotPath }, 'unreadable search snapshot; rebuilding from the topic');
    }
    return undefined;
  }
}

function toIndexed(product: CatalogProduct): IndexedProduct {
  return { gtin: product.gtin, title: product.title, brand: product.brand ?? '', category: product.category ?? '', amount: product.price.amount };
}
