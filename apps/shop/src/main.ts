/**
 * The whole shop in one process: every service and the HTTP API, on the embedded log kept in DATA_DIR (or on
 * Kafka when KAFKA_BOOTSTRAP_SERVERS is set).
 */
import { openBackend } from './backend.js';
import { runProcess } from './lifecycle.js';
import { runtimeFromConfig } from './services/service-runtime.js';
import { loadSearchConfig } from './catalog/catalog-config.js';
import { HYBRID_OFF_HINT } from './customers/hybrid.js';
import { startShop } from './shop.js';

runProcess('shop', async (config, logger) => {
  const backend = await openBackend(config);
  const shop = await startShop({ ...runtimeFromConfig(config, backend, logger), search: loadSearchConfig(), databaseUrl: config.databaseUrl });
  if (config.databaseUrl === undefined) logger.info({ hybrid: 'OFF' }, `database hybrid off: ${HYBRID_OFF_HINT}`);
  const address = await shop.server.listen({ port: config.port, host: config.host });
  logger.info({ address, dataDir: config.dataDir, log: config.kafkaBootstrapServers ?? 'embedded' }, 'shop listening');
  return {
    close: async () => {
      await shop.close();
      await backend.close();
    },
  };
});
