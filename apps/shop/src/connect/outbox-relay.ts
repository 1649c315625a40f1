/**
 * The outbox relay on logical replication: a reusable source that streams the inserts of an outbox table
 * (pgoutput, through a permanent slot) to the topics its rows name, with exactly-once effect:
 *
 * - the records of one or more PostgreSQL transactions and the commit LSN they end at are appended in ONE
 *   transaction of the backend's transactional producer (`TransactionalPublisher`);
 * - only then is that LSN acknowledged to PostgreSQL (so the slot keeps everything not yet published);
 * - on (re)start the relay reads the last published LSN back from the offsets topic and skips every transaction
 *   that committed at or before it (PostgreSQL resends from the last *acknowledged* LSN, which may be older).
 *
 * Transactions arrive in commit order and records of one key go to one partition in order, so every key's
 * changes land in commit order. Any failure (PostgreSQL gone, the log failing, a fenced producer) ends the
 * session; the relay then waits and starts a new one from the published LSN.
 */
import type { Backend, Logger } from '@tributary/streams';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import pg from 'pg';
import { formatLsn, parseLsn, type Lsn } from './lsn.js';
import { deletePublished, ensureOutbox, ensureSlot, outboxNames, type OutboxNames, type OutboxRow } from './outbox-table.js';
import { ensureOffsetsTopic, readLastPosition } from './relay-offsets.js';
import type { RelaySource } from './relay-source.js';
import { SessionConnector } from './session-loop.js';
import { TransactionalPublisher } from './transactional-publisher.js';

export interface OutboxRelayOptions {
  readonly backend: Backend;
  /** `postgres://…` of the database holding the outbox. */
  readonly connectionString: string;
  /** Names the slot, the transactional id and the offsets record; one running relay per name. */
  readonly name: string;
  readonly table?: string;
  /** One-partition compacted topic of published positions (default `relay-offsets`). */
  readonly offsetsTopic?: string;
  readonly logger: Logger;
  /** Most PostgreSQL transactions per log transaction (default 500). */
  readonly maxBatch?: number;
  /** How long a batch may wait for more transactions before it is published (default 5 ms). */
  readonly lingerMs?: number;
  /** Called after each published batch (tests and metrics). */
  readonly onPublished?: (info: PublishedBatch) => void;
}

export interface PublishedBatch {
  readonly lsn: string;
  readonly records: number;
  /** Commit time of each PostgreSQL transaction of the batch (epoch ms, the server's clock), oldest first. */
  readonly commitTimesMs: ReadonlyArray<number>;
}


interface PendingTxn {
  readonly rows: OutboxRow[];
  readonly endLsn: Lsn;
  readonly commitMs: number;
}

