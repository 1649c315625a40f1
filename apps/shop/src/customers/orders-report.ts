/**
 * `orders_report`: orders and their customer level, written back from `orders` and `orders-enriched` by a
 * `TableSink`. Each upsert is guarded by the source offset kept per topic in the row: a record applies only when
 * its offset is newer than the one that last wrote those columns (an order id is a key, so all its records sit in
 * one partition in order), so a replay, even from offset 0, neither duplicates nor regresses a row.
 */
import type { Backend, ConsumedRecord, Logger } from '@tributary/streams';
import pg from 'pg';
import { TableSink } from '../connect/table-sink.js';
import { OrderEnrichedSchema, OrderSchema } from '../schemas.js';
import { TOPICS } from '../topics.js';

export const ORDERS_REPORT_GROUP = 'orders-report-sink';

export interface OrderReport {
  readonly id: string;
  readonly customerId: number;
  readonly state: string;
  readonly product: string;
  readonly quantity: number;
  readonly price: number;
  readonly customerLevel?: string;
}

export async function migrateOrdersReport(client: pg.ClientBase | pg.Pool): Promise<void> {
  await client.query(`
    create table if not exists orders_report (
      id text primary key,
      customer_id bigint,
      state text,
      product text,
      quantity double precision,
      price double precision,
      customer_level text,
      orders_offset bigint,
      enriched_offset bigint
    )`);
}

const UPSERT_ORDER = `
  insert into orders_report (id, customer_id, state, product, quantity, price, orders_offset)
  values ($1, $2, $3, $4, $5, $6, $7)
  on conflict (id) do update set
    customer_id = excluded.customer_id, state = excluded.state, product = excluded.product,
    quantity = excluded.quantity, price = excluded.price, orders_offset = excluded.orders_offset
  where orders_report.orders_offset is null or orders_report.orders_offset < excluded.orders_offset`;

const UPSERT_ENRICHED = `
  insert into orders_report (id, customer_id, customer_level, enriched_offset)
  values ($1, $2, $3, $4)
  on conflict (id) do update set
    customer_level = excluded.customer_level, enriched_offset = excluded.enriched_offset,
    customer_id = coalesce(orders_report.customer_id, excluded.customer_id)
  where orders_report.enriched_offset is null or orders_report.enriched_offset < excluded.enriched_offset`;

/** Applies one batch; records that are not valid JSON of their topic's shape are skipped (and logged). */
export async function writeOrdersReport(client: pg.ClientBase, records: ReadonlyArray<ConsumedRecord>, logger: Logger): Promise<void> {
  for (const record of records) {
    const value = parse(record.value);
    if (record.topic === TOPICS.orders) {
      const order = OrderSchema.safeParse(value);
      if (!order.success) {
        logger.warn({ topic: record.topic, offset: record.offset }, 'orders_report: skipping an unreadable order');
        continue;
      }
      const o = order.data;
      await client.query(UPSERT_ORDER, [o.id, o.customerId, o.state, o.product, o.quantity, o.price, record.offset]);
    } else if (record.topic === TOPICS.ordersEnriched) {
      const enriched = OrderEnrichedSchema.safeParse(value);
      if (!enriched.success) {
        logger.warn({ topic: record.topic, offset: record.offset }, 'orders_report: skipping an unreadable enriched order');
        continue;
      }
      const e = enriched.data;
      await client.query(UPSERT_ENRICHED, [e.id, e.customerId, e.customerLevel, record.offset]);
    }
  }
}

function parse(value: Buffer | null): unknown {
  if (value === null) return null;
  try {
    return JSON.parse(value.toString()) as unknown;
  } catch {
    return null;
  }
}

export function createOrdersReportSink(backend: Backend, connectionString: string, logger: Logger, groupId = ORDERS_REPORT_GROUP): TableSink {
  return new TableSink({
    backend,
    connectionString,
    groupId,
    topics: [TOPICS.orders, TOPICS.ordersEnriched],
    logger,
    migrate: migrateOrdersReport,
    write: (client, records) => writeOrdersReport(client, records, logger),
  });
}

interface ReportRow {
  id: string;
  customer_id: string | null;
  state: string | null;
  product: string | null;
  quantity: number | null;
  price: number | null;
  customer_level: string | null;
}

/** The report of order `id`, or null while its order record has not arrived. */
export async function readOrderReport(pool: pg.Pool, id: string): Promise<OrderReport | null> {
  const result = await pool.query<ReportRow>(
    'select id, customer_id, state, product, quantity, price, customer_level from orders_report where id = $1',
    [id],
  );
  const row = result.rows[0];
  if (row === undefined || row.state === null || row.customer_id === null) return null;
  return {
    id: row.id,
    customerId: Number(row.customer_id),
    state: row.state,
    product: row.product ?? '',
    quantity: row.quantity ?? 0,
    price: row.price ?? 0,
    ...(row.customer_level !== null ? { customerLevel: row.customer_level } : {}),
  };
}
