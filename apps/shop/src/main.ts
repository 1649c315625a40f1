/**
 * The whole shop in one process: every service and the HTTP API, on the embedded log kept in DATA_DIR (or on
 * Kafka when KAFKA_BOOTSTRAP_SERVERS is set).
 */
import { join } from 'node:path';
import { fileEmailSender } from './email/email-sender.js';
import { openBackend } from './backend.js';
import { runProcess } from './lifecycle.js';
import { startShop } from './shop.js';

runProcess('shop', async (config, logger) => {
  const backend = await openBackend(config);
  const shop = await startShop({
    backend,
    stateDir: config.stateDir,
    logger,
    commitIntervalMs: config.commitIntervalMs,
    emailSender: fileEmailSender(join(config.dataDir, 'emails.jsonl')),
    applicationServer: config.applicationServer,
  });
  const address = await shop.server.listen({ port: config.port, host: config.host });
  logger.info({ address, dataDir: config.dataDir, log: config.kafkaBootstrapServers ?? 'embedded' }, 'shop listening');
  return {
    close: async () => {
      await shop.close();
      await backend.close();
    },
  };
});
