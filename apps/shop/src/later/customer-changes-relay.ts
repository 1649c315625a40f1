/**
 * The owner of `customers` (the orders API process) applying the CRM import's changes: a consumer group
 * (`orders-api-customer-changes`, so each change is applied by one API instance) reads `crm-customer-changes` and
 * writes each change to `customers` through the API's own producer, then commits. At least once: a change applied
 * again after a crash writes the same version of the customer again, which a compacted table absorbs.
 */
import type { Backend, ConsumedRecord, Consumer, Logger, TopicPartitionOffset } from '@tributary/streams';
import type { TopicWriter } from '../http/topic-writer.js';
import { TOPICS } from '../topics.js';
import { LATER_TOPICS } from './later-topics.js';

export const CUSTOMER_CHANGES_GROUP = 'orders-api-customer-changes';
const POLL_MS = 200;
const BATCH = 500;

export class CustomerChangesRelay {
  private stopped = false;
  private loop: Promise<void> | undefined;
  /** Changes applied since start (for tests and logs). */
  applied = 0;

  private constructor(
    private readonly consumer: Consumer,
    private readonly writer: TopicWriter,
    private readonly logger: Logger,
  ) {}

  static async start(backend: Backend, writer: TopicWriter, logger: Logger, groupId = CUSTOMER_CHANGES_GROUP): Promise<CustomerChangesRelay> {
    const consumer = await backend.createConsumer({ clientId: `${groupId}-consumer`, groupId, isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
    const relay = new CustomerChangesRelay(consumer, writer, logger);
    await consumer.subscribe([LATER_TOPICS.crmCustomerChanges], {
      onPartitionsRevoked: async () => undefined,
      onPartitionsAssigned: async () => undefined,
    });
    relay.loop = relay.run();
    return relay;
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.consumer.close();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let batch: Awaited<ReturnType<Consumer['poll']>> = [];
      try {
        batch = await this.consumer.poll(BATCH, POLL_MS);
        if (batch.length === 0) continue;
        // The bytes as the import wrote them (a customer or a tombstone): the owner relays what the import decided.
        await this.writer.writeRaw(
          TOPICS.customers,
          batch.flatMap((r) => (r.key === null ? [] : [{ key: r.key, value: r.value }])),
        );
        await this.consumer.commit(positions(batch, (r) => r.offset + 1));
        this.applied += batch.length;
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'applying CRM customer changes failed; retrying');
        // Apply the whole batch again (the same versions again are harmless); nothing after it is skipped.
        for (const position of positions(batch, (r) => r.offset, true)) this.consumer.seek(position);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }
}

/** One offset per partition of `records`: the last record's (`first`: the first record's), mapped by `offset`. */
function positions(records: ReadonlyArray<ConsumedRecord>, offset: (r: ConsumedRecord) => number, first = false): TopicPartitionOffset[] {
  const out = new Map<string, TopicPartitionOffset>();
  for (const r of records) {
    const id = `${r.topic}:${r.partition}`;
    if (first && out.has(id)) continue;
    out.set(id, { topic: r.topic, partition: r.partition, offset: offset(r) });
  }
  return [...out.values()];
}
