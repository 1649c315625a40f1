/** The inventory's topic and store serdes: JSON, each read through its zod schema (`schemas.ts`). */
import { Serdes } from '@tributary/streams';
import {
  CommandResultSchema,
  InventoryCommandSchema,
  InventoryEventSchema,
  StockSchema,
  type CommandResult,
  type InventoryCommand,
  type InventoryEvent,
  type Stock,
} from './schemas.js';

export const inventoryCommandSerde = Serdes.json<InventoryCommand>(InventoryCommandSchema);
export const inventoryEventSerde = Serdes.json<InventoryEvent>(InventoryEventSchema);
export const commandResultSerde = Serdes.json<CommandResult>(CommandResultSchema);
export const stockSerde = Serdes.json<Stock>(StockSchema);
