/**
 * A reusable sink from topics into PostgreSQL: a consumer group reads the topics, each polled batch is written
 * by the caller's `write` in ONE PostgreSQL transaction, and only after that commits are the offsets committed.
 * Delivery is therefore at least once (a crash between the two replays the batch); `write` must be idempotent
 * and guarded (e.g. an upsert that applies a record only when its offset is newer than the row's), which makes
 * the effect exactly once and a replay from offset 0 a no-op. Failures (PostgreSQL gone, the log failing) end
 * the session; the sink waits and resumes from the committed offsets.
 */
import type { Backend, ConsumedRecord, Consumer, Logger } from '@tributary/streams';
import pg from 'pg';
import { SessionConnector, type ConnectorState } from './session-loop.js';

export interface TableSinkOptions {
  readonly backend: Backend;
  readonly connectionString: string;
  /** Consumer group; its committed offsets are the sink's progress. */
  readonly groupId: string;
  readonly topics: ReadonlyArray<string>;
  readonly logger: Logger;
  /** Creates the sink's tables (idempotent); run before each session. */
  readonly migrate?: (client: pg.ClientBase) => Promise<void>;
  /** Writes one batch inside an open transaction; must be idempotent (see above). */
  readonly write: (client: pg.ClientBase, records: ReadonlyArray<ConsumedRecord>) => Promise<void>;
  readonly maxBatch?: number;
}

export type SinkState = ConnectorState;

export class TableSink extends SessionConnector {
  private written = 0;

  constructor(private readonly options: TableSinkOptions) {
    super({ logger: options.logger, logFields: { sink: options.groupId }, retryMessage: 'table sink session ended; retrying' });
  }

  /** Records written so far by this instance (replays included). */
  get recordsWritten(): number {
    return this.written;
  }

  protected async session(onRunning: () => void): Promise<void> {
    const { backend, groupId, topics, write } = this.options;
    const client = new pg.Client({ connectionString: this.options.connectionString });
    // A dropped connection surfaces as a failed query; the event itself must not crash the process.
    client.on('error', () => undefined);
    let consumer: Consumer | undefined;
    try {
      await client.connect();
      await this.options.migrate?.(client);
      consumer = await backend.createConsumer({
        clientId: `${groupId}-sink`,
        groupId,
        isolationLevel: 'read_committed',
        autoOffsetReset: 'earliest',
      });
      await consumer.subscribe(topics, { onPartitionsAssigned: async () => undefined, onPartitionsRevoked: async () => undefined });
      onRunning();
      while (!this.sessions.closed) {
        const records = await consumer.poll(this.options.maxBatch ?? 1000, 200);
        if (records.length === 0) continue;
        await client.query('begin');
        try {
          await write(client, records);
          await client.query('commit');
        } catch (error) {
          await client.query('rollback').catch(() => undefined);
          throw error;
        }
        this.written += records.length;
        await consumer.commit(nextOffsets(records));
      }
    } finally {
      await consumer?.close().catch(() => undefined);
      await client.end().catch(() => undefined);
    }
  }
}

/** The offsets to commit after `records`: per partition, one past the last record. */
function nextOffsets(records: ReadonlyArray<ConsumedRecord>): Array<{ topic: string; partition: number; offset: number }> {
  const next = new Map<string, { topic: string; partition: number; offset: number }>();
  for (const r of records) {
    const key = `${r.topic}\u0000${r.partition}`;
    const seen = next.get(key);
    if (seen === undefined || seen.offset <= r.offset) next.set(key, { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
  }
  return [...next.values()];
}
