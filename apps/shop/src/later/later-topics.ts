/**
 * Topics of the services added later (system-spec.md, "Services added later, lookups of any store"), their serdes
 * and `ensureLaterTopics`. Names follow the registry's convention `<domain>-<entity>[-v<version>]`.
 */
import { Serdes, type Backend, type NewTopic } from '@tributary/streams';
import { PARTITIONS, deadLetterTopic } from '../topics.js';
import { LATER_APP_IDS } from './later-app-ids.js';
import { CrmCustomerSchema, WarrantyOfferSchema, type CrmCustomer, type WarrantyOffer } from './later-schemas.js';

export const LATER_TOPICS = {
  warrantyOffers: 'warranty-offers',
  crmCustomers: 'crm-customers',
  /** The CRM import's output: customer versions (or tombstones) the owner of `customers` applies. */
  crmCustomerChanges: 'crm-customer-changes',
} as const;

export const laterSerdes = {
  key: Serdes.string(),
  offer: Serdes.json<WarrantyOffer>(WarrantyOfferSchema),
  crmCustomer: Serdes.json<CrmCustomer>(CrmCustomerSchema),
};

export const LATER_TOPIC_LIST: ReadonlyArray<NewTopic> = [
  // Keyed by order id like `orders`: an offer lands in the partition of its order.
  { name: LATER_TOPICS.warrantyOffers, numPartitions: PARTITIONS },
  { name: LATER_TOPICS.crmCustomers, numPartitions: PARTITIONS },
  // Compacted like `customers`: the latest change per customer is all the owner needs.
  { name: LATER_TOPICS.crmCustomerChanges, numPartitions: PARTITIONS, config: { 'cleanup.policy': 'compact' } },
  ...Object.values(LATER_APP_IDS).map((id): NewTopic => ({ name: deadLetterTopic(id), numPartitions: PARTITIONS })),
];

export async function ensureLaterTopics(backend: Backend): Promise<void> {
  const admin = backend.admin();
  try {
    await admin.createTopics(LATER_TOPIC_LIST);
  } finally {
    await admin.close();
  }
}
