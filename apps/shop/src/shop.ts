/**
 * Assembles the orders service (view, waiters, HTTP API) and, optionally, the background services, on one
 * backend, each streams app under a supervisor that replaces it after a failure. `main.ts` runs everything this
 * way; `services/run.ts` runs one part per process.
 */
import type { KafkaStreams, Logger } from '@tributary/streams';
import type { FastifyInstance } from 'fastify';
import { ForwardAuth } from './http/forward-auth.js';
import { shopConsoleSource } from './console/shop-console-source.js';
import { LongPollLimits, type LongPollLimitSettings } from './http/long-poll-limits.js';
import type { SearchConfig } from './catalog/catalog-config.js';
import { startCatalog, type RunningCatalog } from './catalog/catalog-service.js';
import { buildServer } from './http/server.js';
import { OrderWaiters } from './http/order-waiters.js';
import { PostedOrders } from './http/posted-orders.js';
import { TopicWriter } from './http/topic-writer.js';
import { SERVICES, type ServiceName } from './services/registry.js';
import { CommandViews, createCommandFeeds, createCommandViews, type CommandFeeds } from './services/command-views.js';
import { createOrdersView, OrdersView } from './services/orders-view.js';
import type { ServiceRuntime } from './services/service-runtime.js';
import { SupervisedApp, type BackoffSettings } from './services/supervisor.js';
import { ensureTopics } from './topics.js';
import { ensureCatalogTopics } from './catalog/catalog-topics.js';
import { storeDirectory } from './lookups/store-directory.js';
import { ensureLaterTopics } from './later/later-topics.js';
import { CustomerChangesRelay } from './later/customer-changes-relay.js';
import { startHybrid, type RunningHybrid } from './customers/hybrid.js';

export interface ShopOptions extends ServiceRuntime {
  /** Background services to run in this process besides the orders service (default: all of them). */
  readonly services?: ReadonlyArray<ServiceName>;
  /** `host:port` of this instance's HTTP API as other orders instances reach it (enables request routing). */
  readonly applicationServer?: string | undefined;
  /** Secret every orders instance of the deployment shares to sign forwarded requests; omitted: a random one. */
  readonly forwardSecret?: string | undefined;
  /** Bounds on held long polls (default `DEFAULT_LONG_POLL_LIMITS`). */
  readonly longPollLimits?: LongPollLimitSettings | undefined;
  /** Restart back-off of failed apps (default `DEFAULT_BACKOFF`). */
  readonly restartBackoff?: BackoffSettings | undefined;
  /** The catalog's search engine (default: the embedded index). */
  readonly search?: SearchConfig | undefined;
  /** PostgreSQL for the database hybrid (customers, outbox relay, orders report); absent: the hybrid is off. */
  readonly databaseUrl?: string | undefined;
}

export interface RunningShop {
  readonly server: FastifyInstance;
  readonly view: OrdersView;
  readonly waiters: OrderWaiters;
  /** The read side of the command topics (inventory read model, command and registration results). */
  readonly commands: CommandViews;
  readonly feeds: CommandFeeds;
  readonly longPolls: LongPollLimits;
  /** Every streams app of this process by service name, each under its supervisor. */
  readonly apps: ReadonlyMap<string, SupervisedApp>;
  /** The database hybrid, when on. */
  readonly hybrid: RunningHybrid | undefined;
  /** Stops answering, then closes every app and the producer; leaves the backend to its owner. */
  close(): Promise<void>;
}

