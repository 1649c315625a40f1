/**
 * `POST /v1/crm/customers`: one CRM record or an array (up to 1,000) → `202 { accepted, crmIds }` once every record is
 * appended to `crm-customers` (keyed by `crmId`). The CRM import turns them into customers (see later/crm-import.ts);
 * this route only takes what that import and the shop's topics can hold.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LATER_TOPICS, laterSerdes } from '../later/later-topics.js';
import type { CrmCustomer } from '../later/later-schemas.js';
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH, wellFormedText } from '../schemas.js';
import type { ApiDeps } from './api-deps.js';
import { sendInvalid } from './errors.js';

const MAX_BATCH = 1_000;
const MAX_CONTACTS = 100;

const NewCrmCustomerSchema = z.object({
  crmId: wellFormedText(MAX_ID_LENGTH, 1),
  customerNo: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  name: wellFormedText(MAX_TEXT_LENGTH),
  contacts: z.array(z.object({ email: wellFormedText(MAX_TEXT_LENGTH), phone: wellFormedText(MAX_TEXT_LENGTH) })).max(MAX_CONTACTS),
  disabled: z.boolean().default(false),
});
const BatchSchema = z.array(NewCrmCustomerSchema).min(1, 'at least one record').max(MAX_BATCH, `at most ${MAX_BATCH} records`);

export function registerCrmRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/v1/crm/customers', async (request, reply) => {
    // One record or an array, parsed apart so an issue names `customerNo` or `<index>.customerNo`.
    const parsed = Array.isArray(request.body) ? BatchSchema.safeParse(request.body) : NewCrmCustomerSchema.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, 'CRM record', parsed.error);
    const records: CrmCustomer[] = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
    await deps.writer.writeAll(LATER_TOPICS.crmCustomers, laterSerdes.crmCustomer, records.map((r) => ({ key: r.crmId, value: r })));
    return reply.code(202).send({ accepted: records.length, crmIds: records.map((r) => r.crmId) });
  });
}
