/**
 * The orders service's read side: a streams app that materializes `orders` (partitioned, the latest version per
 * id, settled orders expiring after the retention horizon), so the HTTP API answers reads locally. Every order
 * version it applies is also handed to `onOrder`, which feeds the long-poll waiters. (Stock is read from the
 * inventory's read model, `services/command-views.ts`.)
 */
import {
  QueryableStoreTypes,
  remoteOwnerOf,
  Serdes,
  Stores,
  StreamsBuilder,
  type HostInfo,
  type KafkaStreams,
  type KafkaStreamsState,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type ReadOnlyKeyValueStore,
  type StreamRecord,
  type Topology,
} from '@tributary/streams';
import { z } from 'zod';
import { APP_IDS } from '../app-ids.js';
import { OrderSchema, type Order } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import { DEFAULT_SETTLED_RETENTION_MS, scheduleExpiry } from './retention.js';
import { createService, type ServiceRuntime } from './service-runtime.js';
import type { SupervisedApp } from './supervisor.js';

export const ORDERS_STORE = 'orders-view';

/** The latest version of an order and the event time it was written at (which settles it for expiry). */
const ViewEntrySchema = z.object({ order: OrderSchema, at: z.number() });
type ViewEntry = z.infer<typeof ViewEntrySchema>;

/**
 * The latest version per order id, as a KTable of `orders` would hold it, in a store of its own so that settled
 * orders can expire (see `retention.ts`); every version applied is handed to `onOrder`.
 */
class OrdersViewProcessor implements Processor<string, Order, never, never> {
  private store!: KeyValueStore<string, ViewEntry>;

  constructor(
    private readonly onOrder: (order: Order) => void,
    private readonly retentionMs: number,
  ) {}

  init(context: ProcessorContext<never, never>): void {
    this.store = context.getStateStore<KeyValueStore<string, ViewEntry>>(ORDERS_STORE);
    scheduleExpiry(context, this.store, (e) => (e.order.state === 'CREATED' ? undefined : e.at), this.retentionMs);
  }

  process(record: StreamRecord<string, Order>): void {
    if (record.value === null) {
      this.store.delete(record.key);
      return;
    }
    this.store.put(record.key, { order: record.value, at: record.timestamp });
    this.onOrder(record.value);
  }
}

export function ordersViewTopology(onOrder: (order: Order) => void, retentionMs = DEFAULT_SETTLED_RETENTION_MS): Topology {
  const builder = new StreamsBuilder();
  builder.addStateStore(
    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ORDERS_STORE), Serdes.string(), Serdes.json<ViewEntry>(ViewEntrySchema)),
  );
  builder
    .stream<string, Order>(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order })
    .process(() => new OrdersViewProcessor(onOrder, retentionMs), ORDERS_STORE);
  return builder.build();
}

/** Reads the view's stores; each read is null until the app is running or when the key is unknown. */
export class OrdersView {
  constructor(private readonly supervised: SupervisedApp) {}

  /** The view's app now (a new one after each restart). */
  get app(): KafkaStreams {
    return this.supervised.app;
  }

  get state(): KafkaStreamsState {
    return this.app.state;
  }

  get ready(): boolean {
    return this.app.state === 'RUNNING';
  }

  order(id: string): Order | null {
    return this.read<ViewEntry>(ORDERS_STORE)?.get(id)?.order ?? null;
  }

  /**
   * The instance that owns `id`'s partition when that is another one (announced through the library's instance
   * metadata); undefined when this instance owns it, when it runs alone, or while the owner is unknown.
   */
  remoteOwner(id: string): HostInfo | undefined {
    return remoteOwnerOf(this.app, ORDERS_STORE, id, serdes.key);
  }

  private read<V>(storeName: string): ReadOnlyKeyValueStore<string, V> | undefined {
    const app = this.app;
    if (app.state !== 'RUNNING' && app.state !== 'REBALANCING') return undefined;
    return app.store({ storeName, type: QueryableStoreTypes.keyValueStore<string, V>() });
  }
}

/** Creates (does not start) the view's app; `shop.ts` runs it under a `SupervisedApp`. */
export function createOrdersView(runtime: ServiceRuntime, onOrder: (order: Order) => void, applicationServer?: string): KafkaStreams {
  return createService(ordersViewTopology(onOrder, runtime.settledRetentionMs), APP_IDS.ordersView, runtime, applicationServer !== undefined ? { applicationServer } : {});
}
