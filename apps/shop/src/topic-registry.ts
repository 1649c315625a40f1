/**
 * The topic registry (after Häggström's rules for a streaming system's structure): every topic the shop's services
 * share, with its single writer (owner), the zod schema of its values and its cleanup policy. Internal topics an app
 * creates for itself (repartition topics, changelogs nobody else reads) are the app's by construction and not listed.
 *
 * Rules, checked by `test/topic-registry.test.ts` against every app's topology (its sinks) and the HTTP API's writes:
 * - one writer per topic. Two topics fixed by shop-spec.md have several writers on purpose (Stopford's order flow)
 *   and say so in `sharedBy`; anything else written by two applications fails the test;
 * - every topic an app or the API writes is registered here, with the cleanup policy it is created with;
 * - names follow `<domain>-<entity>[-v<version>]` (lower case, words joined by `-`); the single-word names
 *   shop-spec.md fixed before the convention are grandfathered (`GRANDFATHERED_NAMES`).
 *
 * Writers are the service names of `app-catalog.ts` (streams apps) and `orders-api`: the HTTP API, whose producers
 * (`TopicWriter`, `FeedWriter`) refuse any topic not registered to it (`assertApiWrite`).
 */
import { z } from 'zod';
import { SHOP_APPS } from './app-catalog.js';
import { CatalogProductSchema } from './catalog/catalog-schemas.js';
import { CATALOG_TOPICS } from './catalog/catalog-topics.js';
import { CUSTOMER_LEVELS, CustomerSchema, InventorySchema, OrderEnrichedSchema, OrderSchema, OrderValidationSchema, PaymentSchema } from './schemas.js';
import { deadLetterTopic, TOPICS } from './topics.js';
import { EMAIL_CLAIMS_CHANGELOG } from './command-topics.js';
import { CommandResultSchema, InventoryCommandSchema, InventoryEventSchema } from './inventory/schemas.js';
import { RegistrationCommandSchema, RegistrationEventSchema } from './registrations/schemas.js';
import { ClaimMessageSchema, ClaimReplySchema, ClaimSchema } from './registrations/messages.js';
import { CrmCustomerSchema, WarrantyOfferSchema } from './later/later-schemas.js';
import { LATER_TOPICS } from './later/later-topics.js';

/** The HTTP API of the orders process (its producers, not a streams app). */
export const API_WRITER = 'orders-api';

export type CleanupPolicy = 'delete' | 'compact';

export interface TopicEntry {
  readonly name: string;
  /** The single writer: a service of `app-catalog.ts`, or `orders-api`. */
  readonly owner: string;
  /** Further writers of a topic whose shape a spec fixed with several writers, and why (the exception, documented). */
  readonly sharedBy?: { readonly writers: ReadonlyArray<string>; readonly because: string };
  /** The values' schema; tombstones (null) are allowed on compacted topics. */
  readonly schema: z.ZodType;
  readonly cleanupPolicy: CleanupPolicy;
  readonly description: string;
}

/** Names fixed by shop-spec.md before the naming convention; new topics may not join this list. */
export const GRANDFATHERED_NAMES: ReadonlyArray<string> = [TOPICS.orders, TOPICS.payments, TOPICS.customers, ...CUSTOMER_LEVELS];

/** `<domain>-<entity>[-v<version>]`: at least two lower-case words, an optional version suffix. */
export const TOPIC_NAME_CONVENTION = /^[a-z][a-z0-9]*(-[a-z][a-z0-9]*)+(-v[0-9]+)?$/;

/** Feed records are judged by the pipeline (a malformed one becomes a reject), so only the key field is required. */
const FeedRecordSchema = z.looseObject({ sku: z.string() });
const RejectSchema = z.looseObject({ reason: z.string(), supplier: z.string() });

