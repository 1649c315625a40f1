/**
 * Dedupe and amend, per GTIN: keeps every supplier sku's latest offer and the GTIN's stock and reservations in one
 * changelogged store entry, and after each event writes the product that follows from it — or a tombstone when the
 * product is gone. Nothing is written when the product did not change (a stock update for a GTIN no supplier
 * offers, a repeated feed record), so the compacted topic and the search index see only real changes.
 */
import type { KeyValueStore, Processor, ProcessorContext, StreamRecord } from '@tributary/streams';
import type { CatalogEvent } from './catalog-events.js';
import type { CatalogProduct } from './catalog-schemas.js';
import { mergeOffers, type TimedOffer } from './merge-rules.js';

export const CATALOG_STATE_STORE = 'catalog-state';

export interface GtinState {
  /** By `supplier/sku`. */
  readonly offers: Readonly<Record<string, TimedOffer>>;
  /** The warehouse's stock; null without an inventory record. */
  readonly stock: number | null;
  readonly reserved: number;
  /** What was last written to `catalog-products` for this GTIN. */
  readonly last: CatalogProduct | null;
}

const EMPTY: GtinState = { offers: {}, stock: null, reserved: 0, last: null };

/** Units that can still be sold: stock not held by open orders, never negative. */
export function availableUnits(state: Pick<GtinState, 'stock' | 'reserved'>): number {
  return Math.max(0, (state.stock ?? 0) - state.reserved);
}

export function applyEvent(state: GtinState, event: CatalogEvent, timestamp: number): GtinState {
  switch (event.type) {
    case 'offer':
      return { ...state, offers: { ...state.offers, [`${event.offer.supplier}/${event.offer.sku}`]: { offer: event.offer, at: timestamp } } };
    case 'withdraw': {
      const { [`${event.supplier}/${event.sku}`]: _gone, ...rest } = state.offers;
      return { ...state, offers: rest };
    }
    case 'delete':
      // Removed everywhere: every supplier's offer goes, so only a new feed record brings the product back.
      return { ...state, offers: {} };
    case 'stock':
      return { ...state, stock: event.quantity };
    case 'reserved':
      return { ...state, reserved: event.reserved };
  }
}

export class CatalogAssembler implements Processor<string, CatalogEvent, string, CatalogProduct | null> {
  private context!: ProcessorContext<string, CatalogProduct | null>;
  private store!: KeyValueStore<string, GtinState>;

  init(context: ProcessorContext<string, CatalogProduct | null>): void {
    this.context = context;
    this.store = context.getStateStore<KeyValueStore<string, GtinState>>(CATALOG_STATE_STORE);
  }

  process(record: StreamRecord<string, CatalogEvent>): void {
    const gtin = record.key;
    if (record.value === null) return;
    const before = this.store.get(gtin) ?? EMPTY;
    const next = applyEvent(before, record.value, record.timestamp);
    const product = mergeOffers(gtin, Object.values(next.offers), availableUnits(next));
    const changed = JSON.stringify(product) !== JSON.stringify(before.last);
    const state: GtinState = { ...next, last: product };
    if (Object.keys(state.offers).length === 0 && state.stock === null && state.reserved === 0) this.store.delete(gtin);
    else this.store.put(gtin, state);
    if (changed) this.context.forward({ key: gtin, value: product, timestamp: record.timestamp, headers: {} });
  }
}
