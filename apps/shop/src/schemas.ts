/**
 * The shapes of every record the shop writes or reads (shop-spec.md fixes them). Topic schemas are deliberately
 * lenient where a service's job is to judge the value: an order for an unknown product or a negative quantity is
 * a well-formed record that order-details must FAIL, not a record that cannot be read.
 */
import { z } from 'zod';

export const PRODUCTS = ['JUMPERS', 'UNDERPANTS', 'STOCKINGS'] as const;
export const ProductSchema = z.enum(PRODUCTS);
export type Product = z.infer<typeof ProductSchema>;

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

/** `POST /v1/orders`: state may be omitted and, when given, must be CREATED (only services move an order on). */
export const NewOrderSchema = z.object({
  id: z.string().min(1).max(200),
  customerId: z.number().int(),
  state: z.literal('CREATED').optional(),
  product: z.string().min(1),
  quantity: z.number().finite(),
  price: z.number().finite(),
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
  amount: z.number().finite(),
});
export type Payment = z.infer<typeof PaymentSchema>;

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
