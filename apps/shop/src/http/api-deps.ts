/** What the HTTP API needs from the rest of the shop; `server.ts` wires it, tests may fake parts of it. */
import type { Logger } from '@tributary/streams';
import type { CatalogApi } from '../catalog/catalog-service.js';
import type { HybridApi } from '../customers/hybrid.js';
import type { Inventory, Order } from '../schemas.js';
import type { ServiceFailure } from '../services/supervisor.js';
import type { ForwardAuth } from './forward-auth.js';
import type { LongPollLimits } from './long-poll-limits.js';
import type { OrderWaiters } from './order-waiters.js';
import type { PostedOrders } from './posted-orders.js';
import type { TopicWriter } from './topic-writer.js';

/** The local materialized views the API reads (see services/orders-view.ts). */
export interface ReadModel {
  /** False until the view's app is RUNNING: reads would be incomplete. */
  readonly ready: boolean;
  order(id: string): Order | null;
  inventory(product: string): Inventory | null;
  reserved(product: string): number;
  /** Another instance that owns order `id`, when there is one (requests for it are forwarded there). */
  remoteOwner(id: string): { readonly host: string; readonly port: number } | undefined;
}

export interface ApiDeps {
  readonly view: ReadModel;
  readonly waiters: OrderWaiters;
  readonly posted: PostedOrders;
  readonly writer: TopicWriter;
  readonly longPolls: LongPollLimits;
  readonly forwarding: ForwardAuth;
  /** Where request-level problems the client must not see (a failed forward, a 5xx) are told. */
  readonly logger: Logger;
  /** Every streams app of this process, by service name: its state, its last failure, how often it restarted. */
  readonly services: ReadonlyMap<string, ServiceStatus>;
  /** The catalog's search, products, rejects and feeds (absent: no catalog routes). */
  readonly catalog?: CatalogApi | undefined;
  /** Customers in PostgreSQL and the orders report (absent: the database hybrid is off). */
  readonly hybrid?: HybridApi | undefined;
}

export interface ServiceStatus {
  readonly state: string;
  readonly failure: ServiceFailure | undefined;
  readonly restarts: number;
}
