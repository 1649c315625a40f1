/**
 * fraud: per customer, the total value (`quantity * price`) of orders in a session (activity separated by less
 * than an hour). Each CREATED order updates its customer's session and is judged by the session's running total
 * including itself: FAIL at 2000 or more, else PASS — one validation per order.
 */
import { Serdes, SessionWindows, StreamsBuilder, type KafkaStreams, type Topology } from '@tributary/streams';
import { z } from 'zod';
import { APP_IDS } from '../app-ids.js';
import { OrderSchema, type Order, type OrderValidation } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import { createService, type ServiceRuntime } from './service-runtime.js';

export const FRAUD_LIMIT = 2000;
export const FRAUD_SESSION_GAP_MS = 60 * 60_000;
/**
 * Orders reach a customer's task through a repartition topic, interleaved with other customers' orders, so one
 * may be a little older than the task's stream time. A session ending before stream time minus grace is closed:
 * without grace such an order would be dropped and never judged. Ten minutes absorbs any realistic skew.
 */
export const FRAUD_GRACE_MS = 10 * 60_000;
export const FRAUD_STORE = 'fraud-session-totals';

const OrderValueSchema = z.object({ order: OrderSchema.nullable(), total: z.number() });
type OrderValue = z.infer<typeof OrderValueSchema>;

/**
 * Never negative: an invalid order (order-details fails it) must not lower its customer's total for later ones.
 * Never more than the limit: a larger value fails all the same, and a product of two large numbers (another
 * producer than the API may write them) could be `Infinity`, which JSON cannot hold in the session store.
 */
export const orderValue = (order: Order): number => {
  const value = order.quantity * order.price;
  return Number.isNaN(value) ? 0 : Math.min(FRAUD_LIMIT, Math.max(0, value));
};

/** Totals saturate at the limit: the decision is the same, and a sum can never overflow whatever comes in. */
const addToTotal = (total: number, value: number): number => Math.min(FRAUD_LIMIT, total + value);

export function fraudTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream<string, Order>(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order })
    .filter((_id, order) => order?.state === 'CREATED')
    .groupBy((_id, order) => String(order.customerId), { keySerde: Serdes.string(), valueSerde: serdes.order, name: 'orders-by-customer' })
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(FRAUD_SESSION_GAP_MS, FRAUD_GRACE_MS))
    .aggregate<OrderValue>(
      () => ({ order: null, total: 0 }),
      (_customer, order, session) => ({ order, total: addToTotal(session.total, orderValue(order)) }),
      // The merged session is then updated with the order that bridged the gap, which becomes its `order`.
      (_customer, a, b) => ({ order: b.order ?? a.order, total: addToTotal(a.total, b.total) }),
      { storeName: FRAUD_STORE, keySerde: Serdes.string(), valueSerde: Serdes.json<OrderValue>(OrderValueSchema) },
    )
    .toStream()
    // Sessions merged away arrive as tombstones; only updates name the order that caused them.
    .filter((_session, value) => value !== null && value.order !== null)
    .map((_session, value): [string, OrderValidation] => {
      const order = value.order as Order;
      const validation: OrderValidation =
        value.total >= FRAUD_LIMIT
          ? {
              orderId: order.id,
              checkType: 'FRAUD_CHECK',
              validationResult: 'FAIL',
              reason: `customer ${order.customerId} reached the limit of ${FRAUD_LIMIT} within one session`,
            }
          : { orderId: order.id, checkType: 'FRAUD_CHECK', validationResult: 'PASS' };
      return [order.id, validation];
    })
    .to(TOPICS.orderValidations, { keySerde: serdes.key, valueSerde: serdes.validation });
  return builder.build();
}

export function createFraud(runtime: ServiceRuntime): KafkaStreams {
  // A replay after a crash must not count an order into its customer's total twice.
  return createService(fraudTopology(), APP_IDS.fraud, runtime, { processingGuarantee: 'exactly_once_v2' });
}
