/**
 * The shop's topics (names and shapes fixed by shop-spec.md), their serdes, and the one place that creates them.
 */
import { Serdes, type Backend, type NewTopic } from '@tributary/streams';
import { APP_IDS } from './app-ids.js';
import { COMMAND_TOPICS, commandTopics } from './command-topics.js';
import {
  CustomerSchema,
  InventorySchema,
  OrderEnrichedSchema,
  OrderSchema,
  OrderValidationSchema,
  PaymentSchema,
  type Customer,
  type Inventory,
  type Order,
  type OrderEnriched,
  type OrderValidation,
  type Payment,
} from './schemas.js';

export const TOPICS = {
  orders: 'orders',
  orderValidations: 'order-validations',
  payments: 'payments',
  customers: 'customers',
  warehouseInventory: 'warehouse-inventory',
  ordersEnriched: 'orders-enriched',
  platinum: 'platinum',
  gold: 'gold',
  silver: 'silver',
  bronze: 'bronze',
  ...COMMAND_TOPICS,
} as const;

/**
 * One partition count for every keyed topic: orders, validations and payments are joined by order id, and
 * orders re-keyed by product are joined with warehouse-inventory, so all of them must agree.
 */
export const PARTITIONS = 4;

export const serdes = {
  key: Serdes.string(),
  customerKey: Serdes.string(),
  order: Serdes.json<Order>(OrderSchema),
  validation: Serdes.json<OrderValidation>(OrderValidationSchema),
  payment: Serdes.json<Payment>(PaymentSchema),
  customer: Serdes.json<Customer>(CustomerSchema),
  inventory: Serdes.json<Inventory>(InventorySchema),
  enriched: Serdes.json<OrderEnriched>(OrderEnrichedSchema),
  reserved: Serdes.long(),
};

/** Where an app sets aside the records it cannot read or process (see `createService`). */
export function deadLetterTopic(applicationId: string): string {
  return `${applicationId}-dead-letters`;
}

const compacted = { 'cleanup.policy': 'compact' } as const;

export const SHOP_TOPICS: ReadonlyArray<NewTopic> = [
  { name: TOPICS.orders, numPartitions: PARTITIONS },
  { name: TOPICS.orderValidations, numPartitions: PARTITIONS },
  { name: TOPICS.payments, numPartitions: PARTITIONS },
  { name: TOPICS.customers, numPartitions: PARTITIONS, config: compacted },
  { name: TOPICS.warehouseInventory, numPartitions: PARTITIONS, config: compacted },
  { name: TOPICS.ordersEnriched, numPartitions: PARTITIONS },
  { name: TOPICS.platinum, numPartitions: PARTITIONS },
  { name: TOPICS.gold, numPartitions: PARTITIONS },
  { name: TOPICS.silver, numPartitions: PARTITIONS },
  { name: TOPICS.bronze, numPartitions: PARTITIONS },
  ...commandTopics(PARTITIONS),
  ...Object.values(APP_IDS).map((id): NewTopic => ({ name: deadLetterTopic(id), numPartitions: PARTITIONS })),
];

/** Creates the topics that are missing (existing ones are left as they are). */
export async function ensureTopics(backend: Backend): Promise<void> {
  const admin = backend.admin();
  try {
    await admin.createTopics(SHOP_TOPICS);
  } finally {
    await admin.close();
  }
}
