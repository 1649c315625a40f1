/**
 * `/v1/customers` and `/v1/reports/orders/{id}` (system-spec.md, "Customers in PostgreSQL"). With the hybrid on,
 * changes go to PostgreSQL (row and outbox in one transaction) and reads come from there; off, POST/PUT/DELETE
 * write the `customers` topic directly (a delete as a tombstone), as shop-spec.md has it, and the reads that only
 * PostgreSQL can answer say so with a 404.
 *
 * Customer ids are non-negative integers (shop-spec.md): in a URL a decimal safe integer. A GET of any
 * other id is a 404 (no such customer can exist); a PUT or DELETE of one is a 400 naming `id`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { NewCustomerSchema, OrderIdSchema, type Customer } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import type { ApiDeps } from './api-deps.js';
import { sendError, sendInvalid } from './errors.js';

const CustomerIdParamSchema = z.object({
  id: z
    .string()
    .regex(/^\d{1,16}$/, 'must be a non-negative integer (the customer id)')
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n), 'must be a safe integer (at most 2^53 - 1)'),
});
const OrderIdParamSchema = z.object({ id: OrderIdSchema });
/** PUT's body: the customer; its `id` may be left out, and must match the URL when present. */
const PutCustomerSchema = NewCustomerSchema.extend({ id: NewCustomerSchema.shape.id.optional() });

export function registerCustomerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const save = async (customer: Customer): Promise<boolean> => {
    if (deps.hybrid !== undefined) return deps.hybrid.putCustomer(customer);
    await deps.writer.write(TOPICS.customers, String(customer.id), serdes.customer, customer);
    return false;
  };

  app.post('/v1/customers', async (request, reply) => {
    const parsed = NewCustomerSchema.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, 'customer', parsed.error);
    await save(parsed.data);
    return reply.code(201).send(parsed.data);
  });

  app.put('/v1/customers/:id', async (request, reply) => {
    const params = CustomerIdParamSchema.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'customer id', params.error);
    const body = PutCustomerSchema.safeParse(request.body);
    if (!body.success) return sendInvalid(reply, 'customer', body.error);
    const id = params.data.id;
    if (body.data.id !== undefined && body.data.id !== id) {
      return reply.code(400).send({ error: `Invalid customer: id: must match the URL (${id})`, field: 'id' });
    }
    const customer: Customer = { ...body.data, id };
    const existed = await save(customer);
    return reply.code(existed || deps.hybrid === undefined ? 200 : 201).send(customer);
  });

  app.delete('/v1/customers/:id', async (request, reply) => {
    const params = CustomerIdParamSchema.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'customer id', params.error);
    const id = params.data.id;
    if (deps.hybrid === undefined) {
      await deps.writer.writeTombstone(TOPICS.customers, String(id));
      return reply.code(204).send();
    }
    if (!(await deps.hybrid.deleteCustomer(id))) return sendError(reply, 404, `No customer ${id}`, { id });
    return reply.code(204).send();
  });

  app.get('/v1/customers/:id', async (request, reply) => {
    const params = CustomerIdParamSchema.safeParse(request.params);
    if (!params.success) return notFound(reply, 'customer', (request.params as { id?: unknown }).id);
    if (deps.hybrid === undefined) return hybridOff(reply);
    const customer = await deps.hybrid.getCustomer(params.data.id);
    return customer === null ? notFound(reply, 'customer', params.data.id) : reply.send(customer);
  });

  app.get('/v1/reports/orders/:id', async (request, reply) => {
    const params = OrderIdParamSchema.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'order id', params.error);
    if (deps.hybrid === undefined) return hybridOff(reply);
    const report = await deps.hybrid.orderReport(params.data.id);
    return report === null ? notFound(reply, 'order report', params.data.id) : reply.send(report);
  });
}

function notFound(reply: FastifyReply, what: string, id: unknown): FastifyReply {
  return sendError(reply, 404, `No ${what} ${String(id)}`, { id });
}

function hybridOff(reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, 'Customers and reports are read from PostgreSQL, and the database hybrid is off', { hybrid: 'OFF' });
}
