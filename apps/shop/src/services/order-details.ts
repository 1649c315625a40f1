/**
 * order-details: checks each CREATED order on its own merits (quantity, price, product) and writes one
 * ORDER_DETAILS_CHECK validation per order.
 */
import { StreamsBuilder, type KafkaStreams, type Topology } from '@tributary/streams';
import { APP_IDS } from '../app-ids.js';
import { PRODUCTS, type Order, type OrderValidation } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import { createService, type ServiceRuntime } from './service-runtime.js';

const KNOWN_PRODUCTS: ReadonlySet<string> = new Set(PRODUCTS);

/** Why the order fails its details check, or undefined when it passes. */
export function orderDetailsProblem(order: Order): string | undefined {
  if (!(order.quantity > 0)) return `quantity must be greater than 0 (got ${order.quantity})`;
  if (!(order.price >= 0)) return `price must not be negative (got ${order.price})`;
  if (!KNOWN_PRODUCTS.has(order.product)) return `unknown product ${JSON.stringify(order.product)}`;
  return undefined;
}

export function orderDetailsTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream<string, Order>(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order })
    // Validators only ever judge new orders: the aggregator's VALIDATED/FAILED writes must not loop back.
    .filter((_id, order) => order?.state === 'CREATED')
    .mapValues((order): OrderValidation => {
      const problem = orderDetailsProblem(order);
      return problem === undefined
        ? { orderId: order.id, checkType: 'ORDER_DETAILS_CHECK', validationResult: 'PASS' }
        : { orderId: order.id, checkType: 'ORDER_DETAILS_CHECK', validationResult: 'FAIL', reason: problem };
    })
    .to(TOPICS.orderValidations, { keySerde: serdes.key, valueSerde: serdes.validation });
  return builder.build();
}

export function createOrderDetails(runtime: ServiceRuntime): KafkaStreams {
  return createService(orderDetailsTopology(), APP_IDS.orderDetails, runtime);
}
