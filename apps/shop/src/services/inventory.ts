/**
 * inventory: orders re-keyed by product meet the warehouse-inventory table; each CREATED order reserves stock when
 * `stock - reserved - quantity >= 0`, else fails. Reservations live in changelogged stores updated in the same
 * exactly-once transaction as the validation they produce, so a crash can never reserve twice. An order that ends
 * FAILED (for any reason) gives its reservation back.
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
import { z } from 'zod';
import { APP_IDS, RESERVED_STOCK_STORE } from '../app-ids.js';
import type { Inventory, Order, OrderValidation } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import { DEFAULT_SETTLED_RETENTION_MS, scheduleExpiry } from './retention.js';
import { createService, type ServiceRuntime } from './service-runtime.js';

/** Per order: what this service decided, so duplicates and outcomes are handled once. */
export const ORDER_RESERVATIONS_STORE = 'order-reservations';
export const INVENTORY_TABLE_STORE = 'warehouse-inventory-store';

const ReservationSchema = z.object({
  product: z.string(),
  quantity: z.number(),
  /** RESERVED: holds stock; REJECTED: never held any; RELEASED: gave it back (order FAILED); KEPT: order VALIDATED. */
  status: z.enum(['RESERVED', 'REJECTED', 'RELEASED', 'KEPT']),
  /** Event time of the last change; entries kept before it existed lack it (and are kept). */
  at: z.number().optional(),
});
type Reservation = z.infer<typeof ReservationSchema>;

interface OrderWithStock {
  readonly order: Order;
  /** The warehouse's stock of the order's product; null when the warehouse has no record of it. */
  readonly stock: number | null;
}

class InventoryProcessor implements Processor<string, OrderWithStock, string, OrderValidation> {
  private context!: ProcessorContext<string, OrderValidation>;
  private reserved!: KeyValueStore<string, number>;
  private reservations!: KeyValueStore<string, Reservation>;

  constructor(private readonly retentionMs: number) {}

  init(context: ProcessorContext<string, OrderValidation>): void {
    this.context = context;
    this.reserved = context.getStateStore<KeyValueStore<string, number>>(RESERVED_STOCK_STORE);
    this.reservations = context.getStateStore<KeyValueStore<string, Reservation>>(ORDER_RESERVATIONS_STORE);
    // A RESERVED entry still holds stock and waits for its order's outcome: only settled ones expire.
    scheduleExpiry(context, this.reservations, (r) => (r.status === 'RESERVED' ? undefined : r.at), this.retentionMs);
  }

  process(record: StreamRecord<string, OrderWithStock>): void {
    const { order, stock } = record.value;
    const previous = this.reservations.get(order.id);
    if (order.state === 'CREATED') {
      // A redelivered CREATED order was already judged: its validation went out in the same transaction.
      if (previous === null) this.check(order, stock, record.timestamp);
    } else if (order.state === 'FAILED' && previous?.status === 'RESERVED') {
      const held = this.reserved.get(previous.product) ?? 0;
      this.reserved.put(previous.product, Math.max(0, held - previous.quantity));
      this.reservations.put(order.id, { ...previous, status: 'RELEASED', at: record.timestamp });
    } else if (order.state === 'VALIDATED' && previous?.status === 'RESERVED') {
      this.reservations.put(order.id, { ...previous, status: 'KEPT', at: record.timestamp });
    }
  }

  private check(order: Order, stock: number | null, timestamp: number): void {
    const reject = (reason: string): void => {
      this.reservations.put(order.id, { product: order.product, quantity: order.quantity, status: 'REJECTED', at: timestamp });
      this.emit(order.id, timestamp, { orderId: order.id, checkType: 'INVENTORY_CHECK', validationResult: 'FAIL', reason });
    };
    if (stock === null) return reject(`no inventory record for product ${order.product}`);
    if (!(order.quantity > 0)) return reject(`quantity must be greater than 0 (got ${order.quantity})`);
    // Reservations are counted in a `long` changelog: a fraction or an inexact integer (another producer than the
    // API may write one) could not be stored and would stop the service, so it fails the check instead.
    if (!Number.isSafeInteger(order.quantity)) return reject(`quantity must be a whole number in the safe range (got ${order.quantity})`);
    const held = this.reserved.get(order.product) ?? 0;
    // Compared rather than subtracted to zero: `held + quantity` never exceeds `stock`, so the sum stays exact.
    if (order.quantity > stock - held) {
      return reject(`insufficient stock of ${order.product}: ${stock} in stock, ${held} reserved, ${order.quantity} requested`);
    }
    this.reserved.put(order.product, held + order.quantity);
    this.reservations.put(order.id, { product: order.product, quantity: order.quantity, status: 'RESERVED', at: timestamp });
    this.emit(order.id, timestamp, { orderId: order.id, checkType: 'INVENTORY_CHECK', validationResult: 'PASS' });
  }

  private emit(orderId: string, timestamp: number, validation: OrderValidation): void {
    this.context.forward({ key: orderId, value: validation, timestamp, headers: {} });
  }
}

export function inventoryTopology(retentionMs = DEFAULT_SETTLED_RETENTION_MS): Topology {
  const builder = new StreamsBuilder();
  builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RESERVED_STOCK_STORE), Serdes.string(), serdes.reserved));
  builder.addStateStore(
    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ORDER_RESERVATIONS_STORE), Serdes.string(), Serdes.json<Reservation>(ReservationSchema)),
  );
  const stock = builder.table<string, Inventory>(TOPICS.warehouseInventory, {
    keySerde: serdes.key,
    valueSerde: serdes.inventory,
    storeName: INVENTORY_TABLE_STORE,
  });
  builder
    .stream<string, Order>(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order })
    // CREATED orders are checked; VALIDATED/FAILED ones settle their reservation. Nothing else matters here.
    .filter((_id, order) => order?.state === 'CREATED' || order?.state === 'FAILED' || order?.state === 'VALIDATED')
    .selectKey((_id, order) => order.product)
    .leftJoin(stock, (order, inventory): OrderWithStock => ({ order, stock: inventory?.quantity ?? null }))
    .process(() => new InventoryProcessor(retentionMs), RESERVED_STOCK_STORE, ORDER_RESERVATIONS_STORE)
    .to(TOPICS.orderValidations, { keySerde: serdes.key, valueSerde: serdes.validation });
  return builder.build();
}

export function createInventory(runtime: ServiceRuntime): KafkaStreams {
  return createService(inventoryTopology(runtime.settledRetentionMs), APP_IDS.inventory, runtime, { processingGuarantee: 'exactly_once_v2' });
}
