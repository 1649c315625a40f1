/**
 * Every streams app the shop runs, by the service name the supervisor knows it under: its application id and how to
 * build its topology. Building a topology starts nothing, so the store lookups (`GET /v1/stores`) can list the stores
 * of every service, including those running in other processes, and the topic registry's test can derive each
 * app's writers from its sinks. A new app must be added here (the registry test fails otherwise).
 */
import type { Topology } from '@tributary/streams';
import { APP_IDS } from './app-ids.js';
import { CATALOG_PIPELINE_APP_ID, catalogPipelineTopology } from './catalog/catalog-pipeline.js';
import { CATALOG_VIEW_APP_ID, catalogViewTopology } from './catalog/catalog-view.js';
import { emailTopology } from './services/email.js';
import { fraudTopology } from './services/fraud.js';
import { inventoryTopology } from './services/inventory.js';
import { orderDetailsTopology } from './services/order-details.js';
import { ordersViewTopology } from './services/orders-view.js';
import { validationsAggregatorTopology } from './services/validations-aggregator.js';
import { commandViewsTopology, createCommandFeeds } from './services/command-views.js';
import { registrationsTopology } from './services/registrations.js';
import { CUSTOMER_LEVELS } from './schemas.js';
import { LATER_APP_IDS } from './later/later-app-ids.js';
import { warrantyTopology } from './later/warranty.js';
import { orderInsightsTopology } from './later/order-insights.js';
import { crmImportTopology } from './later/crm-import.js';

export interface AppEntry {
  /** The name the shop supervises it under (`/health`, `services/run.js <service>`). */
  readonly service: string;
  readonly applicationId: string;
  /** A fresh topology of the app, for describing it (nothing runs). */
  topology(): Topology;
  /**
   * Topics a sink with a topic-name extractor may write (its topic is chosen per record, so the topology cannot
   * say). The registry test counts them as written by this app.
   */
  readonly dynamicSinkTopics?: ReadonlyArray<string>;
}

const noop = (): void => undefined;

export const SHOP_APPS: ReadonlyArray<AppEntry> = [
  { service: 'orders', applicationId: APP_IDS.ordersView, topology: () => ordersViewTopology(noop) },
  { service: 'order-details', applicationId: APP_IDS.orderDetails, topology: orderDetailsTopology },
  { service: 'inventory', applicationId: APP_IDS.inventory, topology: () => inventoryTopology() },
  { service: 'fraud', applicationId: APP_IDS.fraud, topology: fraudTopology },
  { service: 'validations-aggregator', applicationId: APP_IDS.validationsAggregator, topology: () => validationsAggregatorTopology() },
  // The enriched order also goes to the topic named by the customer's level.
  { service: 'email', applicationId: APP_IDS.email, topology: () => emailTopology({ send: noop }), dynamicSinkTopics: CUSTOMER_LEVELS },
  { service: 'command-views', applicationId: APP_IDS.commandViews, topology: () => commandViewsTopology(createCommandFeeds()) },
  { service: 'registrations', applicationId: APP_IDS.registrations, topology: registrationsTopology },
  { service: 'catalog-pipeline', applicationId: CATALOG_PIPELINE_APP_ID, topology: catalogPipelineTopology },
  { service: 'catalog-view', applicationId: CATALOG_VIEW_APP_ID, topology: catalogViewTopology },
  { service: 'warranty', applicationId: LATER_APP_IDS.warranty, topology: warrantyTopology },
  { service: 'order-insights', applicationId: LATER_APP_IDS.orderInsights, topology: orderInsightsTopology },
  { service: 'crm-import', applicationId: LATER_APP_IDS.crmImport, topology: crmImportTopology },
];

export function appByService(service: string): AppEntry | undefined {
  return SHOP_APPS.find((a) => a.service === service);
}
