/**
 * The shop's background services by name: what `main.ts` starts in one process and what `run.ts` starts one at a
 * time (each entry creates the app; a `SupervisedApp` starts it and restarts it after a failure). The orders service (HTTP API and its view) is not here: it is assembled in `shop.ts`.
 */
import type { KafkaStreams } from '@tributary/streams';
import { createCatalogPipeline } from '../catalog/catalog-pipeline.js';
import { createEmail } from './email.js';
import { createFraud } from './fraud.js';
import { createInventory } from './inventory.js';
import { createOrderDetails } from './order-details.js';
import { createRegistrations } from './registrations.js';
import type { ServiceRuntime } from './service-runtime.js';
import { createValidationsAggregator } from './validations-aggregator.js';

export const SERVICES = {
  'order-details': createOrderDetails,
  inventory: createInventory,
  fraud: createFraud,
  'validations-aggregator': createValidationsAggregator,
  email: createEmail,
  registrations: createRegistrations,
  'catalog-pipeline': createCatalogPipeline,
} as const satisfies Record<string, (runtime: ServiceRuntime) => KafkaStreams>;

export type ServiceName = keyof typeof SERVICES;

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(SERVICES, name);
}
