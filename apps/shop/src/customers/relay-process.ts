/**
 * The customers outbox relay as its own process (the all-in-one shop runs it in-process when DATABASE_URL is set):
 *   DATABASE_URL=postgres://… [KAFKA_BOOTSTRAP_SERVERS=…] node apps/shop/dist/customers/relay-process.js
 * On the embedded log it must own DATA_DIR's log (one process per log). Several copies on Kafka are safe: one
 * holds the replication slot, the others wait and take over when it goes (the transactional id fences a zombie).
 */
import { openBackend } from '../backend.js';
import { OutboxRelay } from '../connect/outbox-relay.js';
import { runProcess } from '../lifecycle.js';
import { ensureTopics } from '../topics.js';
import { CUSTOMERS_RELAY, OUTBOX } from './customer-store.js';

runProcess('customers-relay', async (config, logger) => {
  if (config.databaseUrl === undefined) throw new Error('DATABASE_URL is required: the relay reads the outbox of that database');
  const backend = await openBackend(config);
  await ensureTopics(backend);
  const relay = new OutboxRelay({ backend, connectionString: config.databaseUrl, name: CUSTOMERS_RELAY, table: OUTBOX.table, logger });
  relay.start();
  return {
    close: async () => {
      await relay.close();
      await backend.close();
    },
  };
});
