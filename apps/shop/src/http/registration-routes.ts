/**
 * Registrations (system-spec.md, uniqueness constraints): `POST /v1/registrations` writes a command and answers `202`
 * at once; `GET /v1/registrations/{id}?timeout=` long-polls its decision (routed to the instance owning the id's
 * partition); `GET /v1/customers/by-email/{email}` names the customer holding an email (every instance holds them all).
 */
import { randomUUID } from 'node:crypto';
import { awaitReply } from '@tributary/streams';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MAX_TEXT_LENGTH, OrderIdSchema, wellFormedText } from '../schemas.js';
import { NewRegistrationSchema, type RegistrationCommand, type RegistrationEvent } from '../registrations/schemas.js';
import { REGISTRATION_RESULTS_STORE } from '../services/command-views.js';
import { registrationCommandSerde } from '../services/registrations.js';
import { TOPICS } from '../topics.js';
import type { ApiDeps } from './api-deps.js';
import { sendError, sendInvalid } from './errors.js';
import { longPoll } from './long-poll.js';
import { WaitQuerySchema } from './orders-routes.js';

const IdParamsSchema = z.object({ id: OrderIdSchema });
const EmailParamsSchema = z.object({ email: wellFormedText(MAX_TEXT_LENGTH, 1) });

export function registerRegistrationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/v1/registrations', async (request, reply) => {
    const parsed = NewRegistrationSchema.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, 'registration', parsed.error);
    const { customerId, email = '', username = '', type } = parsed.data;
    const command: RegistrationCommand = { commandId: randomUUID(), customerId, email, username, type };
    await deps.writer.write(TOPICS.registrationCommands, customerId, registrationCommandSerde, command);
    return reply.code(202).header('location', `/v1/registrations/${command.commandId}`).send({ commandId: command.commandId });
  });

  app.get('/v1/registrations/:id', async (request, reply) => {
    const params = IdParamsSchema.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'registration id', params.error);
    const query = WaitQuerySchema.safeParse(request.query);
    if (!query.success) return sendInvalid(reply, 'query', query.error);
    const { id } = params.data;
    const timeoutMs = query.data.timeout;
    const read = (key: string): RegistrationEvent | null => deps.commands.registration(key);
    return longPoll(deps, request, reply, {
      owner: deps.commands.remoteOwner(REGISTRATION_RESULTS_STORE, id),
      timeoutMs,
      read: () => read(id),
      wait: (signal) => awaitReply({ key: id, read, waiters: deps.feeds.registrations, timeoutMs, signal }),
      found: (event) => reply.send(event),
      timedOut: () => sendError(reply, 504, `No decision for registration ${id} within ${timeoutMs} ms`, { commandId: id }),
    });
  });

  app.get('/v1/customers/by-email/:email', async (request, reply) => {
    const params = EmailParamsSchema.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'email', params.error);
    const owner = deps.commands.ownerOfEmail(params.data.email);
    if (owner === null) return sendError(reply, 404, `No customer holds ${params.data.email}`, { email: params.data.email });
    return reply.send({ customerId: owner.customerId, email: owner.email, username: owner.username });
  });
}
