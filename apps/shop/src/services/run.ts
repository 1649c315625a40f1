/**
 * Runs one part of the shop as its own process against Kafka:
 *   KAFKA_BOOTSTRAP_SERVERS=host:9092 node apps/shop/dist/services/run.js <service>
 * where <service> is `orders` (the HTTP API and its view) or a background service. Run several processes of one
 * service with different DATA_DIRs to share its partitions.
 */
import { openBackend } from '../backend.js';
import { runProcess } from '../lifecycle.js';
import { loadSearchConfig } from '../catalog/catalog-config.js';
import { startShop } from '../shop.js';
import { ensureTopics } from '../topics.js';
import { ensureCatalogTopics } from '../catalog/catalog-topics.js';
import { ensureLaterTopics } from '../later/later-topics.js';
import { isServiceName, SERVICES } from './registry.js';
import { runtimeFromConfig } from './service-runtime.js';
import { SupervisedApp } from './supervisor.js';

const names = ['orders', ...Object.keys(SERVICES)];
const service = process.argv[2] ?? '';
/**
 * `run.js orders warranty order-insights`: background services hosted by the API process, so that their stores are
 * queryable through `/v1/stores` (a store is read where its app runs).
 */
const hosted = process.argv.slice(3);
if (!names.includes(service) || hosted.some((name) => !isServiceName(name)) || (service !== 'orders' && hosted.length > 0)) {
  console.error(`Usage: node apps/shop/dist/services/run.js <service> | orders [<service hosted with the API>...]\n  services: ${names.join(', ')}`);
  process.exit(2);
}
if (!process.env['KAFKA_BOOTSTRAP_SERVERS']) {
  // The embedded log lives inside one process; separate processes can only meet on a broker.
  console.error('KAFKA_BOOTSTRAP_SERVERS is required to run a service on its own (use `npm start` for the all-in-one shop).');
  process.exit(2);
}

runProcess(service, async (config, logger) => {
  const backend = await openBackend(config);
  const runtime = runtimeFromConfig(config, backend, logger);
  if (isServiceName(service)) {
    await ensureTopics(backend);
    await ensureCatalogTopics(backend);
    await ensureLaterTopics(backend);
    // No HTTP API here: nothing could answer at an announced address (see ServiceRuntime.applicationServer).
    const app = new SupervisedApp(service, () => SERVICES[service]({ ...runtime, applicationServer: undefined }), logger);
    await app.start();
    logger.info({ service }, 'service started');
    return {
      close: async () => {
        await app.close();
        await backend.close();
      },
    };
  }
  const shop = await startShop({ ...runtime, services: hosted.filter(isServiceName), search: loadSearchConfig() });
  const address = await shop.server.listen({ port: config.port, host: config.host });
  logger.info({ address }, 'orders service listening');
  return {
    close: async () => {
      await shop.close();
      await backend.close();
    },
  };
});
