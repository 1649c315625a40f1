/**
 * Inventory as CQRS (system-spec.md): commands in (`inventory-commands`, keyed by product), events out as the source
 * of truth (`inventory-events`, keyed by product), and one result per command (`command-results`, keyed by command
 * id). Topic schemas are lenient where the processor's job is to judge (a quantity of 0 or -3 is a well-formed
 * command the processor REJECTS); the HTTP schemas are what the door takes.
 */
import { z } from 'zod';
import { MAX_ID_LENGTH, PRODUCTS, wellFormedText } from '../schemas.js';

export const INVENTORY_COMMAND_TYPES = ['ADD', 'REMOVE', 'SET', 'RESERVE', 'RELEASE'] as const;
export const InventoryCommandTypeSchema = z.enum(INVENTORY_COMMAND_TYPES);
export type InventoryCommandType = z.infer<typeof InventoryCommandTypeSchema>;

export const InventoryCommandSchema = z.object({
  commandId: z.string().min(1),
  type: InventoryCommandTypeSchema,
  product: z.string().min(1),
  quantity: z.number(),
  orderId: z.string().min(1).optional(),
});
export type InventoryCommand = z.infer<typeof InventoryCommandSchema>;

export const INVENTORY_EVENT_TYPES = ['STOCK_ADDED', 'STOCK_REMOVED', 'STOCK_SET', 'RESERVED', 'RELEASED', 'REJECTED'] as const;
export const InventoryEventSchema = z.object({
  eventId: z.string().min(1),
  commandId: z.string().min(1),
  type: z.enum(INVENTORY_EVENT_TYPES),
  product: z.string().min(1),
  quantity: z.number(),
  orderId: z.string().optional(),
  reason: z.string().optional(),
  /** Stock free to reserve after the event. */
  available: z.number().int().nonnegative(),
  /** Stock held by reservations after the event. */
  reserved: z.number().int().nonnegative(),
});
export type InventoryEvent = z.infer<typeof InventoryEventSchema>;
export type InventoryEventType = InventoryEvent['type'];

export const CommandResultSchema = z.object({
  commandId: z.string().min(1),
  status: z.enum(['ACCEPTED', 'REJECTED']),
  reason: z.string().optional(),
  events: z.array(z.string()),
});
export type CommandResult = z.infer<typeof CommandResultSchema>;

/** Stock of one product as the processor and the read model keep it. */
export const StockSchema = z.object({
  available: z.number().int().nonnegative(),
  reserved: z.number().int().nonnegative(),
});
export type Stock = z.infer<typeof StockSchema>;

/**
 * Command ids the order flow uses for an order's reservation and its release: derived from the order id, so a
 * replayed order maps to the same command and is applied once. Clients may not use this prefix (`http/`).
 */
export const ORDER_COMMAND_PREFIX = 'order:';
export const reserveCommandId = (orderId: string): string => `${ORDER_COMMAND_PREFIX}${orderId}:reserve`;
export const releaseCommandId = (orderId: string): string => `${ORDER_COMMAND_PREFIX}${orderId}:release`;

/** `POST /v1/inventory/{product}/commands` body: the door checks shapes and ranges; stock rules are the processor's. */
export const NewInventoryCommandSchema = z.object({
  commandId: wellFormedText(MAX_ID_LENGTH, 1)
    .refine((id) => !id.startsWith(ORDER_COMMAND_PREFIX), { message: `must not start with "${ORDER_COMMAND_PREFIX}" (the order flow's ids)` })
    .optional(),
  type: InventoryCommandTypeSchema,
  quantity: z.number().int('must be an integer in the safe range').min(0, 'must be at least 0'),
  orderId: wellFormedText(MAX_ID_LENGTH, 1).optional(),
});

/** A product the inventory stocks, as a URL names it: one of the shop's products or a GTIN (8, 12, 13 or 14 digits). */
export const StockedProductSchema = z
  .string()
  .refine((p) => (PRODUCTS as ReadonlyArray<string>).includes(p) || /^(\d{8}|\d{12,14})$/.test(p), {
    message: `must be one of ${PRODUCTS.join(', ')} or a GTIN`,
  });
