/** Record shapes of the services added later (system-spec.md fixes the offer's and the CRM record's fields). */
import { z } from 'zod';
import { CustomerSchema, OrderSchema, OrderStateSchema } from '../schemas.js';

/** A `warranty-offers` value, keyed by order id. `price` in EUR for the whole extension of the order's quantity. */
export const WarrantyOfferSchema = z.object({
  orderId: z.string().min(1),
  gtin: z.string().min(1),
  years: z.number().int().positive(),
  price: z.number().nonnegative(),
});
export type WarrantyOffer = z.infer<typeof WarrantyOfferSchema>;

export const CrmContactSchema = z.object({ email: z.string(), phone: z.string() });

/** A `crm-customers` value, keyed by `crmId`, as the CRM exports it. */
export const CrmCustomerSchema = z.object({
  crmId: z.string().min(1),
  customerNo: z.number().int().nonnegative(),
  name: z.string(),
  contacts: z.array(CrmContactSchema),
  disabled: z.boolean(),
});
export type CrmCustomer = z.infer<typeof CrmCustomerSchema>;

/** An `orders-with-customers` entry: the order's latest version with its customer (when the table has one). */
export const OrderWithCustomerSchema = z.object({
  order: OrderSchema,
  status: OrderStateSchema,
  customer: CustomerSchema.nullable(),
});
export type OrderWithCustomer = z.infer<typeof OrderWithCustomerSchema>;
