/**
 * `/v1/inventory/{product}`: PUT sets the warehouse's stock (a `warehouse-inventory` record); GET shows stock and
 * what the inventory service has reserved of it. A product is one of the shop's three names or a catalog GTIN (any
 * valid GTIN form; stock is kept under its canonical form, the key of `catalog-products`).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InventoryUpdateSchema, StockedProductSchema, type Inventory } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import type { ApiDeps } from './api-deps.js';
import { sendError, sendInvalid } from './errors.js';

const ProductParamsSchema = z.object({ product: StockedProductSchema });
/** How long a PUT waits for its own write to show in the view, so that a GET right after reads it. */
const READ_YOUR_WRITE_MS = 5_000;

export function registerInventoryRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.put('/v1/inventory/:product', async (request, reply) => {
    const params = ProductParamsSchema.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'product', params.error);
    const body = InventoryUpdateSchema.safeParse(request.body);
    if (!body.success) return sendInvalid(reply, 'inventory', body.error);
    const record: Inventory = { product: params.data.product, quantity: body.data.quantity };
    await deps.writer.write(TOPICS.warehouseInventory, record.product, serdes.inventory, record);
    await until(() => deps.view.inventory(record.product)?.quantity === record.quantity, READ_YOUR_WRITE_MS);
    return reply.send({ ...record, reserved: deps.view.reserved(record.product) });
  });

  app.get('/v1/inventory/:product', async (request, reply) => {
    const params = ProductParamsSchema.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'product', params.error);
    const { product } = params.data;
    const stock = deps.view.inventory(product);
    if (stock === null) return sendError(reply, 404, `No inventory record for ${product}`, { product });
    return reply.send({ product, quantity: stock.quantity, reserved: deps.view.reserved(product) });
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