export async function startShop(options: ShopOptions): Promise<RunningShop> {
  const { backend, logger } = options;
  await ensureTopics(backend);
  // The catalog's too: its pipeline is one of the background services.
  await ensureCatalogTopics(backend);
  // And those of the services added later (warranty, CRM import, order insights).
  await ensureLaterTopics(backend);
  const apps = new Map<string, SupervisedApp>();
  const waiters = new OrderWaiters();
  const feeds = createCommandFeeds();
  const posted = new PostedOrders();
  const longPolls = new LongPollLimits(options.longPollLimits);
  let writer: TopicWriter | undefined;
  let view: OrdersView | undefined;
  let commands: CommandViews | undefined;
  const supervise = async (name: string, create: () => KafkaStreams): Promise<SupervisedApp> => {
    const app = new SupervisedApp(name, create, logger, options.restartBackoff);
    apps.set(name, app);
    await app.start();
    return app;
  };
  let catalog: RunningCatalog | undefined;
  let relay: CustomerChangesRelay | undefined;
  let hybrid: RunningHybrid | undefined;
  try {
    for (const name of options.services ?? (Object.keys(SERVICES) as ServiceName[])) {
      await supervise(name, () => SERVICES[name](options));
    }
    const viewApp = await supervise('orders', () =>
      createOrdersView(
        options,
        (order) => {
          posted.seen(order.id);
          waiters.notify(order.id, order);
        },
        options.applicationServer,
      ),
    );
    view = new OrdersView(viewApp);
    const commandViewsApp = await supervise('command-views', () => createCommandViews(options, feeds, options.applicationServer));
    commands = new CommandViews(commandViewsApp);
    // Answering before the views have restored would report existing orders as missing (restored records are not
    // replayed to waiters), so the API starts only once they run.
    await viewApp.waitForRunning();
    await commandViewsApp.waitForRunning();
    catalog = await startCatalog(options, options.search ?? { engine: 'embedded' }, supervise);
    writer = await TopicWriter.start(() => backend.createProducer({ clientId: 'orders-service-api' }), logger);
    // This process owns `customers`: it applies the CRM import's changes through its own producer.
    relay = await CustomerChangesRelay.start(backend, writer, logger);
    if (options.databaseUrl !== undefined) hybrid = await startHybrid(backend, options.databaseUrl, logger);
  } catch (error) {
    await catalog?.close().catch(() => undefined);
    await relay?.close().catch(() => undefined);
    await closeAll(apps, writer, logger);
    throw error;
  }
  const server = buildServer(
    {
      view,
      commands,
      feeds,
      waiters,
      posted,
      writer,
      longPolls,
      forwarding: new ForwardAuth(options.forwardSecret),
      logger,
      services: apps,
      catalog: catalog.api,
      stores: { directory: storeDirectory(), app: (service) => runningApp(apps, service) },
      console: shopConsoleSource(apps, backend, logger),
      hybrid: hybrid?.api,
    },
    logger,
  );
  let closing: Promise<void> | undefined;
  return {
    server,
    view,
    waiters,
    commands,
    feeds,
    longPolls,
    apps,
    hybrid,
    close: () =>
      (closing ??= (async () => {
        // Long polls would hold the server open until they time out; answer them now.
        waiters.cancelAll();
        for (const waiting of Object.values(feeds)) waiting.cancelAll();
        await server.close().catch((error: unknown) => logger.warn({ err: String(error) }, 'closing the HTTP server failed'));
        await catalog?.close().catch((error: unknown) => logger.warn({ err: String(error) }, 'closing the catalog failed'));
        await relay?.close().catch((error: unknown) => logger.warn({ err: String(error) }, 'closing the customer changes relay failed'));
        await hybrid?.close().catch((error: unknown) => logger.warn({ err: String(error) }, 'closing the database hybrid failed'));
        await closeAll(apps, writer, logger);
      })()),
  };
}

/** The app of `service` in this process (the current one after restarts), or undefined when it runs elsewhere. */
function runningApp(apps: ReadonlyMap<string, SupervisedApp>, service: string): KafkaStreams | undefined {
  const supervised = apps.get(service);
  // `app` throws only when creating the app failed; its supervisor is retrying.
  return supervised !== undefined && supervised.state !== 'CREATED' ? supervised.app : undefined;
}

async function closeAll(apps: ReadonlyMap<string, SupervisedApp>, writer: TopicWriter | undefined, logger: Logger): Promise<void> {
  await Promise.all(
    [...apps].map(([name, app]) => app.close().catch((error: unknown) => logger.warn({ err: String(error), service: name }, 'closing failed'))),
  );
  await writer?.close().catch(() => undefined);
}
