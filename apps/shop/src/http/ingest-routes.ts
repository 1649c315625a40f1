/** `POST /v1/customers` and `POST /v1/payments`: validated, then written to their topics as they are. */
import type { FastifyInstance } from 'fastify';
import { NewCustomerSchema, NewPaymentSchema } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import type { ApiDeps } from './api-deps.js';
import { sendInvalid } from './errors.js';

export function registerIngestRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/v1/customers', async (request, reply) => {
    const parsed = NewCustomerSchema.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, 'customer', parsed.error);
    const customer = parsed.data;
    await deps.writer.write(TOPICS.customers, String(customer.id), serdes.customer, customer);
    return reply.code(201).send(customer);
  });

  app.post('/v1/payments', async (request, reply) => {
    const parsed = NewPaymentSchema.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, 'payment', parsed.error);
    const payment = parsed.data;
    await deps.writer.write(TOPICS.payments, payment.id, serdes.payment, payment);
    return reply.code(201).send(payment);
  });
}
