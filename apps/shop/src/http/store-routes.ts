/**
 * Lookups of any store (system-spec.md, "Services added later, lookups of any store"):
 *   GET /v1/stores                          every service's queryable stores: { name, service, applicationId, kind, global, keyType, servedHere }
 *   GET /v1/stores/{store}/{key}            key-value: { store, key, value }; window/session: { store, key, windows } (?from=&to= in ms)
 *   GET /v1/stores/{store}?from=&to=&limit= key-value stores: { store, from, to, entries: [{ key, value }], truncated }
 * A key's read goes to the instance owning its partition (signed forwarding, as for orders); a range asks every
 * instance of the store's app and merges their answers in key order. `404` for unknown stores and keys (and for a
 * store whose app does not run in this process), `400` for a bad key, range or limit, `503` while the app restores.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidStateStoreError } from '@tributary/streams';
import { z } from 'zod';
import { wellFormedText } from '../schemas.js';
import type { StoreEntry } from '../lookups/store-directory.js';
import { compareKeys, type RangeEntry } from '../lookups/store-reader.js';
import { peers, place, type StoreLookups } from '../lookups/store-lookups.js';
import type { ApiDeps } from './api-deps.js';

/** What these routes need of the API: request signing between instances and the log. */
export type RoutingDeps = Pick<ApiDeps, 'forwarding' | 'logger'>;
import { sendError, sendInvalid } from './errors.js';
import { forward } from './forward.js';
import { FORWARDED_HEADER } from './forward-auth.js';

export const DEFAULT_RANGE_LIMIT = 100;
export const MAX_RANGE_LIMIT = 1_000;
/** How long a range waits for another instance's part. */
const PEER_TIMEOUT_MS = 10_000;

const KeyText = wellFormedText(100, 1);
const StoreParams = z.object({ store: wellFormedText(249, 1) });
const KeyParams = StoreParams.extend({ key: KeyText });
const Millis = z.coerce.number().int('must be an integer (ms)').min(0).max(Number.MAX_SAFE_INTEGER);
const WindowQuery = z
  .object({ from: Millis.default(0), to: Millis.default(Number.MAX_SAFE_INTEGER) })
  .refine((q) => q.from <= q.to, { message: 'to must not be before from', path: ['to'] });
const RangeQuery = z.object({
  from: KeyText.optional(),
  to: KeyText.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_RANGE_LIMIT).default(DEFAULT_RANGE_LIMIT),
});

export function registerStoreRoutes(app: FastifyInstance, deps: RoutingDeps, lookups: StoreLookups): void {
  app.get('/v1/stores', (_request, reply) =>
    reply.send({
      stores: [...lookups.directory.values()].map((s) => ({
        name: s.name,
        service: s.service,
        applicationId: s.applicationId,
        kind: s.kind,
        global: s.global,
        keyType: s.keys.type,
        servedHere: lookups.app(s.service) !== undefined,
      })),
    }),
  );

  app.get('/v1/stores/:store/:key', async (request, reply) => {
    const params = KeyParams.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'store key', params.error);
    const entry = lookups.directory.get(params.data.store);
    if (entry === undefined) return unknownStore(reply, params.data.store);
    const key = entry.keys.parse(params.data.key);
    if (key instanceof Error) return reply.code(400).send({ error: `Invalid key: ${key.message}`, field: 'key' });
    const windowed = entry.kind !== 'key-value';
    const query = WindowQuery.safeParse(request.query);
    if (windowed && !query.success) return sendInvalid(reply, 'time range', query.error);
    const placement = place(lookups, entry, key, deps.forwarding.isForwarded(request));
    switch (placement.where) {
      case 'not-here':
        return notServed(reply, entry);
      case 'not-ready':
        return notReady(reply, entry, placement.state);
      case 'remote':
        return forward(request, reply, placement.owner, deps.forwarding, deps.logger);
      case 'local': {
        const { reader } = placement;
        return readOrRetry(reply, entry, () => {
          if (windowed && query.success) {
            const windows = reader.windows(key, query.data.from, query.data.to);
            if (windows.length === 0) return sendError(reply, 404, `No windows for key ${params.data.key} in store ${entry.name}`, { store: entry.name, key });
            return reply.send({ store: entry.name, key, windows });
          }
          const value = reader.get(key);
          if (value === null || value === undefined) return sendError(reply, 404, `No key ${params.data.key} in store ${entry.name}`, { store: entry.name, key });
          return reply.send({ store: entry.name, key, value });
        });
      }
    }
  });

  app.get('/v1/stores/:store', async (request, reply) => {
    const params = StoreParams.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'store', params.error);
    const entry = lookups.directory.get(params.data.store);
    if (entry === undefined) return unknownStore(reply, params.data.store);
    if (entry.kind !== 'key-value') {
      return reply.code(400).send({ error: `Store ${entry.name} is a ${entry.kind} store: read a key's windows at /v1/stores/${entry.name}/{key}`, field: 'store' });
    }
    const query = RangeQuery.safeParse(request.query);
    if (!query.success) return sendInvalid(reply, 'range', query.error);
    const from = query.data.from === undefined ? undefined : entry.keys.parse(query.data.from);
    const to = query.data.to === undefined ? undefined : entry.keys.parse(query.data.to);
    if (from instanceof Error) return reply.code(400).send({ error: `Invalid from: ${from.message}`, field: 'from' });
    if (to instanceof Error) return reply.code(400).send({ error: `Invalid to: ${to.message}`, field: 'to' });
    if (from !== undefined && to !== undefined && compareKeys(entry, from, to) > 0) {
      return reply.code(400).send({ error: 'Invalid range: to must not sort before from (keys compare by their serialized bytes)', field: 'to' });
    }
    const forwarded = deps.forwarding.isForwarded(request);
    const placement = place(lookups, entry, undefined, forwarded);
    if (placement.where === 'not-here') return notServed(reply, entry);
    if (placement.where === 'not-ready') return notReady(reply, entry, placement.state);
    if (placement.where === 'remote') throw new Error('a range is never routed to one owner');
    const { limit } = query.data;
    const reader = placement.reader;
    const local = readOrRetry(reply, entry, () => reader.range(from, to, limit));
    if (local === reply) return reply;
    const parts = [local as { entries: RangeEntry[]; truncated: boolean }];
    // A global store holds everything here; a partitioned one is spread over every instance of its app.
    if (!entry.global && !forwarded) {
      try {
        parts.push(...(await Promise.all(peers(placement.app).map((peer) => rangeAt(peer, request, deps)))));
      } catch (error) {
        deps.logger.warn({ store: entry.name, url: request.url, err: error instanceof Error ? error.message : String(error) }, 'a range part from another instance failed');
        return sendError(reply, 502, 'Another instance holding part of this store did not answer; retry shortly');
      }
    }
    const merged = mergeParts(entry, parts, limit);
    return reply.send({ store: entry.name, from: from ?? null, to: to ?? null, ...merged });
  });
}

