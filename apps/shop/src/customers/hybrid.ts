/**
 * The database hybrid, on when DATABASE_URL is set: customers live in PostgreSQL and reach `customers` through
 * the outbox relay; `orders` and `orders-enriched` flow back into `orders_report` through a table sink. Off, the
 * customer endpoints write the topic directly (shop-spec.md) and the health check says how to turn it on.
 */
import type { Backend, Logger } from '@tributary/streams';
import { OutboxRelay } from '../connect/outbox-relay.js';
import { logicalDecoding } from '../connect/outbox-table.js';
import { PollingOutboxRelay } from '../connect/polling-outbox-relay.js';
import type { RelaySource, RelayState } from '../connect/relay-source.js';
import type { SinkState, TableSink } from '../connect/table-sink.js';
import type { Customer } from '../schemas.js';
import { CUSTOMERS_RELAY, CustomerStore, OUTBOX } from './customer-store.js';
import { createOrdersReportSink, migrateOrdersReport, readOrderReport, type OrderReport } from './orders-report.js';

export const HYBRID_OFF_HINT = 'set DATABASE_URL=postgres://… (npm run pg:start prints one) to keep customers in PostgreSQL';

/** What the HTTP API uses of the hybrid. */
export interface HybridApi {
  getCustomer(id: number): Promise<Customer | null>;
  putCustomer(customer: Customer): Promise<boolean>;
  deleteCustomer(id: number): Promise<boolean>;
  orderReport(id: string): Promise<OrderReport | null>;
  status(): HybridStatus;
}

export interface HybridStatus {
  readonly state: 'ON';
  readonly relay: RelayState;
  /** `logical` (pgoutput) when the server has `wal_level=logical`, else `polling`. */
  readonly relayMode: 'logical' | 'polling';
  /** The last published source position (an LSN, or `txid/id` when polling). */
  readonly position?: string;
  readonly sink: SinkState;
  readonly failing?: Record<string, string>;
}

export interface RunningHybrid {
  readonly api: HybridApi;
  readonly relay: RelaySource;
  readonly sink: TableSink;
  close(): Promise<void>;
}

export async function startHybrid(backend: Backend, databaseUrl: string, logger: Logger): Promise<RunningHybrid> {
  const store = await CustomerStore.open(databaseUrl);
  try {
    await migrateOrdersReport(store.pool);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  let logical: boolean;
  try {
    logical = await logicalDecoding(store.pool);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  const relayOptions = { backend, connectionString: databaseUrl, name: CUSTOMERS_RELAY, table: OUTBOX.table, logger };
  const relay: RelaySource = logical ? new OutboxRelay(relayOptions) : new PollingOutboxRelay(relayOptions);
  if (!logical) logger.warn({ relay: CUSTOMERS_RELAY }, 'the server has no logical decoding (wal_level != logical): the outbox relay polls');
  const sink = createOrdersReportSink(backend, databaseUrl, logger);
  relay.start();
  sink.start();
  const api: HybridApi = {
    getCustomer: (id) => store.get(id),
    putCustomer: (customer) => store.put(customer),
    deleteCustomer: (id) => store.delete(id),
    orderReport: (id) => readOrderReport(store.pool, id),
    status: () => {
      const failing: Record<string, string> = {};
      if (relay.failure !== undefined && relay.state === 'WAITING') failing['relay'] = relay.failure;
      if (sink.failure !== undefined && sink.state === 'WAITING') failing['sink'] = sink.failure;
      return {
        state: 'ON',
        relay: relay.state,
        relayMode: logical ? 'logical' : 'polling',
        ...(relay.position !== undefined ? { position: relay.position } : {}),
        sink: sink.state,
        ...(Object.keys(failing).length > 0 ? { failing } : {}),
      };
    },
  };
  return {
    api,
    relay,
    sink,
    close: async () => {
      await Promise.all([relay.close(), sink.close()]);
      await store.close().catch(() => undefined);
    },
  };
}
