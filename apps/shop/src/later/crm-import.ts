/**
 * crm-import: turns the CRM's export (`crm-customers`, keyed by `crmId`) into shop customers, after Häggström's CRM
 * customer service: filter (records the shop can use), selectKey (the customer id is the CRM's `customerNo`), map
 * (name and contacts to the shop's shape: the first contact with an email gives the email), and a `disabled` record
 * becomes a tombstone — the customer is deleted, not silently dropped.
 *
 * Single writer: `customers` belongs to the orders API process (it writes `POST /v1/customers`), so this app does not
 * write it. It writes `crm-customer-changes` (keyed by customer id, compacted), and the owner applies each change to
 * `customers` (`CustomerChangesRelay`). See the README ("Who writes `customers`").
 */
import { StreamsBuilder, type KafkaStreams, type Topology } from '@tributary/streams';
import type { Customer } from '../schemas.js';
import { createService, type ServiceRuntime } from '../services/service-runtime.js';
import { serdes } from '../topics.js';
import { LATER_APP_IDS } from './later-app-ids.js';
import type { CrmCustomer } from './later-schemas.js';
import { LATER_TOPICS, laterSerdes } from './later-topics.js';

/** The shop's customer for a CRM record (null: the record deletes the customer). */
export function customerFromCrm(record: CrmCustomer): Customer | null {
  if (record.disabled) return null;
  const name = record.name.trim().replace(/\s+/g, ' ');
  const space = name.indexOf(' ');
  const email = record.contacts.map((c) => c.email.trim()).find((e) => e !== '') ?? '';
  return {
    id: record.customerNo,
    firstName: space < 0 ? name : name.slice(0, space),
    lastName: space < 0 ? '' : name.slice(space + 1),
    email,
    // The CRM knows no address or level: new customers start at the default level (see the README).
    address: '',
    level: 'bronze',
  };
}

export function crmImportTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream<string, CrmCustomer>(LATER_TOPICS.crmCustomers, { keySerde: laterSerdes.key, valueSerde: laterSerdes.crmCustomer })
    // A CRM tombstone names only the crmId, not which customer: there is nothing to apply (the CRM disables instead).
    .filter((_crmId, record) => record !== null)
    .selectKey((_crmId, record) => String(record.customerNo))
    .mapValues((record) => customerFromCrm(record))
    .to(LATER_TOPICS.crmCustomerChanges, { keySerde: serdes.customerKey, valueSerde: serdes.customer });
  return builder.build();
}

export function createCrmImport(runtime: ServiceRuntime): KafkaStreams {
  // A change applied twice is harmless (the relay writes the latest version per customer), but exactly-once keeps
  // a restart from reordering a customer's changes.
  return createService(crmImportTopology(), LATER_APP_IDS.crmImport, runtime, { processingGuarantee: 'exactly_once_v2' });
}
