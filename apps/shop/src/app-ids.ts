/**
 * Application ids of the shop's streams apps. They name consumer groups, state directories and internal topics,
 * so changing one makes the app start over from scratch.
 */
export const APP_IDS = {
  // v2: the view moved from a KTable's store to a store of its own (settled orders expire); a new id rebuilds it
  // from the whole `orders` topic instead of starting empty at the old app's committed offsets.
  ordersView: 'orders-service-view-v2',
  orderDetails: 'order-details-service',
  // The inventory became a command processor (inventory-commands → inventory-events): new stores, so a new id.
  inventory: 'inventory-command-service',
  fraud: 'fraud-service',
  validationsAggregator: 'validations-aggregator-service',
  email: 'email-service',
  /** The HTTP process's read side of the command topics: inventory read model, command and registration results. */
  commandViews: 'shop-command-views',
  registrations: 'registration-service',
} as const;
