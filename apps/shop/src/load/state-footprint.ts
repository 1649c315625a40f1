/**
 * Measures what the shop keeps per order once orders are settled: entries and bytes in each per-order store, the
 * state directory on disk, and the process's heap. Runs every service on a fresh embedded log, places `--orders`
 * orders through the HTTP API (fastify inject), waits for every outcome, then reports per-order figures:
 *
 *   node --expose-gc apps/shop/dist/load/state-footprint.js [--orders 5000]
 *
 * Figures, not a test: they go into the README and the issue's report.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEmbeddedBackend, QueryableStoreTypes, type Logger } from '@tributary/streams';
import { startShop } from '../shop.js';
import { COMMAND_LOG_STORE, ORDER_HOLDS_STORE } from '../inventory/command-processor.js';
import { ORDERS_STORE } from '../services/orders-view.js';
import { ORDER_CHECKS_STORE } from '../services/validations-aggregator.js';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '5000' } } });
const count = Number(values.orders);
if (!Number.isSafeInteger(count) || count < 1) throw new Error('--orders must be a positive integer');

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function diskBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    total += entry.isDirectory() ? diskBytes(p) : statSync(p).blocks * 512;
  }
  return total;
}

const dir = mkdtempSync(join(tmpdir(), 'shop-footprint-'));
const backend = createEmbeddedBackend({ dataDir: join(dir, 'log') });
const shop = await startShop({ backend, stateDir: join(dir, 'state'), logger: quiet, commitIntervalMs: 100, emailSender: { send: () => undefined } });
try {
  for (const app of shop.apps.values()) await app.waitForRunning();
  const put = await shop.server.inject({ method: 'PUT', url: '/v1/inventory/JUMPERS', payload: { quantity: 1_000_000_000 } });
  if (put.statusCode !== 200) throw new Error(`PUT inventory answered ${put.statusCode}`);
  const heapBefore = heapUsed();
  const stateBefore = diskBytes(join(dir, 'state'));
  const ids = Array.from({ length: count }, (_, i) => `footprint-order-${String(i).padStart(8, '0')}`);
  for (let i = 0; i < ids.length; i += 100) {
    await Promise.all(
      // Batches below the per-client long-poll bound.
      ids.slice(i, i + 100).map(async (id, j) => {
        const payload = { id, customerId: i + j, product: 'JUMPERS', quantity: 1, price: 1 };
        const res = await shop.server.inject({ method: 'POST', url: '/v1/orders', payload });
        if (res.statusCode !== 201) throw new Error(`POST answered ${res.statusCode}`);
        const outcome = await shop.server.inject({ method: 'GET', url: `/v1/orders/${id}/validated?timeout=30000` });
        if (outcome.statusCode !== 200) throw new Error(`order ${id} reached no outcome (${outcome.statusCode})`);
      }),
    );
  }
  // Let every app commit (and flush its stores) before measuring.
  await new Promise((r) => setTimeout(r, 1_000));
  const heapAfter = heapUsed();
  const stateAfter = diskBytes(join(dir, 'state'));

  const storeOf = (service: string, storeName: string): { entries: number; bytes: number } => {
    const store = shop.apps.get(service)?.app.store({ storeName, type: QueryableStoreTypes.keyValueStore<string, unknown>() });
    let entries = 0;
    let bytes = 0;
    for (const { key, value } of store?.all() ?? []) {
      entries += 1;
      bytes += Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(value));
    }
    return { entries, bytes };
  };
  const stores = {
    [`orders/${ORDERS_STORE}`]: storeOf('orders', ORDERS_STORE),
    [`inventory/${ORDER_HOLDS_STORE}`]: storeOf('inventory', ORDER_HOLDS_STORE),
    [`inventory/${COMMAND_LOG_STORE}`]: storeOf('inventory', COMMAND_LOG_STORE),
    [`validations-aggregator/${ORDER_CHECKS_STORE}`]: storeOf('validations-aggregator', ORDER_CHECKS_STORE),
  };
  const perOrder = (n: number): string => (n / count).toFixed(0);
  console.log(`orders settled: ${count}`);
  let storeBytes = 0;
  for (const [name, s] of Object.entries(stores)) {
    storeBytes += s.bytes;
    console.log(`  ${name}: ${s.entries} entries, ${perOrder(s.bytes)} bytes of key + value per order`);
  }
  console.log(`per-order store entries, all of them: ${perOrder(storeBytes)} bytes per order (serialized)`);
  console.log(`state directory on disk (LMDB files, all apps): +${perOrder(stateAfter - stateBefore)} bytes per order`);
  console.log(`JS heap after GC: ${gc ? `+${perOrder(heapAfter - heapBefore)} bytes per order` : 'run with --expose-gc for a heap figure'}`);
} finally {
  await shop.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
}
