/**
 * The catalog's topics (names and shapes fixed by system-spec.md), their serdes, and `ensureCatalogTopics`.
 * Everything the assembler joins per GTIN — the offers re-keyed by GTIN and `inventory-events` (stock and
 * reservations) — has the shop's partition count, so partition i of each lands in the same task.
 */
import { Serdes, type Backend, type NewTopic, type Serde } from '@tributary/streams';
import { PARTITIONS } from '../topics.js';
import type { CatalogEvent } from './catalog-events.js';
import { CatalogProductSchema, type CatalogProduct, type FeedRecord, type Supplier } from './catalog-schemas.js';

export const CATALOG_TOPICS = {
  feeds: { acme: 'catalog-feed-acme', globex: 'catalog-feed-globex' } satisfies Record<Supplier, string>,
  rejects: 'catalog-rejects',
  products: 'catalog-products',
} as const;

export const catalogSerdes = {
  key: Serdes.string(),
  /** Feed records stay untyped JSON: the clean stage judges them. */
  feed: Serdes.json<FeedRecord>(),
  reject: Serdes.json<Readonly<Record<string, unknown>>>(),
  product: Serdes.json<CatalogProduct>(CatalogProductSchema),
  /** The assembler's input on the internal repartition topic (written and read by the pipeline alone). */
  event: Serdes.json<CatalogEvent>(),
} satisfies Record<string, Serde<unknown>>;

const compacted = { 'cleanup.policy': 'compact' } as const;

export const CATALOG_TOPIC_LIST: ReadonlyArray<NewTopic> = [
  { name: CATALOG_TOPICS.feeds.acme, numPartitions: PARTITIONS },
  { name: CATALOG_TOPICS.feeds.globex, numPartitions: PARTITIONS },
  { name: CATALOG_TOPICS.rejects, numPartitions: PARTITIONS },
  { name: CATALOG_TOPICS.products, numPartitions: PARTITIONS, config: compacted },
];

export async function ensureCatalogTopics(backend: Backend): Promise<void> {
  const admin = backend.admin();
  try {
    await admin.createTopics(CATALOG_TOPIC_LIST);
  } finally {
    await admin.close();
  }
}
