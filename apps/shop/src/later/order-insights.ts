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
 * Exactly once, so a restart never counts an order twice. The three per-order tables keep an order only until it has
 * been settled (VALIDATED or FAILED) for the shop's retention horizon, like the orders view (see `retention.ts`):
 * `ExpireSettledOrders` remembers when each order settled and, past the horizon, sends a tombstone for it into the
 * tables' inputs, which deletes it from each of them and from their changelogs.
 */
import {
  Serdes,
  Stores,
  StreamsBuilder,
  type FixedKeyProcessor,
  type KafkaStreams,
  type KStream,
  type KeyValueStore,
  type ProcessorContext,
  type StreamRecord,
  type Topology,
} from '@tributary/streams';
import { z } from 'zod';
import type { Customer, Order } from '../schemas.js';
import { DEFAULT_SETTLED_RETENTION_MS, scheduleExpiry } from '../services/retention.js';
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
/**
 * Tombstones as a stream of the table's value type, to merge into its input. A null value is a tombstone everywhere
 * (as in Kafka); the DSL's value types leave that null implicit, as Kafka's Java generics do, hence the cast.
 */
function asTombstonesOf<V>(tombstones: KStream<string, null>): KStream<string, V> {
  return tombstones as unknown as KStream<string, V>;
}

/** When each order settled (null: not yet), for the expiry of the per-order tables. */
export const INSIGHTS_EXPIRY_STORE = 'order-insights-expiry';

const SettlementSchema = z.object({ settledAt: z.number().nullable() });
type Settlement = z.infer<typeof SettlementSchema>;

/**
 * Forwards nothing for the orders it reads; once an order has been settled for longer than `retentionMs` of stream
 * time, forwards a tombstone for its id (and forgets it). An order seen only as CREATED is never expired, as in the
 * orders view.
 */
class ExpireSettledOrders implements FixedKeyProcessor<string, Order, null> {
  private store!: KeyValueStore<string, Settlement>;

  constructor(private readonly retentionMs: number) {}

  init(context: ProcessorContext<string, null>): void {
    this.store = context.getStateStore<KeyValueStore<string, Settlement>>(INSIGHTS_EXPIRY_STORE);
    scheduleExpiry(context, this.store, (s) => s.settledAt ?? undefined, this.retentionMs, (key, streamTime) =>
      context.forward({ key, value: null, timestamp: streamTime, headers: {} }),
    );
  }

  process(record: StreamRecord<string, Order>): void {
    if (record.value === null) return;
    this.store.put(record.key, { settledAt: record.value.state === 'CREATED' ? null : record.timestamp });
  }
}

interface OrderAtCreation {
  readonly order: Order;
  readonly customer: Customer | null;
}

export function orderInsightsTopology(retentionMs = DEFAULT_SETTLED_RETENTION_MS): Topology {
  const builder = new StreamsBuilder();
  const orders = builder.stream<string, Order>(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order });
  const created = orders.filter((_id, order) => order?.state === 'CREATED');
  builder.addStateStore(
    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INSIGHTS_EXPIRY_STORE), Serdes.string(), Serdes.json<Settlement>(SettlementSchema)),
  );
  // Tombstones of orders settled longer ago than the horizon, merged into the inputs of both per-order tables.
  const expired = orders.processValues(() => new ExpireSettledOrders(retentionMs), INSIGHTS_EXPIRY_STORE);

  created
    .groupBy((_id, order) => String(order.customerId), { keySerde: Serdes.string(), valueSerde: serdes.order, name: 'orders-by-customer' })
    .count({ storeName: CUSTOMER_ORDER_COUNTS_STORE, keySerde: Serdes.string(), valueSerde: Serdes.long() });

  const customers = builder.globalTable<string, Customer>(TOPICS.customers, {
    keySerde: serdes.customerKey,
    valueSerde: serdes.customer,
    storeName: INSIGHTS_CUSTOMERS_STORE,
  });
  const latest = orders.merge(asTombstonesOf<Order>(expired)).toTable({ storeName: LATEST_ORDERS_STORE, keySerde: serdes.key, valueSerde: serdes.order });
  created
    .leftJoin(
      customers,
      (_id, order) => String(order.customerId),
      (order, customer): OrderAtCreation => ({ order, customer: customer ?? null }),
    )
    .merge(asTombstonesOf<OrderAtCreation>(expired))
    .toTable({ storeName: ORDERS_AT_CREATION_STORE, keySerde: serdes.key, valueSerde: Serdes.json<OrderAtCreation>() })
    .join(
      latest,
      (atCreation, order): OrderWithCustomer => ({ order, status: order.state, customer: atCreation.customer }),
      { storeName: ORDERS_WITH_CUSTOMERS_STORE, keySerde: serdes.key, valueSerde: Serdes.json<OrderWithCustomer>(OrderWithCustomerSchema) },
    );
  return builder.build();
}

export function createOrderInsights(runtime: ServiceRuntime): KafkaStreams {
  return createService(orderInsightsTopology(runtime.settledRetentionMs), LATER_APP_IDS.orderInsights, runtime, { processingGuarantee: 'exactly_once_v2' });
}
