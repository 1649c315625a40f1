/**
 * The inventory's command processor (Processor API, one task per partition of `inventory-commands`, so each product
 * is decided by one task, one command at a time). For each command it:
 * 1. answers a repeated command id with its first result again, and nothing else (the command log, below);
 * 2. decides the command against the product's stock (`stock-rules.ts`), so stock never goes below zero;
 * 3. writes the one event it causes to `inventory-events` (REJECTED included) and its result to `command-results`.
 * Stores and output are one exactly-once transaction: a crash either keeps all of a command's effects or none, and
 * the replayed command is then judged again as if for the first time. Nothing else changes stock.
 *
 * The command log remembers ids for `retentionMs` of event time (the dedup horizon, default 7 days): a command id
 * reused after that is a new command. Reservations made for orders (`orderId`) are remembered per order for the same
 * horizon, so a RELEASE gives back exactly what that order holds, once.
 */
import type { KeyValueStore, Processor, ProcessorContext, StreamRecord } from '@tributary/streams';
import { z } from 'zod';
import { scheduleExpiry } from '../services/retention.js';
import { CommandResultSchema, type CommandResult, type InventoryCommand, type InventoryEvent, type Stock } from './schemas.js';
import { decide, type Decision } from './stock-rules.js';

export const STOCK_STORE = 'inventory-stock';
export const COMMAND_LOG_STORE = 'inventory-command-log';
export const ORDER_HOLDS_STORE = 'inventory-order-holds';

export const CommandLogEntrySchema = z.object({ result: CommandResultSchema, at: z.number() });
export type CommandLogEntry = z.infer<typeof CommandLogEntrySchema>;

export const OrderHoldSchema = z.object({
  product: z.string(),
  quantity: z.number(),
  /** RESERVED: holds stock; REJECTED: never held any; RELEASED: gave it back. */
  status: z.enum(['RESERVED', 'REJECTED', 'RELEASED']),
  at: z.number(),
});
export type OrderHold = z.infer<typeof OrderHoldSchema>;

/** What the processor emits: each goes to its own topic (see `inventory-service.ts`). */
export type CommandOutput = { readonly kind: 'event'; readonly event: InventoryEvent } | { readonly kind: 'result'; readonly result: CommandResult };

export class InventoryCommandProcessor implements Processor<string, InventoryCommand, string, CommandOutput> {
  private context!: ProcessorContext<string, CommandOutput>;
  private stock!: KeyValueStore<string, Stock>;
  private log!: KeyValueStore<string, CommandLogEntry>;
  private holds!: KeyValueStore<string, OrderHold>;

  constructor(private readonly retentionMs: number) {}

  init(context: ProcessorContext<string, CommandOutput>): void {
    this.context = context;
    this.stock = context.getStateStore<KeyValueStore<string, Stock>>(STOCK_STORE);
    this.log = context.getStateStore<KeyValueStore<string, CommandLogEntry>>(COMMAND_LOG_STORE);
    this.holds = context.getStateStore<KeyValueStore<string, OrderHold>>(ORDER_HOLDS_STORE);
    scheduleExpiry(context, this.log, (e) => e.at, this.retentionMs);
    scheduleExpiry(context, this.holds, (h) => h.at, this.retentionMs);
  }

  process(record: StreamRecord<string, InventoryCommand>): void {
    const command = record.value;
    if (command === null) return;
    const seen = this.log.get(command.commandId);
    if (seen !== null) {
      // Applied once already: the first result again, no new event (the result topic is keyed by command id, so a
      // reader sees the same answer twice at most).
      this.emitResult(seen.result, record.timestamp);
      return;
    }
    const current = this.stock.get(command.product);
    const decision = this.withOrderHold(command, current, record.timestamp);
    const meta = this.context.recordMetadata();
    // Deterministic: a command replayed after an aborted transaction gets the same event id.
    const eventId = meta !== undefined ? `${meta.topic}-${meta.partition}-${meta.offset}` : `${command.commandId}-event`;
    const after = decision.stock ?? { available: 0, reserved: 0 };
    const event: InventoryEvent = {
      eventId,
      commandId: command.commandId,
      type: decision.type,
      product: command.product,
      quantity: decision.quantity,
      ...(command.orderId !== undefined ? { orderId: command.orderId } : {}),
      ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
      available: after.available,
      reserved: after.reserved,
    };
    if (decision.type !== 'REJECTED' && decision.stock !== null) this.stock.put(command.product, decision.stock);
    const result: CommandResult = {
      commandId: command.commandId,
      status: decision.type === 'REJECTED' ? 'REJECTED' : 'ACCEPTED',
      ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
      events: [eventId],
    };
    this.log.put(command.commandId, { result, at: record.timestamp });
    this.context.forward({ key: command.product, value: { kind: 'event', event }, timestamp: record.timestamp, headers: {} });
    this.emitResult(result, record.timestamp);
  }

  /**
   * Commands for an order: a RESERVE is remembered per order (one reservation per order), and a RELEASE gives back
   * what that order holds (its quantity, whatever the command says), once.
   */
  private withOrderHold(command: InventoryCommand, stock: Stock | null, at: number): Decision & { readonly quantity: number } {
    const orderId = command.orderId;
    if (orderId === undefined || (command.type !== 'RESERVE' && command.type !== 'RELEASE')) return { ...decide(command, stock), quantity: command.quantity };
    const hold = this.holds.get(orderId);
    const rejected = (reason: string): Decision & { quantity: number } => ({ type: 'REJECTED', stock, reason, quantity: command.quantity });
    if (command.type === 'RESERVE') {
      if (hold !== null) return rejected(`order ${orderId} already has a reservation (${hold.status})`);
      const decision = decide(command, stock);
      const status = decision.type === 'REJECTED' ? 'REJECTED' : 'RESERVED';
      this.holds.put(orderId, { product: command.product, quantity: command.quantity, status, at });
      return { ...decision, quantity: command.quantity };
    }
    if (hold === null || hold.status !== 'RESERVED' || hold.product !== command.product) {
      return rejected(`order ${orderId} holds no reservation of ${command.product}`);
    }
    const decision = decide({ ...command, quantity: hold.quantity }, stock);
    if (decision.type !== 'REJECTED') this.holds.put(orderId, { ...hold, status: 'RELEASED', at });
    return { ...decision, quantity: hold.quantity };
  }

  private emitResult(result: CommandResult, timestamp: number): void {
    this.context.forward({ key: result.commandId, value: { kind: 'result', result }, timestamp, headers: {} });
  }
}
