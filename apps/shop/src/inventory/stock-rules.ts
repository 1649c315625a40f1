/**
 * The inventory's rules as one pure function: a command and the product's current stock in, the one event it causes
 * out (a REJECTED event when a rule says no). The command processor applies it; tests state the rules through it.
 *
 * Stock is kept as `available` (free to reserve) and `reserved` (held for orders); the warehouse's `quantity` is
 * their sum. Both stay `>= 0`: a command that would take either below zero is REJECTED and changes nothing.
 * - ADD q: available += q. REMOVE q: available -= q. SET q: the warehouse holds q in all, so available = q - reserved
 *   (rejected when q < reserved: reserved stock cannot be removed by a count).
 * - RESERVE q: available -= q, reserved += q. RELEASE q: reserved -= q, available += q.
 * - Quantities are whole numbers in the safe range, > 0 (SET: >= 0). A product without a record (never ADDed or SET)
 *   cannot be REMOVEd, RESERVEd or RELEASEd.
 */
import type { InventoryCommand, InventoryEventType, Stock } from './schemas.js';

export interface Decision {
  readonly type: InventoryEventType;
  /** The stock after the command (unchanged when rejected; null: the product still has no record). */
  readonly stock: Stock | null;
  readonly reason?: string;
}

const EVENT_OF = { ADD: 'STOCK_ADDED', REMOVE: 'STOCK_REMOVED', SET: 'STOCK_SET', RESERVE: 'RESERVED', RELEASE: 'RELEASED' } as const;

export function decide(command: InventoryCommand, stock: Stock | null): Decision {
  const reject = (reason: string): Decision => ({ type: 'REJECTED', stock, reason });
  const q = command.quantity;
  if (!Number.isSafeInteger(q)) return reject(`quantity must be a whole number in the safe range (got ${q})`);
  if (command.type === 'SET' ? q < 0 : q <= 0) return reject(`quantity must be ${command.type === 'SET' ? 'at least 0' : 'greater than 0'} (got ${q})`);
  const accept = (next: Stock): Decision => ({ type: EVENT_OF[command.type], stock: next });
  if (command.type === 'SET') {
    const reserved = stock?.reserved ?? 0;
    if (q < reserved) return reject(`cannot set ${command.product} to ${q}: ${reserved} are reserved`);
    return accept({ available: q - reserved, reserved });
  }
  if (command.type === 'ADD') {
    const available = (stock?.available ?? 0) + q;
    // available + reserved is the warehouse's count: it must stay exact.
    if (!Number.isSafeInteger(available + (stock?.reserved ?? 0))) return reject(`adding ${q} would exceed the largest stock the inventory can count`);
    return accept({ available, reserved: stock?.reserved ?? 0 });
  }
  if (stock === null) return reject(`no inventory record for product ${command.product}`);
  switch (command.type) {
    case 'REMOVE':
      if (q > stock.available) return reject(`insufficient stock of ${command.product}: ${stock.available} available, ${q} to remove`);
      return accept({ available: stock.available - q, reserved: stock.reserved });
    case 'RESERVE':
      if (q > stock.available) {
        return reject(`insufficient stock of ${command.product}: ${stock.available} available, ${stock.reserved} reserved, ${q} requested`);
      }
      return accept({ available: stock.available - q, reserved: stock.reserved + q });
    case 'RELEASE':
      if (q > stock.reserved) return reject(`cannot release ${q} of ${command.product}: only ${stock.reserved} reserved`);
      return accept({ available: stock.available + q, reserved: stock.reserved - q });
  }
}
