/**
 * catalog-pipeline: the two supplier feeds → clean (rejects to `catalog-rejects`) → re-key by GTIN → dedupe across
 * feeds and amend with available stock → the compacted `catalog-products`.
 *
 *   catalog-feed-acme ──clean──┐
 *                              ├─ by GTIN ─ repartition ─┬─ merge ─ assemble ─ catalog-products
 *   catalog-feed-globex ─clean─┘        inventory-events ┘
 */
import { Serdes, Stores, StreamsBuilder, type KafkaStreams, type KStream, type Topology } from '@tributary/streams';
import { createService, type ServiceRuntime } from '../services/service-runtime.js';
import { PARTITIONS, serdes, TOPICS } from '../topics.js';
import type { InventoryEvent } from '../inventory/schemas.js';
import { inventoryEventSerde } from '../inventory/serdes.js';
import { acmeFormat } from './acme-format.js';
import { CATALOG_STATE_STORE, CatalogAssembler, type GtinState } from './catalog-assembler.js';
import type { CatalogEvent, CleanerOutput } from './catalog-events.js';
import { CATALOG_TOPICS, catalogSerdes, ensureCatalogTopics } from './catalog-topics.js';
import { FeedCleaner, skuGtinStore } from './feed-cleaner.js';
import { globexFormat } from './globex-format.js';
import type { SupplierFormat } from './supplier-format.js';

export const CATALOG_PIPELINE_APP_ID = 'catalog-pipeline';
/** Names the internal topic `catalog-pipeline-catalog-events-by-gtin-repartition`. */
export const EVENTS_BY_GTIN = 'catalog-events-by-gtin';

function cleanFeed(builder: StreamsBuilder, format: SupplierFormat): KStream<string, CatalogEvent> {
  builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(skuGtinStore(format.supplier)), Serdes.string(), Serdes.string()));
  const cleaned = builder
    .stream<string | null, unknown>(CATALOG_TOPICS.feeds[format.supplier], { keySerde: catalogSerdes.key, valueSerde: catalogSerdes.feed })
    .process<string | null, CleanerOutput>(() => new FeedCleaner(format), skuGtinStore(format.supplier));
  cleaned
    .flatMapValues((out): Array<Readonly<Record<string, unknown>>> => (out.kind === 'reject' ? [out.reject] : []))
    .to(CATALOG_TOPICS.rejects, { keySerde: catalogSerdes.key, valueSerde: catalogSerdes.reject });
  return cleaned.flatMap((_sku, out): Array<[string, CatalogEvent]> => (out.kind === 'event' ? [[out.gtin, out.event]] : []));
}

export function catalogPipelineTopology(): Topology {
  const builder = new StreamsBuilder();
  builder.addStateStore(
    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CATALOG_STATE_STORE), Serdes.string(), Serdes.json<GtinState>()),
  );
  const offers = cleanFeed(builder, acmeFormat)
    .merge(cleanFeed(builder, globexFormat))
    .repartition({ keySerde: catalogSerdes.key, valueSerde: catalogSerdes.event, numberOfPartitions: PARTITIONS, name: EVENTS_BY_GTIN });
  // Inventory events are keyed by product, and a catalog product's inventory key is its GTIN. Each event carries the
  // stock after it: the warehouse's count is available + reserved. A REJECTED event changed nothing.
  const inventory = builder
    .stream<string, InventoryEvent>(TOPICS.inventoryEvents, { keySerde: serdes.key, valueSerde: inventoryEventSerde })
    .flatMapValues((event): CatalogEvent[] =>
      event === null || event.type === 'REJECTED'
        ? []
        : [
            { type: 'stock', quantity: event.available + event.reserved },
            { type: 'reserved', reserved: event.reserved },
          ],
    );
  offers
    .merge(inventory)
    .process(() => new CatalogAssembler(), CATALOG_STATE_STORE)
    .to(CATALOG_TOPICS.products, { keySerde: catalogSerdes.key, valueSerde: catalogSerdes.product });
  return builder.build();
}

/** The pipeline app, not started: the shop runs it under a `SupervisedApp` like its other services. */
export function createCatalogPipeline(runtime: ServiceRuntime): KafkaStreams {
  // A feed change must be searchable within 2 s: commit (and so flush) often rather than at the 30 s default.
  return createService(catalogPipelineTopology(), CATALOG_PIPELINE_APP_ID, runtime, {
    commitIntervalMs: Math.min(runtime.commitIntervalMs ?? 100, 100),
  });
}

/** Creates the catalog topics and starts the pipeline on its own (the benchmark does). */
export async function startCatalogPipeline(runtime: ServiceRuntime): Promise<KafkaStreams> {
  await ensureCatalogTopics(runtime.backend);
  const app = createCatalogPipeline(runtime);
  await app.start();
  return app;
}
