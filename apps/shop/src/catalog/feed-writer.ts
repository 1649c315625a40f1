/**
 * Appends records to a supplier feed for `POST /v1/catalog/feeds/{supplier}`: one producer, a batch flushed once,
 * so a 202 means every record of the request is in the log.
 */
import type { Producer } from '@tributary/streams';
import type { Supplier } from './catalog-schemas.js';
import { CATALOG_TOPICS, catalogSerdes } from './catalog-topics.js';
import { assertApiWrite } from '../topic-registry.js';

export interface FeedEntry {
  readonly sku: string;
  readonly record: unknown;
}

export class FeedWriter {
  constructor(private readonly producer: Producer) {}

  async append(supplier: Supplier, entries: ReadonlyArray<FeedEntry>): Promise<void> {
    const topic = CATALOG_TOPICS.feeds[supplier];
    assertApiWrite(topic);
    for (const { sku, record } of entries) {
      this.producer.send({ topic, key: catalogSerdes.key.serialize(topic, sku), value: catalogSerdes.feed.serialize(topic, record) });
    }
    await this.producer.flush();
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
