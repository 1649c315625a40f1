/**
 * What the assembler receives per GTIN, from the cleaned feeds (re-keyed by GTIN) and from the inventory topics
 * (keyed by product, which for catalog products is the GTIN). One tagged union lets one processor own a product's
 * whole state, so each input changes it in one place and the output is computed from it alone.
 */
import type { Offer, Supplier } from './catalog-schemas.js';

export type CatalogEvent =
  /** A supplier's clean offer for this GTIN (replaces that supplier sku's earlier offer). */
  | { readonly type: 'offer'; readonly offer: Offer }
  /** The supplier's sku now names another GTIN: its offer for this one no longer holds. */
  | { readonly type: 'withdraw'; readonly supplier: Supplier; readonly sku: string }
  /** A record with `deleted: true` (or a feed tombstone): the product is removed everywhere. */
  | { readonly type: 'delete'; readonly supplier: Supplier; readonly sku: string }
  /** The warehouse's whole stock of the GTIN (`available + reserved` of its latest inventory event). */
  | { readonly type: 'stock'; readonly quantity: number | null }
  /** Units the inventory holds for open orders (from `inventory-events`). */
  | { readonly type: 'reserved'; readonly reserved: number };

/** What the feed cleaner emits: a reject for `catalog-rejects`, or an event for the assembler keyed by GTIN. */
export type CleanerOutput =
  | { readonly kind: 'reject'; readonly reject: Readonly<Record<string, unknown>> & { readonly reason: string } }
  | { readonly kind: 'event'; readonly gtin: string; readonly event: CatalogEvent };
