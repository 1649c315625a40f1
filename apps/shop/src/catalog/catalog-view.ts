/**
 * catalog-view: the HTTP API's local read models of the catalog — every product (a global table of
 * `catalog-products`, so any instance answers for any GTIN) and the latest rejects per supplier sku.
 */
import {
  QueryableStoreTypes,
  Serdes,
  StreamsBuilder,
  type KafkaStreams,
  type ReadOnlyKeyValueStore,
  type Topology,
} from '@tributary/streams';
import { createService, type ServiceRuntime } from '../services/service-runtime.js';
import type { CatalogProduct, CatalogReject } from './catalog-schemas.js';
import { CATALOG_TOPICS, catalogSerdes } from './catalog-topics.js';

export const CATALOG_VIEW_APP_ID = 'catalog-view';
export const PRODUCTS_STORE = 'catalog-products-store';
export const REJECTS_STORE = 'catalog-rejects-by-sku';
/** Rejects kept per sku: the latest ones say what to fix; older ones stay in the topic. */
export const REJECTS_KEPT = 20;

export function catalogViewTopology(): Topology {
  const builder = new StreamsBuilder();
  builder.globalTable<string, CatalogProduct>(CATALOG_TOPICS.products, {
    keySerde: catalogSerdes.key,
    valueSerde: catalogSerdes.product,
    storeName: PRODUCTS_STORE,
  });
  builder
    .stream<string, Readonly<Record<string, unknown>>>(CATALOG_TOPICS.rejects, { keySerde: catalogSerdes.key, valueSerde: catalogSerdes.reject })
    .groupByKey()
    .aggregate<Array<Readonly<Record<string, unknown>>>>(
      () => [],
      (_sku, reject, list) => [...list, reject].slice(-REJECTS_KEPT),
      { storeName: REJECTS_STORE, valueSerde: Serdes.json<Array<Readonly<Record<string, unknown>>>>() },
    );
  return builder.build();
}

export class CatalogView {
  /** `source.app` is read per query: under a supervisor the app is replaced after a failure. */
  constructor(private readonly source: { readonly app: KafkaStreams }) {}

  product(gtin: string): CatalogProduct | null {
    return this.read<CatalogProduct>(PRODUCTS_STORE)?.get(gtin) ?? null;
  }

  /** Oldest first. */
  rejects(sku: string): CatalogReject[] {
    return (this.read<CatalogReject[]>(REJECTS_STORE)?.get(sku) ?? []).slice();
  }

  private read<V>(storeName: string): ReadOnlyKeyValueStore<string, V> | undefined {
    const app = this.source.app;
    if (app.state !== 'RUNNING' && app.state !== 'REBALANCING') return undefined;
    return app.store({ storeName, type: QueryableStoreTypes.keyValueStore<string, V>() });
  }
}

/** The view app (products and rejects), not started: the shop supervises it. */
export function createCatalogView(runtime: ServiceRuntime): KafkaStreams {
  // Reads follow writes closely: the rejects aggregate forwards and commits at a short interval.
  return createService(catalogViewTopology(), CATALOG_VIEW_APP_ID, runtime, {
    commitIntervalMs: Math.min(runtime.commitIntervalMs ?? 100, 100),
  });
}
