/**
 * The orders service's HTTP API (shop-spec.md): JSON in and out, bodies up to 64 KiB, JSON errors everywhere
 * (404 for unknown routes, 413 for large bodies, 400 naming the field for invalid input).
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '@tributary/streams';
import type { ApiDeps } from './api-deps.js';
import { registerCatalogRoutes } from './catalog-routes.js';
import { registerIngestRoutes } from './ingest-routes.js';
import { registerInventoryRoutes } from './inventory-routes.js';
import { registerOrderRoutes } from './orders-routes.js';
import { PAGE_HTML } from './page.js';

export const BODY_LIMIT_BYTES = 64 * 1024;

export function buildServer(deps: ApiDeps, logger: Logger): FastifyInstance {
  const app = Fastify({ bodyLimit: BODY_LIMIT_BYTES, logger: false });

  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE_HTML));

  app.get('/health', (_request, reply) => {
    const services = deps.serviceStates();
    const up = Object.values(services).every((s) => s === 'RUNNING');
    return reply.code(up ? 200 : 503).send({ status: up ? 'UP' : 'DOWN', services });
  });

  registerOrderRoutes(app, deps);
  registerInventoryRoutes(app, deps);
  registerIngestRoutes(app, deps);
  if (deps.catalog !== undefined) registerCatalogRoutes(app, deps.catalog);

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `No route for ${request.method} ${request.url.split('?')[0] ?? ''}` }));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) logger.error({ err: error.message, method: request.method, url: request.url }, 'request failed');
    return reply.code(status).send({ error: status >= 500 && error.statusCode === undefined ? 'Internal error' : error.message, ...(error.code ? { code: error.code } : {}) });
  });

  return app;
}
