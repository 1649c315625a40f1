/**
 * The catalog's HTTP API (system-spec.md, "Catalog pipeline and search"):
 *   GET  /v1/catalog/search?q=&brand=&category=&minPrice=&maxPrice=&page=&size=
 *   GET  /v1/catalog/products/{gtin}
 *   POST /v1/catalog/feeds/{acme|globex}   one record or an array → 202 once appended
 *   GET  /v1/catalog/rejects?sku=
 * Feed records are checked only as far as keying needs (a `sku`); the pipeline judges the rest.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CatalogApi } from '../catalog/catalog-service.js';
import { isSupplier, SUPPLIERS } from '../catalog/catalog-schemas.js';
import { checkGtin } from '../catalog/gtin.js';
import type { FeedEntry } from '../catalog/feed-writer.js';
import { sendError, sendInvalid } from './errors.js';

/** Lone UTF-16 surrogates: text that is not well-formed Unicode. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_ID = 100;
/** OpenSearch's default `index.max_result_window`: deeper pages are refused on both engines alike. */
const MAX_RESULT_WINDOW = 10_000;
const MAX_FEED_BATCH = 1_000;

const id = (name: string) =>
  z
    .string({ message: `${name} is required` })
    .min(1, `${name} must be 1-${MAX_ID} characters`)
    .max(MAX_ID, `${name} must be 1-${MAX_ID} characters`)
    .refine((s) => !LONE_SURROGATE.test(s), `${name} must be well-formed Unicode`);

const facetValue = (name: string) => id(name).optional();
const price = z.coerce.number().finite().nonnegative().optional();

const SearchQuerySchema = z
  .object({
    q: z.string().max(500, 'q must be at most 500 characters').refine((s) => !LONE_SURROGATE.test(s), 'q must be well-formed Unicode').default(''),
    brand: facetValue('brand'),
    category: facetValue('category'),
    minPrice: price,
    maxPrice: price,
    page: z.coerce.number().int().min(1).max(MAX_RESULT_WINDOW).default(1),
    size: z.coerce.number().int().min(1).max(100).default(10),
  })
  .refine((q) => q.minPrice === undefined || q.maxPrice === undefined || q.minPrice <= q.maxPrice, {
    message: 'maxPrice must not be below minPrice',
    path: ['maxPrice'],
  })
  .refine((q) => q.page * q.size <= MAX_RESULT_WINDOW, { message: `page * size must be at most ${MAX_RESULT_WINDOW}`, path: ['page'] });

const GtinParamsSchema = z.object({ gtin: id('gtin') });
const SupplierParamsSchema = z.object({ supplier: z.string() });
const RejectsQuerySchema = z.object({ sku: id('sku') });
const FeedRecordSchema = z.looseObject({ sku: id('sku').refine((s) => s.trim() !== '', 'sku must not be blank') });
const FeedBatchSchema = z.array(FeedRecordSchema).min(1, 'at least one record').max(MAX_FEED_BATCH, `at most ${MAX_FEED_BATCH} records`);

/** `?brand=&page=` as an HTML form sends them: an empty parameter means "not given". */
function withoutEmpty(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return query;
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''));
}

export function registerCatalogRoutes(app: FastifyInstance, catalog: CatalogApi): void {
  app.get('/v1/catalog/search', async (request, reply) => {
    const query = SearchQuerySchema.safeParse(withoutEmpty(request.query));
    if (!query.success) return sendInvalid(reply, 'search query', query.error);
    try {
      return reply.send(await catalog.search(query.data));
    } catch (error) {
      // The engine (an OpenSearch node) is down or refused: the server's problem, not the client's.
      return sendError(reply, 503, `The ${catalog.engine} search engine is unavailable; retry shortly`, {
        cause: error instanceof Error ? error.message : String(error),
      });
    }
  });

  app.get('/v1/catalog/products/:gtin', (request, reply) => {
    const params = GtinParamsSchema.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, 'gtin', params.error);
    const gtin = checkGtin(params.data.gtin);
    const product = gtin.ok ? catalog.product(gtin.gtin) : null;
    if (product === null) return sendError(reply, 404, `No catalog product with GTIN ${params.data.gtin}`, { gtin: params.data.gtin });
    return reply.send(product);
  });

  app.post('/v1/catalog/feeds/:supplier', async (request, reply) => {
    const { supplier } = SupplierParamsSchema.parse(request.params);
    if (!isSupplier(supplier)) return sendError(reply, 404, `No feed ${supplier}; feeds are ${SUPPLIERS.join(', ')}`, { supplier });
    // One record or an array; parsed apart so an issue names `sku` or `<index>.sku`, not the union.
    const body = Array.isArray(request.body) ? FeedBatchSchema.safeParse(request.body) : FeedRecordSchema.safeParse(request.body);
    if (!body.success) return sendInvalid(reply, 'feed record', body.error);
    const records = Array.isArray(body.data) ? body.data : [body.data];
    // Keyed by the trimmed sku, as the pipeline names the record; the record itself goes as it was sent.
    const entries: FeedEntry[] = records.map((record) => ({ sku: record.sku.trim(), record }));
    await catalog.appendFeed(supplier, entries);
    return reply.code(202).send({ supplier, accepted: entries.length, skus: entries.map((e) => e.sku) });
  });

  app.get('/v1/catalog/rejects', (request, reply) => {
    const query = RejectsQuerySchema.safeParse(request.query);
    if (!query.success) return sendInvalid(reply, 'rejects query', query.error);
    const sku = query.data.sku.trim() || query.data.sku;
    return reply.send({ sku, rejects: catalog.rejects(sku) });
  });
}
