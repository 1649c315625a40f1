/**
 * Helpers for the catalog's end-to-end tests: a whole shop on a temporary embedded log with the chosen search
 * engine, HTTP through fastify's `inject`, valid GTINs, and polling with a deadline.
 */
import { join } from 'node:path';
import { createEmbeddedBackend, createKafkaBackend, type Backend } from '@tributary/streams';
import type { SearchConfig } from '../src/catalog/catalog-config.js';
import { gtinCheckDigit } from '../src/catalog/gtin.js';
import { startShop, type RunningShop } from '../src/shop.js';
import { quietLogger } from './support.js';

/** A valid EAN-13 from 12 digits. */
export const ean = (body: string): string => body + String(gtinCheckDigit(body));

/** A distinct valid EAN-13 per call within this process (and run). */
let serial = 0;
const base = (Date.now() % 1_000_000).toString().padStart(6, '0');
export function freshGtin(): string {
  serial += 1;
  return ean(`2${base}${serial.toString().padStart(5, '0')}`);
}

export interface CatalogShop {
  readonly shop: RunningShop;
  get<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T }>;
  post<T = Record<string, unknown>>(url: string, payload: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** The whole shop with `search`, on a temporary embedded log in `dir`, or on the broker `bootstrapServers` names. */
export async function startCatalogShop(dir: string, search: SearchConfig, bootstrapServers?: string): Promise<CatalogShop> {
  const backend: Backend =
    bootstrapServers === undefined
      ? await createEmbeddedBackend({ dataDir: join(dir, 'log'), autoCreateTopics: false })
      : await createKafkaBackend({ bootstrapServers });
  let shop: RunningShop;
  try {
    // Exactly-once services commit at the commit interval; 100 ms on Kafka keeps round trips short (as support.ts).
    const commitIntervalMs = bootstrapServers === undefined ? 50 : 100;
    shop = await startShop({ backend, stateDir: join(dir, 'state'), logger: quietLogger, commitIntervalMs, search });
    for (const app of shop.apps.values()) await app.waitForRunning(60_000);
  } catch (error) {
    await backend.close();
    throw error;
  }
  const call = async <T>(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<{ status: number; body: T }> => {
    const res = await shop.server.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { status: res.statusCode, body: res.json<T>() };
  };
  return {
    shop,
    get: (url) => call('GET', url),
    post: (url, payload) => call('POST', url, payload),
    close: async () => {
      await shop.close();
      await backend.close();
    },
  };
}

/** Polls `probe` until it returns a value or `timeoutMs` passes; resolves with the value and the time it took. */
export async function within<T>(timeoutMs: number, probe: () => Promise<T | undefined>): Promise<{ value: T | undefined; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    const ms = Date.now() - started;
    if (value !== undefined || ms >= timeoutMs) return { value, ms };
    await new Promise((r) => setTimeout(r, 25));
  }
}
