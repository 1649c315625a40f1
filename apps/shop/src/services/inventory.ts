/**
 * inventory: the command processor of the inventory (`inventory/command-processor.ts`) and the order flow's way in
 * and out of it, as one exactly-once app:
 * - a CREATED order becomes a RESERVE command, an order that ends FAILED a RELEASE command (ids derived from the
 *   order id, so a replayed order is applied once);
 * - a `warehouse-inventory` record (shop-spec.md's stock topic, for producers that still write it) becomes a SET;
 * - the processor decides every command against the product's stock and writes `inventory-events` and
 *   `command-results`;
 * - the event a reservation caused becomes the order's INVENTORY_CHECK: RESERVED → PASS, REJECTED → FAIL.
 * So one log, `inventory-events`, holds every change of stock.
 */
import { Serdes, Stores, StreamsBuilder, type KafkaStreams, type Processor, type ProcessorContext, type StreamRecord, type Topology } from '@tributary/streams';
import { APP_IDS } from '../app-ids.js';
import {
  COMMAND_LOG_STORE,
  CommandLogEntrySchema,
  InventoryCommandProcessor,
  ORDER_HOLDS_STORE,
  OrderHoldSchema,
  STOCK_STORE,
  type CommandLogEntry,
  type CommandOutput,
  type OrderHold,
} from '../inventory/command-processor.js';
import { releaseCommandId, reserveCommandId, type InventoryCommand, type InventoryEvent } from '../inventory/schemas.js';
import { commandResultSerde, inventoryCommandSerde, inventoryEventSerde, stockSerde } from '../inventory/serdes.js';
import type { Inventory, Order, OrderValidation } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import { DEFAULT_SETTLED_RETENTION_MS } from './retention.js';
import { createService, type ServiceRuntime } from './service-runtime.js';

/** The command a version of an order causes: a reservation when CREATED, its release when FAILED. */
export function orderCommand(order: Order): InventoryCommand | undefined {
  if (order.state === 'CREATED') {
    return { commandId: reserveCommandId(order.id), type: 'RESERVE', product: order.product, quantity: order.quantity, orderId: order.id };
  }
  if (order.state === 'FAILED') {
    return { commandId: releaseCommandId(order.id), type: 'RELEASE', product: order.product, quantity: order.quantity, orderId: order.id };
  }
  return undefined;
}

/** The INVENTORY_CHECK an event answers, when it is the outcome of an order's reservation. */
export function orderValidation(event: InventoryEvent): OrderValidation | undefined {
  if (event.orderId === undefined || event.commandId !== reserveCommandId(event.orderId)) return undefined;
  if (event.type === 'RESERVED') return { orderId: event.orderId, checkType: 'INVENTORY_CHECK', validationResult: 'PASS' };
  if (event.type === 'REJECTED') return { orderId: event.orderId, checkType: 'INVENTORY_CHECK', validationResult: 'FAIL', reason: event.reason ?? 'rejected' };
  return undefined;
}

/** A `warehouse-inventory` record as a SET command whose id is the record's place in the log (applied once). */
class WarehouseRecordToSet implements Processor<string, Inventory, string, InventoryCommand> {
  private context!: ProcessorContext<string, InventoryCommand>;

  init(context: ProcessorContext<string, InventoryCommand>): void {
    this.context = context;
  }

  process(record: StreamRecord<string, Inventory>): void {
    const meta = this.context.recordMetadata();
    if (record.value === null || meta === undefined) return;
    const { product, quantity } = record.value;
    const commandId = `${meta.topic}:${meta.partition}:${meta.offset}`;
    this.context.forward({ key: product, value: { commandId, type: 'SET', product, quantity }, timestamp: record.timestamp, headers: {} });
  }
}

export function inventoryTopology(retentionMs = DEFAULT_SETTLED_RETENTION_MS): Topology {
  const builder = new StreamsBuilder();
  builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STOCK_STORE), Serdes.string(), stockSerde));
  builder.addStateStore(
    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(COMMAND_LOG_STORE), Serdes.string(), Serdes.json<CommandLogEntry>(CommandLogEntrySchema)),
  );
  builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ORDER_HOLDS_STORE), Serdes.string(), Serdes.json<OrderHold>(OrderHoldSchema)));
  const toCommands = { keySerde: serdes.key, valueSerde: inventoryCommandSerde };

  builder
    .stream<string, Order>(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order })
    .flatMap((_id, order): Array<[string, InventoryCommand]> => {
      const command = order === null ? undefined : orderCommand(order);
      return command === undefined ? [] : [[command.product, command]];
    })
    .to(TOPICS.inventoryCommands, toCommands);

  builder
    .stream<string, Inventory>(TOPICS.warehouseInventory, { keySerde: serdes.key, valueSerde: serdes.inventory })
    .process(() => new WarehouseRecordToSet())
    .to(TOPICS.inventoryCommands, toCommands);

  const outputs = builder
    .stream<string, InventoryCommand>(TOPICS.inventoryCommands, toCommands)
    .process(() => new InventoryCommandProcessor(retentionMs), STOCK_STORE, COMMAND_LOG_STORE, ORDER_HOLDS_STORE);
  outputs
    .flatMapValues((out: CommandOutput) => (out.kind === 'event' ? [out.event] : []))
    .to(TOPICS.inventoryEvents, { keySerde: serdes.key, valueSerde: inventoryEventSerde });
  outputs
    .flatMapValues((out: CommandOutput) => (out.kind === 'result' ? [out.result] : []))
    .to(TOPICS.commandResults, { keySerde: serdes.key, valueSerde: commandResultSerde });

  builder
    .stream<string, InventoryEvent>(TOPICS.inventoryEvents, { keySerde: serdes.key, valueSerde: inventoryEventSerde })
    .flatMap((_product, event): Array<[string, OrderValidation]> => {
      const validation = event === null ? undefined : orderValidation(event);
      return validation === undefined ? [] : [[validation.orderId, validation]];
    })
    .to(TOPICS.orderValidations, { keySerde: serdes.key, valueSerde: serdes.validation });
  return builder.build();
}

export function createInventory(runtime: ServiceRuntime): KafkaStreams {
  return createService(inventoryTopology(runtime.settledRetentionMs), APP_IDS.inventory, runtime, { processingGuarantee: 'exactly_once_v2' });
}
