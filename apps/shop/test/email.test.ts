/**
 * The email service through the TopologyTestDriver: order x payment within a minute x customer → one email;
 * new orders x customer → OrderEnriched on `orders-enriched` and on the customer's level topic.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TopologyTestDriver } from '@tributary/streams/testing';
import type { Email } from '../src/email/email-sender.js';
import { emailTopology, PAYMENT_WINDOW_MS } from '../src/services/email.js';
import type { Customer, Order } from '../src/schemas.js';
import { serdes, TOPICS } from '../src/topics.js';

const T0 = 1_700_000_000_000;

function order(id: string, customerId: number, state: Order['state'] = 'CREATED'): Order {
  return { id, customerId, state, product: 'JUMPERS', quantity: 2, price: 10 };
}
function customer(id: number, level: Customer['level']): Customer {
  return { id, firstName: 'Ada', lastName: 'Lovelace', email: `c${id}@example.com`, address: 'London', level };
}

describe('email', () => {
  it('sends one email per order and payment within a minute, and routes enriched orders by customer level', () => {
    const sent: Email[] = [];
    const driver = new TopologyTestDriver(emailTopology({ send: (e) => sent.push(e) }), { applicationId: 'email-test' }, T0);
    try {
      const customers = driver.createInputTopic(TOPICS.customers, serdes.customerKey, serdes.customer);
      const orders = driver.createInputTopic(TOPICS.orders, serdes.key, serdes.order);
      const payments = driver.createInputTopic(TOPICS.payments, serdes.key, serdes.payment);
      const enriched = driver.createOutputTopic(TOPICS.ordersEnriched, serdes.key, serdes.enriched);
      const gold = driver.createOutputTopic(TOPICS.gold, serdes.key, serdes.enriched);
      const bronze = driver.createOutputTopic(TOPICS.bronze, serdes.key, serdes.enriched);
      customers.pipeInput('1', customer(1, 'gold'), T0);
      customers.pipeInput('2', customer(2, 'bronze'), T0);

      orders.pipeInput('o1', order('o1', 1), T0);
      payments.pipeInput('p1', { id: 'p1', orderId: 'o1', ccy: 'EUR', amount: 20 }, T0 + 1000);
      // The outcome version of the order neither mails nor enriches again.
      orders.pipeInput('o1', order('o1', 1, 'VALIDATED'), T0 + 2000);
      orders.pipeInput('o2', order('o2', 2), T0 + 3000);
      // Too late: more than a minute after its order.
      payments.pipeInput('p2', { id: 'p2', orderId: 'o2', ccy: 'EUR', amount: 20 }, T0 + 3000 + PAYMENT_WINDOW_MS + 1);
      // A customer nobody knows: no email, no enriched order.
      orders.pipeInput('o3', order('o3', 99), T0 + PAYMENT_WINDOW_MS + 5000);
      payments.pipeInput('p3', { id: 'p3', orderId: 'o3', ccy: 'EUR', amount: 1 }, T0 + PAYMENT_WINDOW_MS + 5000);

      assert.deepEqual(
        sent.map((e) => [e.to, e.order.id, e.payment.id]),
        [['c1@example.com', 'o1', 'p1']],
      );
      assert.match(sent[0]?.body ?? '', /20 EUR/);
      assert.deepEqual(enriched.readKeyValuesToList(), [
        { key: 'o1', value: { id: 'o1', customerId: 1, customerLevel: 'gold' } },
        { key: 'o2', value: { id: 'o2', customerId: 2, customerLevel: 'bronze' } },
      ]);
      assert.deepEqual(gold.readValuesToList(), [{ id: 'o1', customerId: 1, customerLevel: 'gold' }]);
      assert.deepEqual(bronze.readValuesToList(), [{ id: 'o2', customerId: 2, customerLevel: 'bronze' }]);
    } finally {
      driver.close();
    }
  });
});
