/**
 * Topics of the command side (system-spec.md: inventory as CQRS, registrations), kept apart from `topics.ts` so the
 * order flow's list stays as shop-spec.md fixes it. All keyed topics have the shop's partition count.
 */
import type { NewTopic } from '@tributary/streams';
import { APP_IDS } from './app-ids.js';

export const COMMAND_TOPICS = {
  inventoryCommands: 'inventory-commands',
  inventoryEvents: 'inventory-events',
  commandResults: 'command-results',
  registrationCommands: 'registration-commands',
  registrationEvents: 'registration-events',
  /** Internal to the registration service: claims of a normalised email, keyed by it. */
  registrationEmailClaims: 'registration-email-claims',
  /** Internal to the registration service: claims of a username, keyed by it. */
  registrationUsernameClaims: 'registration-username-claims',
  /** Internal to the registration service: the claims' answers, back to the customer's partition. */
  registrationReplies: 'registration-replies',
} as const;

/**
 * The registration service's email claims store's changelog (Kafka Streams' `<applicationId>-<store>-changelog`):
 * the HTTP instances read it as a global table for `GET /v1/customers/by-email`, so it is created up front.
 */
export const EMAIL_CLAIMS_CHANGELOG = `${APP_IDS.registrations}-email-claims-changelog`;

export function commandTopics(partitions: number): NewTopic[] {
  return [
    ...Object.values(COMMAND_TOPICS).map((name) => ({ name, numPartitions: partitions })),
    { name: EMAIL_CLAIMS_CHANGELOG, numPartitions: partitions, config: { 'cleanup.policy': 'compact' } },
  ];
}
