/**
 * `npm run shop:rebuild -- inventory [--url http://127.0.0.1:8080]`: rebuilds the inventory's read model from
 * `inventory-events` alone, under a new application id (so from offset 0), prints it, and, with `--url`, compares it
 * with the live one a running shop serves (`GET /v1/inventory/{product}`); exits 1 when they differ.
 *
 * It runs on the log the environment names (`KAFKA_BOOTSTRAP_SERVERS`, else the embedded log in `DATA_DIR/log`). The
 * embedded log lives inside one process: rebuild it while the shop is stopped (and without `--url`), or run the
 * rebuild against Kafka at any time. The rebuilt model lives in memory only and leaves no topic behind (only its
 * consumer group, `inventory-read-model-rebuild-<time>`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaStreams, QueryableStoreTypes } from '@tributary/streams';
import { openBackend } from './backend.js';
import { ConfigError, loadConfig } from './config.js';
import { INVENTORY_READ_MODEL_STORE, inventoryReadModelTopology } from './inventory/read-model.js';
import type { Stock } from './inventory/schemas.js';
import { createLogger } from './logger.js';
import { ensureTopics, TOPICS } from './topics.js';

const [what, ...rest] = process.argv.slice(2);
const urlAt = rest.indexOf('--url');
const url = urlAt >= 0 ? rest[urlAt + 1] : undefined;
if (what !== 'inventory' || (urlAt >= 0 && url === undefined)) {
  console.error('Usage: npm run shop:rebuild -- inventory [--url http://host:port]');
  process.exit(2);
}

let config;
try {
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(2);
}
const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 'rebuild');
const backend = await openBackend(config);
await ensureTopics(backend);
const stateDir = mkdtempSync(join(tmpdir(), 'shop-rebuild-'));
const applicationId = `inventory-read-model-rebuild-${Date.now()}`;
const app = new KafkaStreams(inventoryReadModelTopology(INVENTORY_READ_MODEL_STORE, false), { applicationId, backend, stateDir, logger });
let exitCode = 0;
try {
  await app.start();
  await app.waitForRunning(120_000);
  // Caught up once every partition of the events topic reports no lag (the lag is measured every few seconds).
  const admin = backend.admin();
  const partitions = (await admin.describeTopics([TOPICS.inventoryEvents])).get(TOPICS.inventoryEvents) ?? 0;
  await admin.close();
  const deadline = Date.now() + 300_000;
  for (;;) {
    const lag = Object.entries(app.metrics().lag).filter(([tp]) => tp.startsWith(`${TOPICS.inventoryEvents}-`));
    if (lag.length >= partitions && lag.every(([, n]) => n === 0)) break;
    if (Date.now() > deadline) throw new Error('the rebuild did not catch up within 5 minutes');
    await new Promise((r) => setTimeout(r, 200));
  }
  const store = app.store({ storeName: INVENTORY_READ_MODEL_STORE, type: QueryableStoreTypes.keyValueStore<string, Stock>() });
  const rebuilt = [...store.all()].sort((a, b) => (a.key < b.key ? -1 : 1));
  for (const { key, value } of rebuilt) {
    const line: Record<string, unknown> = { product: key, quantity: value.available + value.reserved, reserved: value.reserved, available: value.available };
    if (url !== undefined) {
      const res = await fetch(`${url}/v1/inventory/${encodeURIComponent(key)}`);
      const live = (await res.json()) as Record<string, unknown>;
      const same = res.status === 200 && live['available'] === value.available && live['reserved'] === value.reserved;
      line['live'] = res.status === 200 ? { available: live['available'], reserved: live['reserved'] } : res.status;
      line['equal'] = same;
      if (!same) exitCode = 1;
    }
    console.log(JSON.stringify(line));
  }
  console.error(`${rebuilt.length} products rebuilt from ${TOPICS.inventoryEvents} as ${applicationId}${url !== undefined ? (exitCode === 0 ? '; equal to the live model' : '; DIFFERENT from the live model') : ''}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  exitCode = 1;
} finally {
  await app.close();
  await backend.close();
  rmSync(stateDir, { recursive: true, force: true });
}
process.exit(exitCode);
