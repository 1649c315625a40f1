/**
 * The shapes of every record the shop writes or reads (shop-spec.md fixes them). Topic schemas are deliberately
 * lenient where a service's job is to judge the value: an order for an unknown product or a negative quantity is
 * a well-formed record that order-details must FAIL, not a record that cannot be read.
 */
import { z } from 'zod';
import { checkGtin } from './catalog/gtin.js';

export const PRODUCTS = ['JUMPERS', 'UNDERPANTS', 'STOCKINGS'] as const;
export const ProductSchema = z.enum(PRODUCTS);
export type Product = z.infer<typeof ProductSchema>;

/**
 * What the warehouse may stock (`PUT /v1/inventory/{product}`): one of the shop's products, or a catalog product by
 * its GTIN, turned into the canonical form `catalog-products` is keyed by (so stock and catalog meet).
 */
export const StockedProductSchema = z.string().transform((text, ctx) => {
  if ((PRODUCTS as ReadonlyArray<string>).includes(text)) return text;
  const gtin = checkGtin(text);
  if (gtin.ok) return gtin.gtin;
  ctx.addIssue({ code: 'custom', message: `must be one of ${PRODUCTS.join(', ')} or a valid GTIN (${gtin.reason})` });
  return z.NEVER;
});

export const ORDER_STATES = ['CREATED', 'VALIDATED', 'FAILED', 'SHIPPED'] as const;
export const OrderStateSchema = z.enum(ORDER_STATES);
export type OrderState = z.infer<typeof OrderStateSchema>;

/** An order as it travels on `orders`; `product` is any string so that unknown products reach order-details. */
export const OrderSchema = z.object({
  id: z.string().min(1),
  customerId: z.number().int(),
  state: OrderStateSchema,
  product: z.string(),
  quantity: z.number(),
  price: z.number(),
});
export type Order = z.infer<typeof OrderSchema>;

/** Longest order id, in characters (code points): the same limit for writing an order and for reading it. */
export const MAX_ID_LENGTH = 100;
/** Largest absolute price the API takes: `quantity * price` then stays finite for any safe-integer quantity. */
export const MAX_PRICE = 1e9;
/** Longest free-text field (names, addresses, product names, currency codes) the API takes. */
export const MAX_TEXT_LENGTH = 1_000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text that survives the trip to a topic unchanged: a lone UTF-16 surrogate would be turned into U+FFFD when
 * encoded as UTF-8, so a record keyed by it could never be found again by the same string.
 */
export function wellFormedText(maxLength: number, min = 0): z.ZodString {
  return z
    .string()
    .refine((s) => !LONE_SURROGATE.test(s), { message: 'must be well-formed Unicode (no lone surrogates)', abort: true })
    .refine((s) => codePoints(s) >= min, { message: min === 1 ? 'must not be empty' : `must have at least ${min} characters` })
    .refine((s) => codePoints(s) <= maxLength, { message: `must have at most ${maxLength} characters` });
}

/** Length in code points: what a person counts as characters, and what the URL limit is sized for. */
function codePoints(s: string): number {
  return s.length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
}

/** An order id as the API takes it, in a body or in a URL. */
export const OrderIdSchema = wellFormedText(MAX_ID_LENGTH, 1);

/**
 * `POST /v1/orders`: state may be omitted and, when given, must be CREATED (only services move an order on).
 * Quantities are integers in the safe range (the inventory keeps them in a `long` changelog), prices finite and
 * bounded; zero or negative quantities and negative prices are still accepted: order-details FAILs them.
 */
export const NewOrderSchema = z.object({
  id: OrderIdSchema,
  customerId: z.number().int(),
  state: z.literal('CREATED').optional(),
  product: wellFormedText(MAX_TEXT_LENGTH, 1),
  quantity: z.number().int('must be an integer in the safe range'),
  price: z.number().min(-MAX_PRICE, `must be at least ${-MAX_PRICE}`).max(MAX_PRICE, `must be at most ${MAX_PRICE}`),
});
export type NewOrder = z.infer<typeof NewOrderSchema>;

export const CHECK_TYPES = ['INVENTORY_CHECK', 'FRAUD_CHECK', 'ORDER_DETAILS_CHECK'] as const;
export const CheckTypeSchema = z.enum(CHECK_TYPES);
export type CheckType = z.infer<typeof CheckTypeSchema>;

export const OrderValidationSchema = z.object({
  orderId: z.string().min(1),
  checkType: CheckTypeSchema,
  validationResult: z.enum(['PASS', 'FAIL', 'ERROR']),
  reason: z.string().optional(),
});
export type OrderValidation = z.infer<typeof OrderValidationSchema>;

export const PaymentSchema = z.object({
  id: z.string().min(1),
  orderId: z.string().min(1),
  ccy: z.string().min(1),
  amount: z.number(),
});
export type Payment = z.infer<typeof PaymentSchema>;

/** `POST /v1/payments`: the topic's shape, with text that survives the trip and a bounded amount. */
export const NewPaymentSchema = z.object({
  id: wellFormedText(MAX_ID_LENGTH, 1),
  orderId: OrderIdSchema,
  ccy: wellFormedText(MAX_TEXT_LENGTH, 1),
  amount: z.number().min(-MAX_PRICE).max(MAX_PRICE),
});

export const CUSTOMER_LEVELS = ['platinum', 'gold', 'silver', 'bronze'] as const;
export const CustomerLevelSchema = z.enum(CUSTOMER_LEVELS);
export type CustomerLevel = z.infer<typeof CustomerLevelSchema>;

export const CustomerSchema = z.object({
  id: z.number().int().nonnegative(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  address: z.string(),
  level: CustomerLevelSchema.default('bronze'),
});
export type Customer = z.infer<typeof CustomerSchema>;

/** `POST /v1/customers`: the topic's shape, with text that survives the trip. */
export const NewCustomerSchema = z.object({
  id: z.number().int().nonnegative(),
  firstName: wellFormedText(MAX_TEXT_LENGTH),
  lastName: wellFormedText(MAX_TEXT_LENGTH),
  email: wellFormedText(MAX_TEXT_LENGTH),
  address: wellFormedText(MAX_TEXT_LENGTH),
  level: CustomerLevelSchema.default('bronze'),
});

/** A `warehouse-inventory` record: the stock the warehouse holds, keyed by product. */
export const InventorySchema = z.object({
  product: z.string().min(1),
  quantity: z.number().int().nonnegative(),
});
export type Inventory = z.infer<typeof InventorySchema>;

/** `PUT /v1/inventory/{product}` body. */
export const InventoryUpdateSchema = z.object({ quantity: z.number().int().nonnegative() });

export const OrderEnrichedSchema = z.object({
  id: z.string().min(1),
  customerId: z.number().int(),
  customerLevel: z.string(),
});
export type OrderEnriched = z.infer<typeof OrderEnrichedSchema>;
