/**
 * Deduplication across feeds: the offers of every supplier sku for one GTIN become one product, one rule per field.
 *
 * | field | rule |
 * |---|---|
 * | title | supplier priority (acme, then globex); within a supplier the freshest offer |
 * | brand, category, widthCm, weightKg | supplier priority, skipping offers that lack the field |
 * | attributes | union; on a shared key the higher-priority supplier wins |
 * | price | freshest offer (latest feed record), ties by supplier priority: prices move, descriptions do not |
 * | sources | every offer, in priority order |
 *
 * acme ranks first because its feed is the richer one and is metric and in euros already, so its values carry no
 * conversion rounding.
 */
import type { Attributes, CatalogProduct, Offer, Supplier } from './catalog-schemas.js';

export const SUPPLIER_PRIORITY: ReadonlyArray<Supplier> = ['acme', 'globex'];

export interface TimedOffer {
  readonly offer: Offer;
  /** Timestamp of the feed record the offer came from (epoch ms). */
  readonly at: number;
}

/** Priority order: supplier rank, then the freshest first (then sku, so the order never depends on arrival). */
function byPriority(a: TimedOffer, b: TimedOffer): number {
  const rank = SUPPLIER_PRIORITY.indexOf(a.offer.supplier) - SUPPLIER_PRIORITY.indexOf(b.offer.supplier);
  if (rank !== 0) return rank;
  if (a.at !== b.at) return b.at - a.at;
  return a.offer.sku < b.offer.sku ? -1 : a.offer.sku > b.offer.sku ? 1 : 0;
}

/** The merged product of `offers` with `available` units, or null when no offer is left. */
export function mergeOffers(gtin: string, offers: ReadonlyArray<TimedOffer>, available: number): CatalogProduct | null {
  const ordered = [...offers].sort(byPriority);
  const first = ordered[0];
  if (first === undefined) return null;
  const pick = <F extends 'brand' | 'category' | 'widthCm' | 'weightKg'>(field: F): Offer[F] | null => {
    for (const { offer } of ordered) if (offer[field] !== null) return offer[field];
    return null;
  };
  let freshest = first;
  for (const candidate of ordered) if (candidate.at > freshest.at) freshest = candidate;
  const attributes: Record<string, Attributes[string]> = {};
  for (const { offer } of [...ordered].reverse()) Object.assign(attributes, offer.attributes);
  return {
    gtin,
    title: first.offer.title,
    brand: pick('brand'),
    category: pick('category'),
    widthCm: pick('widthCm'),
    weightKg: pick('weightKg'),
    price: freshest.offer.price,
    sources: ordered.map(({ offer }) => ({ supplier: offer.supplier, sku: offer.sku })),
    available,
    attributes,
  };
}
