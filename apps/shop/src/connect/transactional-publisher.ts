/**
 * Appends a batch of outbox rows and the source position they end at in one transaction of a transactional
 * producer (the embedded log's or Kafka's, through the backend port): either both are in the log or neither is.
 * A new publisher with the same transactional id fences the old one and aborts its open transaction, so a relay
 * that was killed mid-transaction leaves nothing behind.
 */
import type { Backend, Producer } from '@tributary/streams';
import type { OutboxRow } from './outbox-table.js';
import { offsetRecord } from './relay-offsets.js';

export class TransactionalPublisher {
  private constructor(
    private readonly producer: Producer,
    private readonly offsetsTopic: string,
    private readonly relay: string,
  ) {}

  static async open(backend: Backend, relay: string, offsetsTopic: string): Promise<TransactionalPublisher> {
    const producer = await backend.createProducer({ clientId: `${relay}-relay`, transactionalId: `${relay}-relay`, transactionTimeoutMs: 60_000 });
    try {
      await producer.initTransactions();
    } catch (error) {
      await producer.close().catch(() => undefined);
      throw error;
    }
    return new TransactionalPublisher(producer, offsetsTopic, relay);
  }

  /** Resolves once the rows and `position` are committed; on failure the transaction is aborted and the error thrown. */
  async publish(rows: ReadonlyArray<OutboxRow>, position: unknown): Promise<void> {
    await this.producer.beginTransaction();
    try {
      for (const row of rows) {
        this.producer.send({
          topic: row.topic,
          key: row.key === null ? null : Buffer.from(row.key),
          value: row.value === null ? null : Buffer.from(row.value),
          headers: { 'outbox-id': Buffer.from(row.id) },
        });
      }
      this.producer.send(offsetRecord(this.offsetsTopic, this.relay, position));
      await this.producer.commitTransaction();
    } catch (error) {
      await this.producer.abortTransaction().catch(() => undefined);
      throw error;
    }
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
