/**
 * The shop's background services by name: what `main.ts` starts in one process and what `run.ts` starts one at a
 * time. The orders service (HTTP API and its view) is not here: it is assembled in `shop.ts`.
 */
import type { KafkaStreams } from '@tributary/streams';
import { startCatalogPipeline } from '../catalog/catalog-pipeline.js';
import { startEmail } from './email.js';
import { startFraud } from './fraud.js';
import { startInventory } from './inventory.js';
import { startOrderDetails } from './order-details.js';
import type { ServiceRuntime } from './service-runtime.js';
import { startValidationsAggregator } from './validations-aggregator.js';

export const SERVICES = {
  'order-details': startOrderDetails,
  inventory: startInventory,
  fraud: startFraud,
  'validations-aggregator': startValidationsAggregator,
  email: startEmail,
  'catalog-pipeline': startCatalogPipeline,
} as const satisfies Record<string, (runtime: ServiceRuntime) => Promise<KafkaStreams>>;

export type ServiceName = keyof typeof SERVICES;

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(SERVICES, name);
}
