/**
 * An optional HTTP endpoint for interactive queries across instances: `GET /stores/<store>/keys/<key>` answers
 * from the local store when this instance owns the key, and otherwise forwards the request once to the owner
 * (found through `queryMetadataForKey`). Plain `node:http` keeps the library free of a web framework; the shop uses
 * fastify for its richer API.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Serde } from '../serde/serde.js';
import type { ReadOnlyKeyValueStore } from '../state/store.js';
import { QueryableStoreTypes } from '../state/queryable-store-types.js';
import type { KafkaStreams } from './kafka-streams.js';

export interface QueryServerOptions {
  /**
   * Stores that may be queried: the serde of their keys (to find the owning partition) and how to read a key from
   * the URL path (default: the text itself, for string keys).
   */
  readonly stores: Readonly<Record<string, { readonly keySerde: Serde<unknown>; readonly parseKey?: (text: string) => unknown }>>;
  /** Listen address; default: the app's `applicationServer`. */
  readonly host?: string;
  readonly port?: number;
  /** Forwarding timeout. */
  readonly timeoutMs?: number;
}

export interface QueryServer {
  readonly port: number;
  close(): Promise<void>;
}

const FORWARDED = 'x-tributary-forwarded';

export async function startQueryServer(app: KafkaStreams, options: QueryServerOptions & { host: string; port: number }): Promise<QueryServer> {
  const server: Server = createServer((req, res) => {
    handle(app, options, req, res).catch((error: unknown) => send(res, 500, { error: error instanceof Error ? error.message : String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(app: KafkaStreams, options: QueryServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const m = /^\/stores\/([^/]+)\/keys\/([^/?]+)/.exec(req.url ?? '');
  if (req.method !== 'GET' || !m) return send(res, 404, { error: 'use GET /stores/<store>/keys/<key>' });
  const storeName = decodeURIComponent(m[1] ?? '');
  const rawKey = decodeURIComponent(m[2] ?? '');
  const served = options.stores[storeName];
  if (!served) return send(res, 404, { error: `store "${storeName}" is not served here` });
  let key: unknown;
  try {
    key = served.parseKey ? served.parseKey(rawKey) : rawKey;
  } catch (error) {
    return send(res, 400, { error: `bad key for store "${storeName}": ${error instanceof Error ? error.message : String(error)}` });
  }
  const meta = app.queryMetadataForKey(storeName, key, served.keySerde);
  const self = app.applicationServer;
  const local = meta.activeHost.port === -1 || (self !== undefined && meta.activeHost.host === self.host && meta.activeHost.port === self.port);
  if (!local) {
    if (req.headers[FORWARDED]) return send(res, 503, { error: 'owner moved; retry' });
    const url = `http://${meta.activeHost.host}:${meta.activeHost.port}${req.url ?? ''}`;
    const upstream = await fetch(url, { headers: { [FORWARDED]: '1' }, signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
    res.writeHead(upstream.status, { 'content-type': 'application/json', 'x-tributary-served-by': `${meta.activeHost.host}:${meta.activeHost.port}` });
    res.end(await upstream.text());
    return;
  }
  const store = app.store({ storeName, type: QueryableStoreTypes.keyValueStore<unknown, unknown>() }) as ReadOnlyKeyValueStore<unknown, unknown>;
  const value = store.get(key);
  if (value === null) return send(res, 404, { error: 'not found', key, partition: meta.partition });
  send(res, 200, { key, value, partition: meta.partition }, self ? `${self.host}:${self.port}` : 'local');
}

function send(res: ServerResponse, status: number, body: unknown, servedBy?: string): void {
  res.writeHead(status, { 'content-type': 'application/json', ...(servedBy ? { 'x-tributary-served-by': servedBy } : {}) });
  res.end(JSON.stringify(body));
}
