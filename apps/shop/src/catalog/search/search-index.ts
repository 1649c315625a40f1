/**
 * The search port: what the sink writes to and the HTTP API reads from. Two engines implement it — the embedded
 * MiniSearch index (`npm start`'s default) and OpenSearch — chosen by configuration (`SEARCH_ENGINE`).
 *
 * An index remembers which part of `catalog-products` it covers (the next offset per partition), so a restart
 * continues from there instead of re-reading the topic. Every change carries its record's offset: a GTIN always
 * lives in one partition, so offsets order its versions, and replaying a change the index already covers never
 * regresses a document.
 */
import type { CatalogProduct, Money } from '../catalog-schemas.js';

/** One `catalog-products` record: a product version, or its tombstone (`product: null`). */
export interface ProductChange {
  readonly gtin: string;
  readonly product: CatalogProduct | null;
  readonly partition: number;
  readonly offset: number;
}

/** Next offset to read, per partition of `catalog-products`. */
export type IndexPositions = ReadonlyMap<number, number>;

export interface SearchQuery {
  /** Full text over title, brand and category, typo tolerant; empty: every product, ordered by GTIN. */
  readonly q: string;
  /** Exact brand (a facet value). */
  readonly brand?: string | undefined;
  /** Exact category (a facet value). */
  readonly category?: string | undefined;
  /** Inclusive bounds on `price.amount` (EUR). */
  readonly minPrice?: number | undefined;
  readonly maxPrice?: number | undefined;
  /** 1-based. */
  readonly page: number;
  readonly size: number;
}

export interface SearchHit {
  readonly gtin: string;
  readonly title: string;
  readonly brand: string | null;
  readonly price: Money;
  readonly score: number;
}

export interface SearchResult {
  readonly total: number;
  readonly hits: ReadonlyArray<SearchHit>;
  /** Counts over every match of the query and filters (not only the page), by facet value. */
  readonly facets: { readonly brand: Readonly<Record<string, number>>; readonly category: Readonly<Record<string, number>> };
}

export type SearchEngine = 'embedded' | 'opensearch';

export interface SearchIndex {
  readonly engine: SearchEngine;
  /** Prepares the index (creates it, or loads its snapshot) and resolves with the positions it covers. */
  open(): Promise<IndexPositions>;
  /** Applies `changes` in order; the index then covers `positions`. Re-applying changes it already has is harmless. */
  apply(changes: ReadonlyArray<ProductChange>, positions: IndexPositions): Promise<void>;
  search(query: SearchQuery): Promise<SearchResult>;
  /** Persists what must survive a restart and releases resources. */
  close(): Promise<void>;
}

/**
 * Typo tolerance shared by both engines: OpenSearch's `fuzziness: AUTO` — no edits for terms of 1–2 characters,
 * one for 3–5, two for longer ones.
 */
export function autoFuzziness(term: string): number {
  return term.length <= 2 ? 0 : term.length <= 5 ? 1 : 2;
}

/** Field weights shared by both engines: a match in the title counts most. */
export const FIELD_BOOSTS = { title: 3, brand: 1.5, category: 1 } as const;
