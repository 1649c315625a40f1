/**
 * order-details: checks each CREATED order on its own merits (quantity, price, product) and writes one
 * ORDER_DETAILS_CHECK validation per order. A product is one of the shop's three, or a catalog product named by its
 * GTIN (canonical form, as `catalog-products` keys it): the service replicates the catalog as a global table.
 */
import { StreamsBuilder, type KafkaStreams, type Topology } from '@tributary/streams';
import { APP_IDS } from '../app-ids.js';
import type { CatalogProduct } from '../catalog/catalog-schemas.js';
import { CATALOG_TOPICS, catalogSerdes } from '../catalog/catalog-topics.js';
import { PRODUCTS, type Order, type OrderValidation } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import { createService, type ServiceRuntime } from './service-runtime.js';

const KNOWN_PRODUCTS: ReadonlySet<string> = new Set(PRODUCTS);
/** order-details' copy of the catalog (every partition, on every instance). */
export const ORDER_DETAILS_CATALOG_STORE = 'order-details-catalog';

/**
 * Why the order fails its details check, or undefined when it passes. `catalogProduct` is the catalog's product
 * under the order's `product` (null when the catalog has none).
 */
export function orderDetailsProblem(order: Order, catalogProduct: CatalogProduct | null = null): string | undefined {
  if (!(order.quantity > 0)) return `quantity must be greater than 0 (got ${order.quantity})`;
  if (!(order.price >= 0)) return `price must not be negative (got ${order.price})`;
  if (!KNOWN_PRODUCTS.has(order.product) && catalogProduct === null) return `unknown product ${JSON.stringify(order.product)}`;
  return undefined;
}

export function orderDetailsTopology(): Topology {
  const builder = new StreamsBuilder();
  const catalog = builder.globalTable<string, CatalogProduct>(CATALOG_TOPICS.products, {
    keySerde: catalogSerdes.key,
    valueSerde: catalogSerdes.product,
    storeName: ORDER_DETAILS_CATALOG_STORE,
  });
  builder
    .stream<string, Order>(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order })
    // Validators only ever judge new orders: the aggregator's VALIDATED/FAILED writes must not loop back.
    .filter((_id, order) => order?.state === 'CREATED')
    .leftJoin(
      catalog,
      (_id, order) => order.product,
      (order, product): OrderValidation => {
        const problem = orderDetailsProblem(order, product);
        return problem === undefined
          ? { orderId: order.id, checkType: 'ORDER_DETAILS_CHECK', validationResult: 'PASS' }
          : { orderId: order.id, checkType: 'ORDER_DETAILS_CHECK', validationResult: 'FAIL', reason: problem };
      },
    )
    .to(TOPICS.orderValidations, { keySerde: serdes.key, valueSerde: serdes.validation });
  return builder.build();
}

export function createOrderDetails(runtime: ServiceRuntime): KafkaStreams {
  return createService(orderDetailsTopology(), APP_IDS.orderDetails, runtime);
}