const entries: TopicEntry[] = [
  {
    name: TOPICS.orders,
    owner: API_WRITER,
    sharedBy: { writers: ['validations-aggregator'], because: 'shop-spec.md: the API writes CREATED orders, the aggregator their VALIDATED/FAILED versions' },
    schema: OrderSchema,
    cleanupPolicy: 'delete',
    description: 'every version of every order, keyed by order id',
  },
  {
    name: TOPICS.orderValidations,
    owner: 'order-details',
    sharedBy: { writers: ['inventory', 'fraud'], because: 'shop-spec.md: each validator writes its own check type of an order' },
    schema: OrderValidationSchema,
    cleanupPolicy: 'delete',
    description: 'one result per check type and order, keyed by order id',
  },
  { name: TOPICS.payments, owner: API_WRITER, schema: PaymentSchema, cleanupPolicy: 'delete', description: 'payments, keyed by payment id' },
  {
    name: TOPICS.customers,
    owner: API_WRITER,
    schema: CustomerSchema.nullable(),
    cleanupPolicy: 'compact',
    description: 'the latest version of each customer (a tombstone deletes), keyed by customer id in decimal',
  },
  {
    name: TOPICS.warehouseInventory,
    owner: API_WRITER,
    schema: InventorySchema.nullable(),
    cleanupPolicy: 'compact',
    description: "the warehouse's stock per product (a shop product name or a GTIN)",
  },
  { name: TOPICS.ordersEnriched, owner: 'email', schema: OrderEnrichedSchema, cleanupPolicy: 'delete', description: 'CREATED orders with their customer level' },
  ...CUSTOMER_LEVELS.map(
    (level): TopicEntry => ({ name: level, owner: 'email', schema: OrderEnrichedSchema, cleanupPolicy: 'delete', description: `enriched orders of ${level} customers` }),
  ),
  {
    name: TOPICS.inventoryCommands,
    owner: API_WRITER,
    sharedBy: {
      writers: ['inventory'],
      because: 'system-spec.md: the API writes commands, and the order flow reserves and releases through the same command processor',
    },
    schema: InventoryCommandSchema,
    cleanupPolicy: 'delete',
    description: 'inventory commands (ADD, REMOVE, SET, RESERVE, RELEASE), keyed by product',
  },
  {
    name: TOPICS.inventoryEvents,
    owner: 'inventory',
    schema: InventoryEventSchema,
    cleanupPolicy: 'delete',
    description: "the inventory's source of truth: one event per command, with the stock after it, keyed by product",
  },
  { name: TOPICS.commandResults, owner: 'inventory', schema: CommandResultSchema, cleanupPolicy: 'delete', description: 'one result per inventory command, keyed by command id' },
  { name: TOPICS.registrationCommands, owner: API_WRITER, schema: RegistrationCommandSchema, cleanupPolicy: 'delete', description: 'registration commands, keyed by customer id' },
  { name: TOPICS.registrationEvents, owner: 'registrations', schema: RegistrationEventSchema, cleanupPolicy: 'delete', description: 'one decision per registration command, keyed by customer id' },
  {
    name: EMAIL_CLAIMS_CHANGELOG,
    owner: 'registrations',
    schema: ClaimSchema.nullable(),
    cleanupPolicy: 'compact',
    description: "the changelog of the registration service's email claims, read by the command views as a global table (who holds an email)",
  },
  {
    name: TOPICS.registrationEmailClaims,
    owner: 'registrations',
    schema: ClaimMessageSchema,
    cleanupPolicy: 'delete',
    description: 'internal to the registration service: claims of a normalised email, keyed by it',
  },
  {
    name: TOPICS.registrationUsernameClaims,
    owner: 'registrations',
    schema: ClaimMessageSchema,
    cleanupPolicy: 'delete',
    description: 'internal to the registration service: claims of a username, keyed by it',
  },
  {
    name: TOPICS.registrationReplies,
    owner: 'registrations',
    schema: ClaimReplySchema,
    cleanupPolicy: 'delete',
    description: "internal to the registration service: the claims' answers, back to the customer's partition",
  },
  { name: CATALOG_TOPICS.feeds.acme, owner: API_WRITER, schema: FeedRecordSchema, cleanupPolicy: 'delete', description: "acme's feed, keyed by sku" },
  { name: CATALOG_TOPICS.feeds.globex, owner: API_WRITER, schema: FeedRecordSchema, cleanupPolicy: 'delete', description: "globex's feed, keyed by sku" },
  { name: CATALOG_TOPICS.rejects, owner: 'catalog-pipeline', schema: RejectSchema, cleanupPolicy: 'delete', description: 'feed records the pipeline refused, with the reason' },
  {
    name: CATALOG_TOPICS.products,
    owner: 'catalog-pipeline',
    schema: CatalogProductSchema.nullable(),
    cleanupPolicy: 'compact',
    description: 'the merged catalog, keyed by GTIN (a tombstone deletes)',
  },
  {
    name: LATER_TOPICS.warrantyOffers,
    owner: 'warranty',
    schema: WarrantyOfferSchema,
    cleanupPolicy: 'delete',
    description: 'one warranty extension offer per VALIDATED order of an eligible catalog product, keyed by order id',
  },
  { name: LATER_TOPICS.crmCustomers, owner: API_WRITER, schema: CrmCustomerSchema, cleanupPolicy: 'delete', description: "the CRM's customer records, keyed by crmId" },
  {
    name: LATER_TOPICS.crmCustomerChanges,
    owner: 'crm-import',
    schema: CustomerSchema.nullable(),
    cleanupPolicy: 'compact',
    description: 'customers the CRM import derived (a tombstone deletes), keyed by customer id; the owner of customers applies them',
  },
  // Every app sets aside what it cannot read or process in its own dead-letter topic (the runtime writes it).
  ...SHOP_APPS.map(
    (app): TopicEntry => ({
      name: deadLetterTopic(app.applicationId),
      owner: app.service,
      schema: z.unknown(),
      cleanupPolicy: 'delete',
      description: `records ${app.service} could not read or process, as they were read, with the reason in headers`,
    }),
  ),
];

export const TOPIC_REGISTRY: ReadonlyMap<string, TopicEntry> = new Map(entries.map((e) => [e.name, e]));

/** Every application allowed to write `topic` (its owner first); empty for an unregistered topic. */
export function writersOf(topic: string): ReadonlyArray<string> {
  const entry = TOPIC_REGISTRY.get(topic);
  return entry === undefined ? [] : [entry.owner, ...(entry.sharedBy?.writers ?? [])];
}

/** Refuses a write of the HTTP API to a topic the registry does not give it (a programming error, caught by tests). */
export function assertApiWrite(topic: string): void {
  if (!writersOf(topic).includes(API_WRITER)) throw new Error(`the HTTP API may not write topic ${topic}: the topic registry names ${writersOf(topic)[0] ?? 'no owner'}`);
}

/** Topics the HTTP API writes. */
export function apiTopics(): string[] {
  return [...TOPIC_REGISTRY.values()].filter((e) => writersOf(e.name).includes(API_WRITER)).map((e) => e.name);
}
