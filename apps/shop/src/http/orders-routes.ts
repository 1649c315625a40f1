/**
 * `/v1/orders`: POST writes a CREATED order; GET long-polls the local view for the latest version (or, under
 * `/validated`, for the outcome) up to `?timeout` ms, capped at 30 s, within the long-poll limits.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NewOrderSchema, OrderIdSchema, type Order } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import type { ApiDeps } from './api-deps.js';
import { sendError, sendInvalid } from './errors.js';
import { forward } from './forward.js';

export const DEFAULT_WAIT_MS = 10_000;
/** Longer waits are cut to this: a held poll holds a socket, and clients can simply ask again. */
export const MAX_WAIT_MS = 30_000;
/** What a `503` for a full long-poll table asks the client to wait before trying again. */
const RETRY_AFTER_S = 1;

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
  const forwarded = deps.forwarding.isForwarded(request);
  const owner = forwarded ? undefined : deps.view.remoteOwner(id);
  if (owner !== undefined) {
    // Relaying a poll holds sockets here as well: the client's limit applies here, before it goes to the owner.
    const release = timeoutMs > 0 ? deps.longPolls.acquire(request.ip) : () => undefined;
    if (release === undefined) return tooManyWaiting(reply);
    try {
      return await forward(request, reply, owner, deps.forwarding, deps.logger);
    } finally {
      release();
    }
  }
  const current = deps.view.order(id);
  if (current !== null && accept(current)) return reply.send(current);
  // A forwarded poll comes from another instance on behalf of its client, whose own limit was applied there.
  const release = timeoutMs > 0 ? deps.longPolls.acquire(forwarded ? undefined : request.ip) : () => undefined;
  if (release === undefined) return tooManyWaiting(reply);
  // The client may give up first: its waiter must go with it.
  const abandoned = new AbortController();
  const onClose = (): void => abandoned.abort();
  reply.raw.once('close', onClose);
  try {
    const order = await deps.waiters.wait(id, accept, timeoutMs, abandoned.signal);
    if (order !== undefined) return reply.send(order);
    if (abandoned.signal.aborted) return reply;
    const latest = deps.view.order(id);
    // A version the feed did not hand over (the view restored it after a restart of its app) still answers.
    if (latest !== null && accept(latest)) return reply.send(latest);
    return sendError(reply, 504, `Order ${id} ${latest === null ? 'not found' : 'not decided'} within ${timeoutMs} ms`, {
      id,
      ...(latest !== null ? { state: latest.state } : {}),
    });
  } finally {
    release();
    reply.raw.off('close', onClose);
  }
}

function tooManyWaiting(reply: FastifyReply): FastifyReply {
  return sendError(reply.header('retry-after', String(RETRY_AFTER_S)), 503, 'Too many requests are waiting; retry shortly');
}
