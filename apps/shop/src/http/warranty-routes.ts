/**
 * `GET /v1/warranty-offers/{orderId}`: the warranty service's offer for the order, read from its `warranty-offers`
 * store through the store lookups (so it is routed to the instance owning the order's partition), or `404` when the
 * order got none (or none yet).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { WARRANTY_OFFERS_STORE } from '../later/warranty.js';
import { place, type StoreLookups } from '../lookups/store-lookups.js';
import { OrderIdSchema } from '../schemas.js';
import { readOrRetry, type RoutingDeps } from './store-routes.js';
import { sendError, sendInvalid } from './errors.js';
import { forward } from './forward.js';

const ParamsSchema = z.object({ orderId: OrderIdSchema });

export function registerWarrantyRoutes(app: FastifyInstance, deps: RoutingDeps, lookups: StoreLookups): void {
  app.get('/v1/warranty-offers/:orderId', async (request, reply) => {
    const params = ParamsSchema.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'order id', params.error);
    const { orderId } = params.data;
    const entry = lookups.directory.get(WARRANTY_OFFERS_STORE);
    const placement = entry === undefined ? undefined : place(lookups, entry, orderId, deps.forwarding.isForwarded(request));
    if (placement?.where === 'remote') return forward(request, reply, placement.owner, deps.forwarding, deps.logger);
    if (placement?.where === 'not-ready') return sendError(reply.header('retry-after', '1'), 503, 'The warranty service is starting; retry shortly');
    const local = placement?.where === 'local' ? placement : undefined;
    const offer = local === undefined || entry === undefined ? null : readOrRetry(reply, entry, () => local.reader.get(orderId));
    if (offer === reply) return reply;
    if (offer === null || offer === undefined) {
      return sendError(reply, 404, `No warranty offer for order ${orderId}`, {
        orderId,
        ...(placement?.where === 'not-here' ? { detail: 'the warranty service does not run in this process' } : {}),
      });
    }
    return reply.send(offer);
  });
}
