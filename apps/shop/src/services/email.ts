/**
 * email: each new order meets the payments made for it within a minute (payments re-keyed by order id), then its
 * customer (a global table, looked up by `order.customerId`): one email per (order, payment), sent through a
 * pluggable sender. Independently, every new order joined with its customer is written as `OrderEnriched` to
 * `orders-enriched` and to the topic named by the customer's level.
 */
import { JoinWindows, StreamsBuilder, type KafkaStreams, type Topology } from '@tributary/streams';
import { APP_IDS } from '../app-ids.js';
import { composeEmail, logEmailSender, type EmailSender } from '../email/email-sender.js';
import type { Customer, Order, OrderEnriched, Payment } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import { createService, type ServiceRuntime } from './service-runtime.js';

export const PAYMENT_WINDOW_MS = 60_000;
/** Tolerates payments and orders arriving a little out of order across partitions. */
export const PAYMENT_GRACE_MS = 60_000;

interface OrderPayment {
  readonly order: Order;
  readonly payment: Payment;
}

export function emailTopology(sender: EmailSender): Topology {
  const builder = new StreamsBuilder();
  const customers = builder.globalTable<string, Customer>(TOPICS.customers, {
    keySerde: serdes.customerKey,
    valueSerde: serdes.customer,
    storeName: 'customers-store',
  });
  // Only the CREATED version: VALIDATED/FAILED versions of the same order would mail the customer again.
  const orders = builder
    .stream<string, Order>(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order })
    .filter((_id, order) => order?.state === 'CREATED');
  const payments = builder
    .stream<string, Payment>(TOPICS.payments, { keySerde: serdes.key, valueSerde: serdes.payment })
    .filter((_id, payment) => payment !== null)
    .selectKey((_id, payment) => payment.orderId);

  orders
    .join(payments, (order, payment): OrderPayment => ({ order, payment }), JoinWindows.ofTimeDifferenceAndGrace(PAYMENT_WINDOW_MS, PAYMENT_GRACE_MS), {
      keySerde: serdes.key,
      valueSerde: serdes.order,
      otherValueSerde: serdes.payment,
      name: 'orders-payments',
      storeName: 'orders-payments',
    })
    .join(
      customers,
      (_id, { order }) => String(order.customerId),
      ({ order, payment }, customer) => composeEmail(order, payment, customer),
    )
    .foreach((_id, email) => sender.send(email));

  const enriched = orders.join(
    customers,
    (_id, order) => String(order.customerId),
    (order, customer): OrderEnriched => ({ id: order.id, customerId: order.customerId, customerLevel: customer.level }),
  );
  enriched.to(TOPICS.ordersEnriched, { keySerde: serdes.key, valueSerde: serdes.enriched });
  enriched.to((_id, value) => value.customerLevel, { keySerde: serdes.key, valueSerde: serdes.enriched });
  return builder.build();
}

/** Sends through `runtime.emailSender`, or to the log when none is given. */
export function createEmail(runtime: ServiceRuntime): KafkaStreams {
  return createService(emailTopology(runtime.emailSender ?? logEmailSender(runtime.logger)), APP_IDS.email, runtime);
}
