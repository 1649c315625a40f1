/**
 * The orders service's read side: a streams app that materializes `orders` (partitioned, the latest version per
 * id), and replicates `warehouse-inventory` and the inventory service's reserved-stock changelog in full (global
 * tables), so the HTTP API answers reads locally. Every order version it applies is also handed to `onOrder`,
 * which feeds the long-poll waiters.
 */
import {
  QueryableStoreTypes,
  StreamsBuilder,
  type HostInfo,
  type KafkaStreams,
  type KafkaStreamsState,
  type ReadOnlyKeyValueStore,
  type Topology,
} from '@tributary/streams';
import { APP_IDS } from '../app-ids.js';
import type { Inventory, Order } from '../schemas.js';
import { RESERVED_STOCK_CHANGELOG, serdes, TOPICS } from '../topics.js';
import { createService, type ServiceRuntime } from './service-runtime.js';
import type { SupervisedApp } from './supervisor.js';

export const ORDERS_STORE = 'orders-store';
export const INVENTORY_VIEW_STORE = 'inventory-view';
export const RESERVED_VIEW_STORE = 'reserved-view';

export function ordersViewTopology(onOrder: (order: Order) => void): Topology {
  const builder = new StreamsBuilder();
  builder
    .table<string, Order>(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order, storeName: ORDERS_STORE })
    .toStream()
    .foreach((_id, order) => {
      if (order !== null) onOrder(order);
    });
  builder.globalTable<string, Inventory>(TOPICS.warehouseInventory, {
    keySerde: serdes.key,
    valueSerde: serdes.inventory,
    storeName: INVENTORY_VIEW_STORE,
  });
  builder.globalTable<string, number>(RESERVED_STOCK_CHANGELOG, {
    keySerde: serdes.key,
    valueSerde: serdes.reserved,
    storeName: RESERVED_VIEW_STORE,
  });
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
    return this.read<Order>(ORDERS_STORE)?.get(id) ?? null;
  }

  inventory(product: string): Inventory | null {
    return this.read<Inventory>(INVENTORY_VIEW_STORE)?.get(product) ?? null;
  }

  reserved(product: string): number {
    return this.read<number>(RESERVED_VIEW_STORE)?.get(product) ?? 0;
  }

  /**
   * The instance that owns `id`'s partition when that is another one (announced through the library's instance
   * metadata); undefined when this instance owns it, when it runs alone, or while the owner is unknown.
   */
  remoteOwner(id: string): HostInfo | undefined {
    const self = this.app.applicationServer;
    if (self === undefined || !this.ready) return undefined;
    const owner = this.app.queryMetadataForKey(ORDERS_STORE, id, serdes.key).activeHost;
    if (owner.port < 0 || (owner.host === self.host && owner.port === self.port)) return undefined;
    return owner;
  }

  private read<V>(storeName: string): ReadOnlyKeyValueStore<string, V> | undefined {
    const app = this.app;
    if (app.state !== 'RUNNING' && app.state !== 'REBALANCING') return undefined;
    return app.store({ storeName, type: QueryableStoreTypes.keyValueStore<string, V>() });
  }
}

/** Creates (does not start) the view's app; `shop.ts` runs it under a `SupervisedApp`. */
export function createOrdersView(runtime: ServiceRuntime, onOrder: (order: Order) => void, applicationServer?: string): KafkaStreams {
  return createService(ordersViewTopology(onOrder), APP_IDS.ordersView, runtime, applicationServer !== undefined ? { applicationServer } : {});
}
