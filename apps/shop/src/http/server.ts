/**
 * The orders service's HTTP API (shop-spec.md): JSON in and out, bodies up to 64 KiB, JSON errors everywhere
 * (404 for unknown routes, 413 for large bodies, 400 naming the field for invalid input), bounded in time: a
 * request must arrive within `REQUEST_TIMEOUT_MS` (headers within `HEADERS_TIMEOUT_MS`), an idle socket is closed
 * after `CONNECTION_TIMEOUT_MS`, and long polls are capped (see `orders-routes.ts`, `long-poll-limits.ts`).
 * Nothing a client sends gets a 5xx; a 5xx says only that something inside failed, and the detail goes to the log.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '@tributary/streams';
import type { ApiDeps } from './api-deps.js';
import { registerCatalogRoutes } from './catalog-routes.js';
import { registerConsoleRoutes } from '../console/console-routes.js';
import { registerCustomerRoutes } from './customers-routes.js';
import { HYBRID_OFF_HINT } from '../customers/hybrid.js';
import { registerIngestRoutes } from './ingest-routes.js';
import { registerInventoryRoutes } from './inventory-routes.js';
import { registerRegistrationRoutes } from './registration-routes.js';
import { MAX_WAIT_MS, registerOrderRoutes } from './orders-routes.js';
import { drainBody } from './oversized-body.js';
import { PAGE_HTML } from './page.js';
import { prometheusText } from './metrics.js';
import { registerStoreRoutes } from './store-routes.js';
import { registerWarrantyRoutes } from './warranty-routes.js';
import { WriteUnavailableError } from './topic-writer.js';
import { registerCrmRoutes } from './crm-routes.js';

export const BODY_LIMIT_BYTES = 64 * 1024;
/** The whole request (headers and body) must arrive within this; a client trickling bytes is cut off. */
export const REQUEST_TIMEOUT_MS = 10_000;
export const HEADERS_TIMEOUT_MS = 5_000;
/** A socket silent for this long is closed; longer than the longest long poll, which is silent while it waits. */
export const CONNECTION_TIMEOUT_MS = MAX_WAIT_MS + 15_000;
/**
 * Room in a URL for the longest order id (100 code points) percent-encoded: up to 4 UTF-8 bytes per code point,
 * 3 characters per byte. The id's own limit is checked on the decoded id, the same for POST and GET.
 */
const MAX_PARAM_LENGTH = 100 * 4 * 3;

export function buildServer(deps: ApiDeps, logger: Logger): FastifyInstance {
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    logger: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: 5_000,
    // Node checks the request and header timeouts on this interval (default 30 s, far coarser than they are).
    http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1_000 },
  });

  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE_HTML));

  app.get('/health', (_request, reply) => {
    const services: Record<string, string> = {};
    const failing: Record<string, { reason: string; since: string; restarts: number }> = {};
    for (const [name, status] of deps.services) {
      services[name] = status.state;
      if (status.failure !== undefined) {
        failing[name] = { reason: status.failure.reason, since: new Date(status.failure.at).toISOString(), restarts: status.restarts };
      }
    }
    const up = Object.values(services).every((s) => s === 'RUNNING');
    const hybrid = deps.hybrid?.status() ?? { state: 'OFF', hint: HYBRID_OFF_HINT };
    return reply
      .code(up ? 200 : 503)
      .send({ status: up ? 'UP' : 'DOWN', services, ...(Object.keys(failing).length > 0 ? { failing } : {}), hybrid });
  });

  app.get('/metrics', (_request, reply) => reply.type('text/plain; version=0.0.4').send(prometheusText(deps)));

  registerOrderRoutes(app, deps);
  registerInventoryRoutes(app, deps);
  registerIngestRoutes(app, deps);
  registerRegistrationRoutes(app, deps);
  registerCrmRoutes(app, deps);
  registerCustomerRoutes(app, deps);
  if (deps.catalog !== undefined) registerCatalogRoutes(app, deps.catalog);
  if (deps.stores !== undefined) {
    registerStoreRoutes(app, deps, deps.stores);
    registerWarrantyRoutes(app, deps, deps.stores);
  }
  if (deps.console !== undefined) registerConsoleRoutes(app, deps.console);

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `No route for ${request.method} ${request.url.split('?')[0] ?? ''}` }));

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const drained = await drainBody(request.raw);
      reply.header('connection', 'close');
      if (!drained) reply.raw.once('finish', () => request.raw.socket.destroy());
      return reply.code(413).send({ error: `The body is larger than ${BODY_LIMIT_BYTES} bytes`, code: error.code });
    }
    const clientError = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500;
    if (clientError) {
      // A body the content-type parser refused (not JSON, empty, or a `__proto__` / `constructor.prototype` key, which
      // the parser refuses as prototype poisoning) is wrong as a whole: the field named is the body.
      const field = error.code?.startsWith('FST_ERR_CTP_') ? { field: 'body' } : {};
      return reply.code(error.statusCode ?? 400).send({ error: error.message, ...field, ...(error.code ? { code: error.code } : {}) });
    }
    if (error instanceof WriteUnavailableError) {
      logger.warn({ err: error.message, cause: String(error.cause), method: request.method, url: request.url }, 'write not acknowledged');
      return reply.code(503).header('retry-after', '1').send({ error: error.message });
    }
    logger.error({ err: error.message, method: request.method, url: request.url }, 'request failed');
    return reply.code(error.statusCode === 503 ? 503 : 500).send({ error: 'Internal error' });
  });

  return app;
}