/** Entries from several instances in key order; a key claimed twice (ownership moving) counts once. */
function mergeParts(entry: StoreEntry, parts: ReadonlyArray<{ entries: RangeEntry[]; truncated: boolean }>, limit: number): { entries: RangeEntry[]; truncated: boolean } {
  const all = parts.flatMap((p) => p.entries).sort((a, b) => compareKeys(entry, a.key, b.key));
  const unique = all.filter((e, i) => i === 0 || compareKeys(entry, all[i - 1]?.key, e.key) !== 0);
  return { entries: unique.slice(0, limit), truncated: unique.length > limit || parts.some((p) => p.truncated) };
}

async function rangeAt(peer: { host: string; port: number }, request: FastifyRequest, deps: RoutingDeps): Promise<{ entries: RangeEntry[]; truncated: boolean }> {
  const res = await fetch(`http://${peer.host}:${peer.port}${request.url}`, {
    headers: { [FORWARDED_HEADER]: deps.forwarding.sign('GET', request.url) },
    signal: AbortSignal.timeout(PEER_TIMEOUT_MS),
  });
  if (res.status !== 200) throw new Error(`${peer.host}:${peer.port} answered ${res.status}`);
  const body = (await res.json()) as { entries?: RangeEntry[]; truncated?: boolean };
  return { entries: body.entries ?? [], truncated: body.truncated === true };
}

/**
 * Runs a read of a local store; the app may stop or start rebalancing between the state check and the read (its
 * stores then refuse queries): that is a `503` to retry, not an error of the request.
 */
export function readOrRetry<T>(reply: FastifyReply, entry: StoreEntry, read: () => T): T | FastifyReply {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof InvalidStateStoreError)) throw error;
    return sendError(reply.header('retry-after', '1'), 503, `Store ${entry.name} cannot be read right now; retry shortly`, { store: entry.name });
  }
}

function unknownStore(reply: FastifyReply, store: string): FastifyReply {
  return sendError(reply, 404, `No queryable store ${store}; GET /v1/stores lists them`, { store });
}

function notServed(reply: FastifyReply, entry: StoreEntry): FastifyReply {
  return sendError(reply, 404, `Store ${entry.name} belongs to service ${entry.service}, which does not run in this process`, {
    store: entry.name,
    service: entry.service,
  });
}

function notReady(reply: FastifyReply, entry: StoreEntry, state: string): FastifyReply {
  return sendError(reply.header('retry-after', '1'), 503, `Service ${entry.service} is ${state}; retry shortly`, { store: entry.name });
}
