/**
 * Customers as master data in PostgreSQL. Every change writes the row and an outbox row (topic `customers`, key
 * the decimal id, value the `Customer` JSON or null for a delete) in ONE transaction, so the topic receives
 * exactly the committed changes, through the outbox relay. The row is locked before the outbox insert, so two
 * changes of one customer commit — and are published — in the order they took the lock.
 */
import pg from 'pg';
import { appendToOutbox, ensureOutbox, outboxNames } from '../connect/outbox-table.js';
import type { Customer } from '../schemas.js';
import { TOPICS } from '../topics.js';

export const OUTBOX = outboxNames('outbox');
/** The customers relay's name: its replication slot, transactional id and offsets key. */
export const CUSTOMERS_RELAY = 'customers_relay';

export class CustomerStore {
  private constructor(
    /** Also serves the reports read next to the customers. */
    readonly pool: pg.Pool,
  ) {}

  /** Connects and creates the tables when missing (the migration is idempotent). */
  static async open(connectionString: string): Promise<CustomerStore> {
    const pool = new pg.Pool({ connectionString, max: 8, connectionTimeoutMillis: 5_000 });
    // An idle client losing its server (a PostgreSQL restart) must not crash the process.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new CustomerStore(pool);
  }

  async get(id: number): Promise<Customer | null> {
    const result = await this.pool.query<{ doc: Customer }>('select doc from customers where id = $1', [id]);
    return result.rows[0]?.doc ?? null;
  }

  /** Inserts or replaces the customer; returns whether it existed before. */
  async put(customer: Customer): Promise<boolean> {
    return this.inTransaction(async (client) => {
      const before = await client.query('select 1 from customers where id = $1 for update', [customer.id]);
      await client.query(
        'insert into customers (id, doc, updated_at) values ($1, $2, now()) on conflict (id) do update set doc = excluded.doc, updated_at = now()',
        [customer.id, JSON.stringify(customer)],
      );
      await appendToOutbox(client, OUTBOX.table, TOPICS.customers, String(customer.id), JSON.stringify(customer));
      return before.rowCount !== 0;
    });
  }

  /** Deletes the customer (a tombstone in the outbox); false when there was none. */
  async delete(id: number): Promise<boolean> {
    return this.inTransaction(async (client) => {
      const deleted = await client.query('delete from customers where id = $1', [id]);
      if (deleted.rowCount === 0) return false;
      await appendToOutbox(client, OUTBOX.table, TOPICS.customers, String(id), null);
      return true;
    });
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

async function migrate(client: pg.ClientBase): Promise<void> {
  await ensureOutbox(client, OUTBOX, CUSTOMERS_RELAY);
  // The id is a bigint (shop-spec's customer ids are non-negative integers); the document is the topic's value.
  await client.query(`
    create table if not exists customers (
      id bigint primary key,
      doc jsonb not null,
      updated_at timestamptz not null default now()
    )`);
}
