/**
 * The outbox relay for servers without logical decoding (`wal_level` below `logical`, managed services without
 * replication rights): it polls the outbox table. Rows are read in (writing transaction id, row id) order and only
 * below the xmin of a fresh snapshot (`pg_snapshot_xmin(pg_current_snapshot())`): every transaction with a smaller
 * id has ended, so all such committed rows are visible now and none can appear later. Ordering by the serial id
 * instead would skip a row whose transaction took its id early and committed late.
 *
 * Exactly-once effect as in the logical relay: the rows and the (txid, id) position they end at are appended in
 * one producer transaction, and a restart resumes after the last published position. A customer's changes keep
 * their order because each change locks the customer row first, which assigns its transaction id: a later change
 * of the same customer waits for that lock and so gets a larger id.
 *
 * Cost: a poll every `pollIntervalMs`, and a long-running transaction anywhere on the server holds xmin back, which
 * delays (never reorders or loses) publishing.
 */
import type { Backend, Logger } from '@tributary/streams';
import pg from 'pg';
import { deletePublished, ensureOutbox, outboxNames, type OutboxNames, type OutboxRow } from './outbox-table.js';
import type { RelaySource } from './relay-source.js';
import { ensureOffsetsTopic, readLastPosition } from './relay-offsets.js';
import { SessionConnector } from './session-loop.js';
import { TransactionalPublisher } from './transactional-publisher.js';

export interface PollingOutboxRelayOptions {
  readonly backend: Backend;
  readonly connectionString: string;
  /** Names the transactional id and the offsets record; one running relay per name. */
  readonly name: string;
  readonly table?: string;
  readonly offsetsTopic?: string;
  readonly logger: Logger;
  /** Pause between polls that found nothing (default 100 ms). */
  readonly pollIntervalMs?: number;
  /** Most rows per poll and log transaction (default 1000). */
  readonly maxBatch?: number;
}

interface Position {
  readonly txid: string;
  readonly id: string;
}

export class PollingOutboxRelay extends SessionConnector implements RelaySource {
  private readonly names: OutboxNames;
  private readonly offsetsTopic: string;
  private published: Position | undefined;

  constructor(private readonly options: PollingOutboxRelayOptions) {
    super({ logger: options.logger, logFields: { relay: options.name }, retryMessage: 'polling outbox relay failed; retrying' });
    this.names = outboxNames(options.table);
    this.offsetsTopic = options.offsetsTopic ?? 'relay-offsets';
  }

  get position(): string | undefined {
    return this.published === undefined ? undefined : `${this.published.txid}/${this.published.id}`;
  }

  protected async session(onRunning: () => void): Promise<void> {
    const { backend, name } = this.options;
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on('error', () => undefined);
    let publisher: TransactionalPublisher | undefined;
    try {
      await client.connect();
      await ensureOutbox(client, this.names);
      await ensureOffsetsTopic(backend, this.offsetsTopic);
      publisher = await TransactionalPublisher.open(backend, name, this.offsetsTopic);
      const stored = (await readLastPosition(backend, this.offsetsTopic, name)) as Partial<Position> | undefined;
      let position: Position = stored?.txid !== undefined && stored.id !== undefined ? { txid: stored.txid, id: stored.id } : { txid: '0', id: '0' };
      this.published = position;
      onRunning();
      while (!this.sessions.closed) {
        const result = await client.query<OutboxRow & { txid: string }>(
          `select id::text as id, topic, key, value, txid::text as txid from ${this.names.table}
           where txid < pg_snapshot_xmin(pg_current_snapshot()) and (txid, id) > ($1::xid8, $2::bigint)
           order by txid, id limit $3`,
          [position.txid, position.id, this.options.maxBatch ?? 1000],
        );
        const rows = result.rows;
        if (rows.length === 0) {
          await this.sessions.pause(this.options.pollIntervalMs ?? 100);
          continue;
        }
        const last = rows[rows.length - 1]!;
        const next: Position = { txid: last.txid, id: last.id };
        await publisher.publish(
          rows.map((r) => ({ id: r.id, topic: r.topic, key: r.key, value: r.value })),
          next,
        );
        position = next;
        this.published = next;
        await deletePublished(
          client,
          this.names.table,
          rows.map((r) => r.id),
        );
      }
    } finally {
      await publisher?.close().catch(() => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
