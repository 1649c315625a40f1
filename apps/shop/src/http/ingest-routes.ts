/** `POST /v1/payments`: validated, then written to its topic as it is (customers: `customers-routes.ts`). */
import type { FastifyInstance } from 'fastify';
import { NewPaymentSchema } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import type { ApiDeps } from './api-deps.js';
import { sendInvalid } from './errors.js';

export function registerIngestRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/v1/payments', async (request, reply) => {
    const parsed = NewPaymentSchema.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, 'payment', parsed.error);
    const payment = parsed.data;
    await deps.writer.write(TOPICS.payments, payment.id, serdes.payment, payment);
    return reply.code(201).send(payment);
  });
}