export class OutboxRelay extends SessionConnector implements RelaySource {
  private readonly names: OutboxNames;
  private readonly offsetsTopic: string;
  private streaming: { stop(): Promise<void> } | undefined;
  private published: Lsn | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    super({ logger: options.logger, logFields: { relay: options.name }, retryMessage: 'outbox relay session ended; retrying' });
    this.names = outboxNames(options.table);
    this.offsetsTopic = options.offsetsTopic ?? 'relay-offsets';
  }

  /** The last published LSN. */
  get position(): string | undefined {
    return this.published === undefined ? undefined : formatLsn(this.published);
  }

  override async close(): Promise<void> {
    // The replication stream does not watch for close: stopping it ends the session.
    await this.sessions.close(async () => this.streaming?.stop());
  }

  /** One replication session: resolves or rejects when it ends. */
  protected async session(onRunning: () => void): Promise<void> {
    const { backend, name, logger } = this.options;
    const maxBatch = this.options.maxBatch ?? 500;
    const lingerMs = this.options.lingerMs ?? 5;
    const system = await this.prepare();
    await ensureOffsetsTopic(backend, this.offsetsTopic);
    // For deleting published rows; replication connections cannot run ordinary statements.
    const cleaner = new pg.Client({ connectionString: this.options.connectionString });
    cleaner.on('error', () => undefined);
    let publisher: TransactionalPublisher;
    try {
      await cleaner.connect();
      publisher = await TransactionalPublisher.open(backend, name, this.offsetsTopic);
    } catch (error) {
      await cleaner.end().catch(() => undefined);
      throw error;
    }
    const service = new LogicalReplicationService(
      { connectionString: this.options.connectionString },
      // Acknowledgements are ours alone: the library's automatic ones would confirm LSNs not yet published.
      { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } },
    );
    let stopping = false;
    this.streaming = {
      stop: async () => {
        stopping = true;
        await service.stop();
      },
    };
    try {
      const position = (await readLastPosition(backend, this.offsetsTopic, name)) as { lsn?: string; system?: string } | undefined;
      // LSNs mean something only on the cluster that wrote them: a position from another one (a re-created
      // database behind the same log) would skip real changes, so it is ignored, loudly.
      const samePlace = position?.system === undefined || position.system === system;
      if (!samePlace) logger.warn({ relay: name, stored: position?.system, system }, 'outbox relay: the published position is from another PostgreSQL cluster; ignoring it');
      let published: Lsn = position?.lsn !== undefined && samePlace ? parseLsn(position.lsn) : 0n;
      this.published = published;
      let current: OutboxRow[] | undefined;
      const pending: PendingTxn[] = [];
      let failed: Error | undefined;
      let chain: Promise<void> = Promise.resolve();
      let linger: NodeJS.Timeout | undefined;

      const acknowledge = (lsn: Lsn): void => {
        void service.acknowledge(formatLsn(lsn)).catch(() => undefined);
      };
      const flush = (): Promise<void> => {
        if (linger !== undefined) clearTimeout(linger);
        linger = undefined;
        chain = chain.then(publishPending);
        return chain;
      };
      const publishPending = async (): Promise<void> => {
        if (pending.length === 0 || failed !== undefined) return;
        const batch = pending.splice(0);
        const rows = batch.flatMap((t) => t.rows);
        const last = batch[batch.length - 1]!;
        try {
          await publisher.publish(rows, { lsn: formatLsn(last.endLsn), system });
        } catch (error) {
          failed = error instanceof Error ? error : new Error(String(error));
          void service.stop();
          return;
        }
        published = last.endLsn;
        this.published = published;
        acknowledge(published);
        const ids = rows.map((r) => r.id);
        void deletePublished(cleaner, this.names.table, ids).catch((error: unknown) =>
          logger.debug({ relay: name, err: String(error) }, 'outbox relay: deleting published rows failed (they stay, harmless)'),
        );
        this.options.onPublished?.({ lsn: formatLsn(published), records: rows.length, commitTimesMs: batch.map((t) => t.commitMs) });
      };

      service.on('data', async (_lsn: string, message: Pgoutput.Message) => {
        if (message.tag === 'begin') {
          current = [];
        } else if (message.tag === 'insert' && current !== undefined && message.relation.name === this.names.table) {
          const row = message.new as Record<string, unknown>;
          current.push({
            id: String(row['id']),
            topic: String(row['topic']),
            key: row['key'] === null || row['key'] === undefined ? null : String(row['key']),
            value: row['value'] === null || row['value'] === undefined ? null : String(row['value']),
          });
        } else if (message.tag === 'commit') {
          const rows = current ?? [];
          current = undefined;
          const endLsn = parseLsn(message.commitEndLsn ?? '0/0');
          // Already in the log: published before a crash that came before its acknowledgement.
          if (endLsn <= published || rows.length === 0) return;
          pending.push({ rows, endLsn, commitMs: Number(message.commitTime) / 1000 });
          if (pending.length >= maxBatch) await flush();
          else linger ??= setTimeout(() => void flush(), lingerMs);
        }
      });
      service.on('heartbeat', (_lsn: string, _timestamp: number, shouldRespond: boolean) => {
        // The server asks for a status to know the relay is alive; the answer is the published LSN, nothing newer.
        // (Confirming the keepalive's own LSN while idle was tried and lost a change under the SIGKILL test: that
        // LSN can be ahead of what the relay has received.)
        if (shouldRespond) acknowledge(published);
      });
      const ended = new Promise<never>((_resolve, reject) => {
        service.on('error', (error: Error) => reject(error));
      });
      service.on('start', () => {
        onRunning();
        logger.info({ relay: name, publishedLsn: formatLsn(published) }, 'outbox relay streaming');
      });
      const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [this.names.publication] });
      await Promise.race([service.subscribe(plugin, name, formatLsn(published)), ended]);
      await flush();
      if (failed !== undefined) throw failed;
      if (!stopping) throw new Error('the replication connection ended');
    } finally {
      this.streaming = undefined;
      await service.stop().catch(() => undefined);
      await publisher.close().catch(() => undefined);
      await cleaner.end().catch(() => undefined);
    }
  }

  /** The outbox, its publication and the slot exist before streaming starts; returns the cluster's identifier. */
  private async prepare(): Promise<string> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await ensureOutbox(client, this.names, this.options.name);
      // Explicitly too: a relay on a server without logical decoding must fail here, loudly, not stream nothing.
      await ensureSlot(client, this.options.name);
      const id = await client.query<{ id: string }>('select system_identifier::text as id from pg_control_system()');
      return id.rows[0]?.id ?? 'unknown';
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

