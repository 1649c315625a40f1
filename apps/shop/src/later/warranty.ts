/**
 * warranty: a service deployed after orders exist (Washington & Salonen's "new features … by deploying new services
 * that consume existing data streams"). It reads `orders` and `catalog-products` from the beginning — the catalog
 * as a global table, restored in full before any order is processed — and writes one `warranty-offers` record per
 * VALIDATED order of an eligible product, then keeps up live. No producer changes.
 *
 * Exactly once: the offers already made live in a changelogged store (`warranty-offers`, order id → offer) updated in
 * the same exactly_once_v2 transaction as the offer record and the consumed offsets, so neither a crash, a restart on
 * another machine nor a replayed VALIDATED record can make a second offer. The store is also what
 * `GET /v1/warranty-offers/{orderId}` reads.
 */
import {
  Serdes,
  Stores,
  StreamsBuilder,
  type KafkaStreams,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type StreamRecord,
  type Topology,
} from '@tributary/streams';
import type { CatalogProduct } from '../catalog/catalog-schemas.js';
import { CATALOG_TOPICS, catalogSerdes } from '../catalog/catalog-topics.js';
import type { Order } from '../schemas.js';
import { createService, type ServiceRuntime } from '../services/service-runtime.js';
import { serdes, TOPICS } from '../topics.js';
import { LATER_APP_IDS } from './later-app-ids.js';
import { WarrantyOfferSchema, type WarrantyOffer } from './later-schemas.js';
import { LATER_TOPICS, laterSerdes } from './later-topics.js';

export const WARRANTY_OFFERS_STORE = 'warranty-offers';
export const WARRANTY_CATALOG_STORE = 'warranty-catalog';
export const ELIGIBLE_CATEGORY = 'electronics';
export const MIN_ELIGIBLE_PRICE_EUR = 100;
/** The extension costs this share of the product's catalog price, per unit ordered. */
export const WARRANTY_PRICE_SHARE = 0.1;

/**
 * The offer for `order` of `product`, or null when the product is not eligible: category `electronics` and a catalog
 * price of at least 100 EUR. Three years for products of 1000 EUR and more, else two.
 */
export function warrantyOffer(order: Order, product: CatalogProduct): WarrantyOffer | null {
  const price = product.price.amount;
  if (product.category !== ELIGIBLE_CATEGORY || !(price >= MIN_ELIGIBLE_PRICE_EUR)) return null;
  // Rounded to cents, computed in cents so 0.1 * 129.99 does not drift.
  const cents = Math.round(price * 100 * WARRANTY_PRICE_SHARE) * order.quantity;
  return { orderId: order.id, gtin: product.gtin, years: price >= 1000 ? 3 : 2, price: cents / 100 };
}

interface ValidatedOrder {
  readonly order: Order;
  readonly product: CatalogProduct;
}

/** Makes each order's offer once: a second VALIDATED record of an order (a replay) finds the first in the store. */
class OfferOnce implements Processor<string, ValidatedOrder, string, WarrantyOffer> {
  private context!: ProcessorContext<string, WarrantyOffer>;
  private offers!: KeyValueStore<string, WarrantyOffer>;

  init(context: ProcessorContext<string, WarrantyOffer>): void {
    this.context = context;
    this.offers = context.getStateStore<KeyValueStore<string, WarrantyOffer>>(WARRANTY_OFFERS_STORE);
  }

  process(record: StreamRecord<string, ValidatedOrder>): void {
    const { order, product } = record.value;
    if (this.offers.get(order.id) !== null) return;
    const offer = warrantyOffer(order, product);
    if (offer === null) return;
    this.offers.put(order.id, offer);
    this.context.forward({ key: order.id, value: offer, timestamp: record.timestamp, headers: {} });
  }
}

export function warrantyTopology(): Topology {
  const builder = new StreamsBuilder();
  builder.addStateStore(
    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WARRANTY_OFFERS_STORE), Serdes.string(), Serdes.json<WarrantyOffer>(WarrantyOfferSchema)),
  );
  const catalog = builder.globalTable<string, CatalogProduct>(CATALOG_TOPICS.products, {
    keySerde: catalogSerdes.key,
    valueSerde: catalogSerdes.product,
    storeName: WARRANTY_CATALOG_STORE,
  });
  builder
    .stream<string, Order>(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order })
    .filter((_id, order) => order?.state === 'VALIDATED')
    // An order of a product the catalog does not know (one of the shop's own) gets no offer.
    .join(
      catalog,
      (_id, order) => order.product,
      (order, product): ValidatedOrder => ({ order, product }),
    )
    .process(() => new OfferOnce(), WARRANTY_OFFERS_STORE)
    .to(LATER_TOPICS.warrantyOffers, { keySerde: laterSerdes.key, valueSerde: laterSerdes.offer });
  return builder.build();
}

/** Not started: the shop supervises it (`services/run.js warranty` runs it alone). */
export function createWarranty(runtime: ServiceRuntime, applicationId: string = LATER_APP_IDS.warranty): KafkaStreams {
  return createService(warrantyTopology(), applicationId, runtime, { processingGuarantee: 'exactly_once_v2' });
}
