/**
 * registrations: unique emails and usernames by repartitioning commands (system-spec.md). Three stages in one
 * exactly-once app, each a task per partition of its topic:
 *   registration-commands (by customer) ─┐
 *   registration-replies  (by customer) ─┴→ customer stage ─→ registration-events
 *                                            │   ▲
 *                           claims, releases ▼   │ answers
 *   registration-email-claims (by normalised email) → email stage ─→ username stage ← registration-username-claims
 * The value stages are the only writers of their claims stores, so one value has one holder; a claim, its answer and
 * the customer's new record are each committed with the record that caused them, so a crash repeats nothing.
 */
import { Serdes, Stores, StreamsBuilder, type KafkaStreams, type KStream, type Topology } from '@tributary/streams';
import { APP_IDS } from '../app-ids.js';
import { CLAIM_STORES, ClaimProcessor } from '../registrations/claim-processor.js';
import { CUSTOMERS_STORE, CustomerProcessor, PENDING_STORE, PendingSchema, RegisteredSchema, type CustomerInput, type Pending, type Registered } from '../registrations/customer-processor.js';
import { ClaimMessageSchema, ClaimReplySchema, ClaimSchema, type Claim, type ClaimMessage, type ClaimReply, type StageOutput } from '../registrations/messages.js';
import { RegistrationCommandSchema, RegistrationEventSchema, type RegistrationCommand, type RegistrationEvent } from '../registrations/schemas.js';
import { TOPICS } from '../topics.js';
import { createService, type ServiceRuntime } from './service-runtime.js';

export const registrationCommandSerde = Serdes.json<RegistrationCommand>(RegistrationCommandSchema);
export const registrationEventSerde = Serdes.json<RegistrationEvent>(RegistrationEventSchema);
const claimMessageSerde = Serdes.json<ClaimMessage>(ClaimMessageSchema);
const claimReplySerde = Serdes.json<ClaimReply>(ClaimReplySchema);
export const claimSerde = Serdes.json<Claim>(ClaimSchema);

function route(stage: KStream<string, StageOutput>): void {
  const key = Serdes.string();
  stage.flatMapValues((o) => (o.to === 'events' ? [o.event] : [])).to(TOPICS.registrationEvents, { keySerde: key, valueSerde: registrationEventSerde });
  stage.flatMapValues((o) => (o.to === 'replies' ? [o.reply] : [])).to(TOPICS.registrationReplies, { keySerde: key, valueSerde: claimReplySerde });
  stage.flatMapValues((o) => (o.to === 'email' ? [o.message] : [])).to(TOPICS.registrationEmailClaims, { keySerde: key, valueSerde: claimMessageSerde });
  stage.flatMapValues((o) => (o.to === 'username' ? [o.message] : [])).to(TOPICS.registrationUsernameClaims, { keySerde: key, valueSerde: claimMessageSerde });
}

export function registrationsTopology(): Topology {
  const builder = new StreamsBuilder();
  const key = Serdes.string();
  builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CUSTOMERS_STORE), key, Serdes.json<Registered>(RegisteredSchema)));
  builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE), key, Serdes.json<Pending>(PendingSchema)));
  for (const store of Object.values(CLAIM_STORES)) builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), key, claimSerde));

  const commands = builder
    .stream<string, RegistrationCommand>(TOPICS.registrationCommands, { keySerde: key, valueSerde: registrationCommandSerde })
    .mapValues((command): CustomerInput => ({ kind: 'command', command }));
  const replies = builder
    .stream<string, ClaimReply>(TOPICS.registrationReplies, { keySerde: key, valueSerde: claimReplySerde })
    .mapValues((reply): CustomerInput => ({ kind: 'reply', reply }));
  route(commands.merge(replies).process(() => new CustomerProcessor(), CUSTOMERS_STORE, PENDING_STORE));
  route(
    builder
      .stream<string, ClaimMessage>(TOPICS.registrationEmailClaims, { keySerde: key, valueSerde: claimMessageSerde })
      .process(() => new ClaimProcessor('email'), CLAIM_STORES.email),
  );
  route(
    builder
      .stream<string, ClaimMessage>(TOPICS.registrationUsernameClaims, { keySerde: key, valueSerde: claimMessageSerde })
      .process(() => new ClaimProcessor('username'), CLAIM_STORES.username),
  );
  return builder.build();
}

export function createRegistrations(runtime: ServiceRuntime): KafkaStreams {
  return createService(registrationsTopology(), APP_IDS.registrations, runtime, { processingGuarantee: 'exactly_once_v2' });
}
