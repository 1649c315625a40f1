/** The joins guide's example: orders (a stream) enriched with customers (a table), a stream-table left join. */
import { Serdes, StreamsBuilder } from '@tributary/streams';
import { TopologyTestDriver } from '@tributary/streams/testing';

interface Order {
  readonly id: string;
  readonly amount: number;
}

export function enrichOrders(): Array<string | null> {
  const builder = new StreamsBuilder();
  const customers = builder.table<string, string>('customers', { keySerde: Serdes.string(), valueSerde: Serdes.string() });
  builder
    .stream<string, Order>('orders', { keySerde: Serdes.string(), valueSerde: Serdes.json<Order>() })
    // Both topics are keyed by customer id and co-partitioned, so each order meets its customer's current row.
    .leftJoin(customers, (order, name) => `${order.id}: ${order.amount} for ${name ?? 'an unknown customer'}`)
    .to('receipts', { keySerde: Serdes.string(), valueSerde: Serdes.string() });

  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'joins-guide' });
  try {
    const customerTopic = driver.createInputTopic('customers', Serdes.string(), Serdes.string());
    const orderTopic = driver.createInputTopic('orders', Serdes.string(), Serdes.json<Order>());
    customerTopic.pipeInput('c1', 'Ada', 1_000);
    orderTopic.pipeInput('c1', { id: 'o1', amount: 30 }, 2_000);
    orderTopic.pipeInput('c2', { id: 'o2', amount: 12 }, 3_000);
    customerTopic.pipeInput('c1', 'Ada Lovelace', 4_000);
    orderTopic.pipeInput('c1', { id: 'o3', amount: 7 }, 5_000);
    return driver.createOutputTopic('receipts', Serdes.string(), Serdes.string()).readValuesToList();
  } finally {
    driver.close();
  }
}
