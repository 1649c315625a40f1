/**
 * `/v1/orders`: POST writes a CREATED order; GET long-polls the local view for the latest version (or, under
 * `/validated`, for the outcome) up to `?timeout` ms, capped at 30 s, within the long-poll limits.
 */
import { awaitReply } from '@tributary/streams';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NewOrderSchema, OrderIdSchema, type Order } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import type { ApiDeps } from './api-deps.js';
import { sendError, sendInvalid } from './errors.js';
import { forward } from './forward.js';
import { longPoll } from './long-poll.js';

export const DEFAULT_WAIT_MS = 10_000;
/** Longer waits are cut to this: a held poll holds a socket, and clients can simply ask again. */
export const MAX_WAIT_MS = 30_000;

export const WaitQuerySchema = z.object({
  timeout: z.coerce
    .number()
    .int()
    .min(0)
    .default(DEFAULT_WAIT_MS)
    .transform((ms) => Math.min(ms, MAX_WAIT_MS)),
});
const IdParamsSchema = z.object({ id: OrderIdSchema });

const isOutcome = (order: Order): boolean => order.state === 'VALIDATED' || order.state === 'FAILED';
const anyVersion = (): boolean => true;

export function registerOrderRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/v1/orders', async (request, reply) => {
    const parsed = NewOrderSchema.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, 'order', parsed.error);
    if (!deps.view.ready) return sendError(reply, 503, 'The orders view is not running yet; retry shortly');
    // The owner of the id's partition holds the authoritative view and in-flight ids: it decides about duplicates.
    const owner = deps.forwarding.isForwarded(request) ? undefined : deps.view.remoteOwner(parsed.data.id);
    if (owner !== undefined) return forward(request, reply, owner, deps.forwarding, deps.logger);
    const { id, customerId, product, quantity, price } = parsed.data;
    const order: Order = { id, customerId, state: 'CREATED', product, quantity, price };
    if (deps.view.order(order.id) !== null || !deps.posted.claim(order.id)) {
      return sendError(reply, 409, `Order ${order.id} already exists`, { id: order.id });
    }
    try {
      await deps.writer.write(TOPICS.orders, order.id, serdes.order, order);
    } catch (error) {
      deps.posted.release(order.id);
      throw error;
    }
    return reply.code(201).header('location', `/v1/orders/${encodeURIComponent(order.id)}`).send(order);
  });

  app.get('/v1/orders/:id', (request, reply) => answerWhen(deps, request, reply, anyVersion));
  app.get('/v1/orders/:id/validated', (request, reply) => answerWhen(deps, request, reply, isOutcome));
}

async function answerWhen(deps: ApiDeps, request: FastifyRequest, reply: FastifyReply, accept: (order: Order) => boolean): Promise<FastifyReply> {
  const params = IdParamsSchema.safeParse(request.params);
  if (!params.success) return sendInvalid(reply, 'order id', params.error);
  const query = WaitQuerySchema.safeParse(request.query);
  if (!query.success) return sendInvalid(reply, 'query', query.error);
  const { id } = params.data;
  const timeoutMs = query.data.timeout;
  const read = (key: string): Order | null => {
    const order = deps.view.order(key);
    return order !== null && accept(order) ? order : null;
  };
  return longPoll(deps, request, reply, {
    owner: deps.forwarding.isForwarded(request) ? undefined : deps.view.remoteOwner(id),
    timeoutMs,
    read: () => read(id),
    wait: (signal) => awaitReply({ key: id, read, waiters: deps.waiters, accept, timeoutMs, signal }),
    found: (order) => reply.send(order),
    timedOut: () => {
      const latest = deps.view.order(id);
      return sendError(reply, 504, `Order ${id} ${latest === null ? 'not found' : 'not decided'} within ${timeoutMs} ms`, {
        id,
        ...(latest !== null ? { state: latest.state } : {}),
      });
    },
  });
}
