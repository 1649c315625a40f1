/**
 * Application ids of the shop's streams apps. They name consumer groups, state directories and internal topics,
 * so changing one makes the app start over from scratch.
 */
export const APP_IDS = {
  ordersView: 'orders-service-view',
  orderDetails: 'order-details-service',
  inventory: 'inventory-service',
  fraud: 'fraud-service',
  validationsAggregator: 'validations-aggregator-service',
  email: 'email-service',
} as const;

/** The inventory service's reserved-stock store: its changelog doubles as the feed for `GET /v1/inventory`. */
export const RESERVED_STOCK_STORE = 'reserved-stock';
