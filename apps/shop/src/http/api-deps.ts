/** What the HTTP API needs from the rest of the shop; `server.ts` wires it, tests may fake parts of it. */
import type { Logger } from '@tributary/streams';
import type { CatalogApi } from '../catalog/catalog-service.js';
import type { ConsoleSource } from '../console/console-source.js';
import type { CommandResult, Stock } from '../inventory/schemas.js';
import type { RegistrationEvent } from '../registrations/schemas.js';
import type { Order } from '../schemas.js';
import type { CommandFeeds } from '../services/command-views.js';
import type { StoreLookups } from '../lookups/store-lookups.js';
import type { HybridApi } from '../customers/hybrid.js';
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
  /** Another instance that owns order `id`, when there is one (requests for it are forwarded there). */
  remoteOwner(id: string): { readonly host: string; readonly port: number } | undefined;
}

/** The read side of the command topics (see services/command-views.ts), each store routed by its key. */
export interface CommandReadModel {
  stock(product: string): Stock | null;
  commandResult(commandId: string): CommandResult | null;
  registration(commandId: string): RegistrationEvent | null;
  /** The customer that holds `email` (normalised), or null. */
  ownerOfEmail(email: string): { readonly customerId: string; readonly email: string; readonly username: string } | null;
  /** Another instance that owns `key` in `storeName`, when there is one. */
  remoteOwner(storeName: string, key: string): { readonly host: string; readonly port: number } | undefined;
}

export interface ApiDeps {
  readonly view: ReadModel;
  readonly commands: CommandReadModel;
  /** The long-poll waiters the command views feed. */
  readonly feeds: CommandFeeds;
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
  /** Every service's queryable stores and this process's apps (absent: no `/v1/stores` routes). */
  readonly stores?: StoreLookups | undefined;
  /** What the operations console at `/console` reads (absent: no console). */
  readonly console?: ConsoleSource | undefined;
  /** Customers in PostgreSQL and the orders report (absent: the database hybrid is off). */
  readonly hybrid?: HybridApi | undefined;
}

export interface ServiceStatus {
  readonly state: string;
  readonly failure: ServiceFailure | undefined;
  readonly restarts: number;
}
