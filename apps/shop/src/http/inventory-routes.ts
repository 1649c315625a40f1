/**
 * `/v1/inventory/{product}` and the inventory's commands (system-spec.md, inventory as CQRS):
 * - `POST /v1/inventory/{product}/commands` writes a command and answers `202` at once, with where to ask for its result;
 * - `GET /v1/commands/{id}?timeout=` long-polls that result (routed to the instance owning the id's partition);
 * - `PUT /v1/inventory/{product}` is a SET command that answers once its event is in the read model;
 * - `GET /v1/inventory/{product}` reads the read model (routed to the instance owning the product's partition).
 */
import { randomUUID } from 'node:crypto';
import { awaitReply } from '@tributary/streams';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InventoryUpdateSchema, OrderIdSchema } from '../schemas.js';
import { NewInventoryCommandSchema, StockedProductSchema, type InventoryCommand, type InventoryEvent, type Stock } from '../inventory/schemas.js';
import { INVENTORY_READ_MODEL_STORE } from '../inventory/read-model.js';
import { COMMAND_RESULTS_STORE } from '../services/command-views.js';
import { inventoryCommandSerde } from '../inventory/serdes.js';
import { TOPICS } from '../topics.js';
import type { ApiDeps } from './api-deps.js';
import { sendError, sendInvalid } from './errors.js';
import { forward } from './forward.js';
import { longPoll } from './long-poll.js';
import { WaitQuerySchema } from './orders-routes.js';

const ProductParamsSchema = z.object({ product: StockedProductSchema });
const CommandParamsSchema = z.object({ id: OrderIdSchema });
/** How long a PUT waits for its SET to be decided and shown in the read model. */
const PUT_WAIT_MS = 10_000;

const stockBody = (product: string, stock: Stock): Record<string, unknown> => ({
  product,
  quantity: stock.available + stock.reserved,
  reserved: stock.reserved,
  available: stock.available,
});

export function registerInventoryRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /** The read model of `product` lives on another instance: the request goes there (once). */
  const ownerOf = (request: FastifyRequest, product: string): { host: string; port: number } | undefined =>
    deps.forwarding.isForwarded(request) ? undefined : deps.commands.remoteOwner(INVENTORY_READ_MODEL_STORE, product);

  app.put('/v1/inventory/:product', async (request, reply) => {
    const params = ProductParamsSchema.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'product', params.error);
    const body = InventoryUpdateSchema.safeParse(request.body);
    if (!body.success) return sendInvalid(reply, 'inventory', body.error);
    const { product } = params.data;
    const owner = ownerOf(request, product);
    if (owner !== undefined) return forward(request, reply, owner, deps.forwarding, deps.logger);
    const command: InventoryCommand = { commandId: randomUUID(), type: 'SET', product, quantity: body.data.quantity };
    // Waiting before writing: the event cannot slip past between the write and the wait. The waiter goes with a
    // failed write or a client that leaves.
    const done = new AbortController();
    const onClose = (): void => done.abort();
    reply.raw.once('close', onClose);
    let event: InventoryEvent | undefined;
    try {
      const applied = deps.feeds.inventoryEvents.wait(product, (e) => e.commandId === command.commandId, PUT_WAIT_MS, done.signal);
      await deps.writer.write(TOPICS.inventoryCommands, product, inventoryCommandSerde, command).catch((error: unknown) => {
        done.abort();
        throw error;
      });
      event = await applied;
    } finally {
      reply.raw.off('close', onClose);
    }
    if (done.signal.aborted) return reply;
    if (event === undefined) return sendError(reply, 504, `The stock of ${product} was not set within ${PUT_WAIT_MS} ms`, { product, commandId: command.commandId });
    if (event.type === 'REJECTED') return sendError(reply, 409, event.reason ?? 'rejected', { product, commandId: command.commandId });
    return reply.send(stockBody(product, event));
  });

  app.get('/v1/inventory/:product', async (request, reply) => {
    const params = ProductParamsSchema.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'product', params.error);
    const { product } = params.data;
    const owner = ownerOf(request, product);
    if (owner !== undefined) return forward(request, reply, owner, deps.forwarding, deps.logger);
    const stock = deps.commands.stock(product);
    if (stock === null) return sendError(reply, 404, `No inventory record for ${product}`, { product });
    return reply.send(stockBody(product, stock));
  });

  app.post('/v1/inventory/:product/commands', async (request, reply) => {
    const params = ProductParamsSchema.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'product', params.error);
    const body = NewInventoryCommandSchema.safeParse(request.body);
    if (!body.success) return sendInvalid(reply, 'command', body.error);
    const { product } = params.data;
    const { commandId = randomUUID(), type, quantity, orderId } = body.data;
    const command: InventoryCommand = { commandId, type, product, quantity, ...(orderId !== undefined ? { orderId } : {}) };
    await deps.writer.write(TOPICS.inventoryCommands, product, inventoryCommandSerde, command);
    return reply.code(202).header('location', `/v1/commands/${encodeURIComponent(commandId)}`).send({ commandId });
  });

  app.get('/v1/commands/:id', (request, reply) => answerCommand(deps, request, reply));
}

async function answerCommand(deps: ApiDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = CommandParamsSchema.safeParse(request.params);
  if (!params.success) return sendInvalid(reply, 'command id', params.error);
  const query = WaitQuerySchema.safeParse(request.query);
  if (!query.success) return sendInvalid(reply, 'query', query.error);
  const { id } = params.data;
  const timeoutMs = query.data.timeout;
  const read = (key: string): ReturnType<ApiDeps['commands']['commandResult']> => deps.commands.commandResult(key);
  return longPoll(deps, request, reply, {
    owner: deps.commands.remoteOwner(COMMAND_RESULTS_STORE, id),
    timeoutMs,
    read: () => read(id),
    wait: (signal) => awaitReply({ key: id, read, waiters: deps.feeds.results, timeoutMs, signal }),
    found: (result) => reply.send(result),
    timedOut: () => sendError(reply, 504, `No result for command ${id} within ${timeoutMs} ms`, { commandId: id }),
  });
}
