/**
 * The outbox table any app can write to in its own transactions, and what the relay needs around it: a
 * publication of its inserts (pgoutput streams only published tables) and a permanent logical replication slot.
 * Each row names its topic, key and value, so one outbox serves any number of topics.
 */
import type pg from 'pg';

/** One outbox row as the relays read it (`value` null: a tombstone). */
export interface OutboxRow {
  readonly id: string;
  readonly topic: string;
  readonly key: string | null;
  readonly value: string | null;
}

export interface OutboxNames {
  /** Unqualified table name in the connection's default schema (default `outbox`). */
  readonly table: string;
  /** Publication the logical relay reads (default `<table>_pub`). */
  readonly publication: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Names are spliced into SQL (identifiers cannot be bound as parameters), so only plain ones are taken. */
export function checkIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Not a plain lower-case SQL identifier: ${name}`);
  return name;
}

export function outboxNames(table = 'outbox', publication?: string): OutboxNames {
  return { table: checkIdentifier(table), publication: checkIdentifier(publication ?? `${table}_pub`) };
}

/**
 * Creates the table and its publication when missing, and with `slot` the relay's replication slot too: a slot
 * sees only changes made after it exists, so it must exist before the first outbox row is written (when the
 * server has no logical decoding, `wal_level` below `logical`, the slot is left out: the polling relay needs
 * none). `txid` (the writing transaction's id, xid8) is what the
 * polling relay orders by; the logical relay needs only the insert. Serialised by an advisory lock so that several
 * processes starting at once do not race on `CREATE PUBLICATION`.
 */
export async function ensureOutbox(client: pg.ClientBase, names: OutboxNames, slot?: string): Promise<void> {
  await client.query('select pg_advisory_lock(hashtext($1))', [`tributary-outbox:${names.table}`]);
  try {
    await client.query(`
      create table if not exists ${names.table} (
        id bigserial primary key,
        topic text not null,
        key text,
        value text,
        txid xid8 not null default pg_current_xact_id(),
        created_at timestamptz not null default now()
      )`);
    // `create index if not exists` takes its lock on the table before it finds the index there: a relay starting
    // while a writer's transaction is open on the outbox would wait for it, and every later writer behind the relay.
    const index = await client.query<{ found: string | null }>('select to_regclass($1)::text as found', [`${names.table}_txid_idx`]);
    if (index.rows[0]?.found == null) await client.query(`create index if not exists ${names.table}_txid_idx on ${names.table} (txid, id)`);
    const pub = await client.query('select 1 from pg_publication where pubname = $1', [names.publication]);
    // Inserts only: the relay's own clean-up deletes must not be streamed back to it.
    if (pub.rowCount === 0) await client.query(`create publication ${names.publication} for table ${names.table} with (publish = 'insert')`);
    if (slot !== undefined && (await logicalDecoding(client))) await ensureSlot(client, slot);
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', [`tributary-outbox:${names.table}`]);
  }
}

/** Whether the server can decode its WAL logically (`wal_level = logical`). */
export async function logicalDecoding(client: pg.ClientBase | pg.Pool): Promise<boolean> {
  const result = await client.query<{ wal_level: string }>('show wal_level');
  return result.rows[0]?.wal_level === 'logical';
}

/** Creates the permanent pgoutput slot when missing; it keeps the WAL the relay has not acknowledged yet. */
export async function ensureSlot(client: pg.ClientBase, slot: string): Promise<void> {
  checkIdentifier(slot);
  const found = await client.query('select 1 from pg_replication_slots where slot_name = $1', [slot]);
  if (found.rowCount !== 0) return;
  try {
    await client.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
  } catch (error) {
    // Another process created it between the check and here.
    if ((error as { code?: string }).code !== '42710') throw error;
  }
}

/**
 * Deletes rows that are published. Best effort: a row left behind (a crash between publishing and this) is never
 * published again, because the relays track their position in the log, not in the table.
 */
export async function deletePublished(client: pg.ClientBase, table: string, ids: ReadonlyArray<string>): Promise<void> {
  if (ids.length > 0) await client.query(`delete from ${table} where id = any($1::bigint[])`, [ids]);
}

/** Appends one outbox row inside the caller's transaction. */
export async function appendToOutbox(client: pg.ClientBase, table: string, topic: string, key: string | null, value: string | null): Promise<void> {
  await client.query(`insert into ${table} (topic, key, value) values ($1, $2, $3)`, [topic, key, value]);
}
