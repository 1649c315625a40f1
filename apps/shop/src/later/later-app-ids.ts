/** Application ids of the services added later; like the shop's, changing one starts the app over. */
export const LATER_APP_IDS = {
  warranty: 'warranty-service',
  orderInsights: 'order-insights-service',
  crmImport: 'crm-import-service',
} as const;
