/**
 * order-insights: two queryable views over existing streams, after Häggström's demo services, deployed without any
 * producer change (their stores are read through `GET /v1/stores/…`):
 *
 * - `customer-order-counts` (customer id → number of orders): the CREATED version of each order, grouped by
 *   customer (a re-key through a repartition topic) and counted;
 * - `orders-with-customers` (order id → `{ order, status, customer }`): the CREATED order joined with the customer
 *   from a global table of `customers` (a stream used as global state for lookups; the customer as the order found
 *   it), materialized as a table, and table-table joined with the order's latest version (the `orders` stream as a
 *   materialized table) for its status.
 *
 * Exactly once, so a restart never counts an order twice.
 */
import { Serdes, StreamsBuilder, type KafkaStreams, type Topology } from '@tributary/streams';
import type { Customer, Order } from '../schemas.js';
import { createService, type ServiceRuntime } from '../services/service-runtime.js';
import { serdes, TOPICS } from '../topics.js';
import { LATER_APP_IDS } from './later-app-ids.js';
import { OrderWithCustomerSchema, type OrderWithCustomer } from './later-schemas.js';

export const CUSTOMER_ORDER_COUNTS_STORE = 'customer-order-counts';
export const ORDERS_WITH_CUSTOMERS_STORE = 'orders-with-customers';
/** The latest version of each order (its status). */
export const LATEST_ORDERS_STORE = 'order-insights-latest-orders';
/** Each CREATED order with the customer it found. */
export const ORDERS_AT_CREATION_STORE = 'order-insights-orders-at-creation';
export const INSIGHTS_CUSTOMERS_STORE = 'order-insights-customers';

interface OrderAtCreation {
  readonly order: Order;
  readonly customer: Customer | null;
}

export function orderInsightsTopology(): Topology {
  const builder = new StreamsBuilder();
  const orders = builder.stream<string, Order>(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order });
  const created = orders.filter((_id, order) => order?.state === 'CREATED');

  created
    .groupBy((_id, order) => String(order.customerId), { keySerde: Serdes.string(), valueSerde: serdes.order, name: 'orders-by-customer' })
    .count({ storeName: CUSTOMER_ORDER_COUNTS_STORE, keySerde: Serdes.string(), valueSerde: Serdes.long() });

  const customers = builder.globalTable<string, Customer>(TOPICS.customers, {
    keySerde: serdes.customerKey,
    valueSerde: serdes.customer,
    storeName: INSIGHTS_CUSTOMERS_STORE,
  });
  const latest = orders.toTable({ storeName: LATEST_ORDERS_STORE, keySerde: serdes.key, valueSerde: serdes.order });
  created
    .leftJoin(
      customers,
      (_id, order) => String(order.customerId),
      (order, customer): OrderAtCreation => ({ order, customer: customer ?? null }),
    )
    .toTable({ storeName: ORDERS_AT_CREATION_STORE, keySerde: serdes.key, valueSerde: Serdes.json<OrderAtCreation>() })
    .join(
      latest,
      (atCreation, order): OrderWithCustomer => ({ order, status: order.state, customer: atCreation.customer }),
      { storeName: ORDERS_WITH_CUSTOMERS_STORE, keySerde: serdes.key, valueSerde: Serdes.json<OrderWithCustomer>(OrderWithCustomerSchema) },
    );
  return builder.build();
}

export function createOrderInsights(runtime: ServiceRuntime): KafkaStreams {
  return createService(orderInsightsTopology(), LATER_APP_IDS.orderInsights, runtime, { processingGuarantee: 'exactly_once_v2' });
}
