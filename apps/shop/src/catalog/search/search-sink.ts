/**
 * The sink from `catalog-products` into a `SearchIndex`, like a sink connector: a group-less consumer reads every
 * partition (each process keeps a complete index, as a global table does), starting where the index says it is
 * covered, and hands each polled batch to the index together with the positions after it. Positions live with the
 * index, not in a consumer group, so the index and its positions can never disagree. A failed batch is retried
 * from the last positions the index accepted.
 */
import type { Backend, Consumer, Logger } from '@tributary/streams';
import { CATALOG_TOPICS, catalogSerdes } from '../catalog-topics.js';
import type { ProductChange, SearchIndex, SearchQuery, SearchResult } from './search-index.js';

const BATCH = 1_000;
const POLL_MS = 100;
const RETRY_MS = 1_000;

export class SearchSink {
  private consumer: Consumer | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  /** Next offset to apply, per partition (what the index covers once the current batch is applied). */
  private readonly applied = new Map<number, number>();

  constructor(
    private readonly backend: Backend,
    private readonly index: SearchIndex,
    private readonly logger: Logger,
  ) {}

  /** Opens the index and starts following the topic from the index's positions. */
  async start(): Promise<void> {
    const positions = await this.index.open();
    const admin = this.backend.admin();
    let partitions: number;
    try {
      partitions = (await admin.describeTopics([CATALOG_TOPICS.products])).get(CATALOG_TOPICS.products) ?? 0;
    } finally {
      await admin.close();
    }
    if (partitions === 0) throw new Error(`Topic ${CATALOG_TOPICS.products} does not exist`);
    const consumer = await this.backend.createConsumer({
      clientId: 'catalog-search-sink',
      isolationLevel: 'read_committed',
      autoOffsetReset: 'earliest',
    });
    this.consumer = consumer;
    const assignment = [];
    for (let partition = 0; partition < partitions; partition++) {
      const offset = positions.get(partition) ?? -1;
      if (offset >= 0) this.applied.set(partition, offset);
      assignment.push({ topic: CATALOG_TOPICS.products, partition, offset });
    }
    await consumer.assign(assignment);
    this.running = this.loop(consumer);
  }

  search(query: SearchQuery): Promise<SearchResult> {
    return this.index.search(query);
  }

  /** Positions applied to the index so far (next offset per partition). */
  positions(): ReadonlyMap<number, number> {
    return this.applied;
  }

  async close(): Promise<void> {
    this.stopping = true;
    await this.running;
    await this.consumer?.close();
    await this.index.close();
  }

  private async loop(consumer: Consumer): Promise<void> {
    while (!this.stopping) {
      try {
        const records = await consumer.poll(BATCH, POLL_MS);
        if (records.length === 0) continue;
        const changes: ProductChange[] = [];
        const next = new Map<number, number>();
        for (const r of records) {
          next.set(r.partition, r.offset + 1);
          const gtin = catalogSerdes.key.deserialize(r.topic, r.key);
          if (gtin === null) continue;
          let product;
          try {
            product = catalogSerdes.product.deserialize(r.topic, r.value);
          } catch (error) {
            // As the streams apps' logAndContinue: a record nobody can read must not stop the index.
            this.logger.warn({ err: String(error), partition: r.partition, offset: r.offset }, 'search sink: skipping an unreadable product');
            continue;
          }
          changes.push({ gtin, product, partition: r.partition, offset: r.offset });
        }
        await this.index.apply(changes, next);
        for (const [partition, offset] of next) this.applied.set(partition, offset);
      } catch (error) {
        if (this.stopping) break;
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'search sink: batch failed; retrying');
        await new Promise((r) => setTimeout(r, RETRY_MS));
        // Re-read what the index has not accepted yet.
        for (const { partition } of consumer.assignment()) {
          const offset = this.applied.get(partition);
          const start = offset ?? (await consumer.beginningOffsets([{ topic: CATALOG_TOPICS.products, partition }]))[0]?.offset ?? 0;
          consumer.seek({ topic: CATALOG_TOPICS.products, partition, offset: start });
        }
      }
    }
  }
}
