/**
 * The inventory's read model: per product, `available` and `reserved` as the events say, built from
 * `inventory-events` alone. Every event carries the stock after it, so folding is taking the latest one; a REJECTED
 * event changed nothing and is skipped (it would otherwise make a record for a product that has none).
 *
 * The shop's HTTP instances keep it partitioned by product (`GET /v1/inventory/{product}` is routed to the owner, like
 * an order); `inventoryReadModelTopology` builds the same fold for a rebuild under a new application id from offset 0
 * (`npm run shop:rebuild -- inventory`).
 */
import { Serdes, Stores, StreamsBuilder, type KeyValueStore, type Processor, type ProcessorContext, type StreamRecord, type Topology } from '@tributary/streams';
import { TOPICS } from '../topics.js';
import type { InventoryEvent, Stock } from './schemas.js';
import { inventoryEventSerde, stockSerde } from './serdes.js';

export const INVENTORY_READ_MODEL_STORE = 'inventory-read-model';

export class InventoryReadModelProcessor implements Processor<string, InventoryEvent, never, never> {
  private store!: KeyValueStore<string, Stock>;

  constructor(
    private readonly storeName = INVENTORY_READ_MODEL_STORE,
    /** Told of every event once the store holds its outcome (the HTTP API's waiters). */
    private readonly onEvent?: (event: InventoryEvent) => void,
  ) {}

  init(context: ProcessorContext<never, never>): void {
    this.store = context.getStateStore<KeyValueStore<string, Stock>>(this.storeName);
  }

  process(record: StreamRecord<string, InventoryEvent>): void {
    const event = record.value;
    if (event === null) return;
    if (event.type !== 'REJECTED') this.store.put(event.product, { available: event.available, reserved: event.reserved });
    this.onEvent?.(event);
  }
}

/**
 * Adds the fold to `builder`: `inventory-events` into a persistent, changelogged store keyed by product (one task per
 * partition, so a product's events are folded in order). The shop's HTTP process runs it in its views app; the
 * rebuild runs it alone under a new application id.
 */
export function addInventoryReadModel(
  builder: StreamsBuilder,
  storeName = INVENTORY_READ_MODEL_STORE,
  onEvent?: (event: InventoryEvent) => void,
  durable = true,
): StreamsBuilder {
  const store = Stores.keyValueStoreBuilder(
    durable ? Stores.persistentKeyValueStore(storeName) : Stores.inMemoryKeyValueStore(storeName),
    Serdes.string(),
    stockSerde,
  );
  builder.addStateStore(durable ? store : store.withLoggingDisabled());
  builder
    .stream<string, InventoryEvent>(TOPICS.inventoryEvents, { keySerde: Serdes.string(), valueSerde: inventoryEventSerde })
    .process(() => new InventoryReadModelProcessor(storeName, onEvent), storeName);
  return builder;
}

/**
 * The fold as an app of its own (the rebuild). `durable: false` keeps it in memory without a changelog: a one-off
 * rebuild then leaves no topic behind and simply starts from offset 0 again when run again.
 */
export function inventoryReadModelTopology(storeName = INVENTORY_READ_MODEL_STORE, durable = true): Topology {
  return addInventoryReadModel(new StreamsBuilder(), storeName, undefined, durable).build();
}
