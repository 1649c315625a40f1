/**
 * The read side of the command topics, run by every HTTP instance as one streams app (`shop-command-views`), each
 * store partitioned like its topic and routed by key between instances (like the orders view):
 * - the inventory read model (`inventory/read-model.ts`), keyed by product, built from `inventory-events` only;
 * - the command results (`command-results`, keyed by command id) for `GET /v1/commands/{id}`;
 * - the registration outcomes (`registration-events` re-keyed by command id) for `GET /v1/registrations/{id}`.
 * Every event and result it applies is handed to the waiters of the long polls. Results expire after the dedup
 * horizon (`settledRetentionMs`): a client asking about a command that old gets a 504 as for an unknown one.
 */
import {
  QueryableStoreTypes,
  Serdes,
  Stores,
  StreamsBuilder,
  ReplyWaiters,
  remoteOwnerOf,
  type HostInfo,
  type KafkaStreams,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type ReadOnlyKeyValueStore,
  type Serde,
  type StreamRecord,
  type Topology,
} from '@tributary/streams';
import { z } from 'zod';
import { APP_IDS } from '../app-ids.js';
import { addInventoryReadModel, INVENTORY_READ_MODEL_STORE } from '../inventory/read-model.js';
import { CommandResultSchema, type CommandResult, type InventoryEvent, type Stock } from '../inventory/schemas.js';
import { commandResultSerde } from '../inventory/serdes.js';
import { EMAIL_CLAIMS_CHANGELOG } from '../command-topics.js';
import type { Claim } from '../registrations/messages.js';
import { normaliseEmail, RegistrationEventSchema, type RegistrationEvent } from '../registrations/schemas.js';
import { claimSerde, registrationEventSerde } from './registrations.js';
import { TOPICS } from '../topics.js';
import { DEFAULT_SETTLED_RETENTION_MS, scheduleExpiry } from './retention.js';
import { createService, type ServiceRuntime } from './service-runtime.js';
import type { SupervisedApp } from './supervisor.js';

export const COMMAND_RESULTS_STORE = 'command-results-view';
export const REGISTRATION_RESULTS_STORE = 'registration-results-view';
export const EMAIL_OWNERS_STORE = 'email-owners';

interface Entry<V> {
  readonly value: V;
  readonly at: number;
}

/** Where the views hand what they apply: the HTTP API's long-poll waiters. */
export interface CommandFeeds {
  readonly results: ReplyWaiters<string, CommandResult>;
  readonly registrations: ReplyWaiters<string, RegistrationEvent>;
  /** Every inventory event, by product (a PUT waits for its SET's event). */
  readonly inventoryEvents: ReplyWaiters<string, InventoryEvent>;
}

export function createCommandFeeds(): CommandFeeds {
  return { results: new ReplyWaiters(), registrations: new ReplyWaiters(), inventoryEvents: new ReplyWaiters() };
}

/**
 * Keeps the first value per key (a command's one decision) with its event time, so it can expire, and hands it on;
 * a repeat (a duplicate command answered again with its first result) changes nothing.
 */
class FirstByKey<V> implements Processor<string, V, never, never> {
  private store!: KeyValueStore<string, Entry<V>>;

  constructor(
    private readonly storeName: string,
    private readonly onValue: (key: string, value: V) => void,
    private readonly retentionMs: number,
  ) {}

  init(context: ProcessorContext<never, never>): void {
    this.store = context.getStateStore<KeyValueStore<string, Entry<V>>>(this.storeName);
    scheduleExpiry(context, this.store, (e) => e.at, this.retentionMs);
  }

  process(record: StreamRecord<string, V>): void {
    if (record.value === null || this.store.get(record.key) !== null) return;
    this.store.put(record.key, { value: record.value, at: record.timestamp });
    this.onValue(record.key, record.value);
  }
}

export function commandViewsTopology(feeds: CommandFeeds, retentionMs = DEFAULT_SETTLED_RETENTION_MS): Topology {
  const builder = new StreamsBuilder();
  addInventoryReadModel(builder, INVENTORY_READ_MODEL_STORE, (event) => feeds.inventoryEvents.notify(event.product, event));

  const entryOf = <V>(schema: z.ZodType<V>): Serde<Entry<V>> => Serdes.json<Entry<V>>(z.object({ value: schema, at: z.number() }) as z.ZodType<Entry<V>>);
  builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(COMMAND_RESULTS_STORE), Serdes.string(), entryOf(CommandResultSchema)));
  builder
    .stream<string, CommandResult>(TOPICS.commandResults, { keySerde: Serdes.string(), valueSerde: commandResultSerde })
    .process(() => new FirstByKey<CommandResult>(COMMAND_RESULTS_STORE, (id, r) => feeds.results.notify(id, r), retentionMs), COMMAND_RESULTS_STORE);

  builder.addStateStore(
    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REGISTRATION_RESULTS_STORE), Serdes.string(), entryOf(RegistrationEventSchema)),
  );
  builder
    .stream<string, RegistrationEvent>(TOPICS.registrationEvents, { keySerde: Serdes.string(), valueSerde: registrationEventSerde })
    // Decided per customer, asked for by command id: re-keyed so one instance owns each command's outcome.
    .selectKey((_customerId, event) => event.commandId)
    .repartition({ name: 'registration-results', keySerde: Serdes.string(), valueSerde: registrationEventSerde })
    .process(
      () => new FirstByKey<RegistrationEvent>(REGISTRATION_RESULTS_STORE, (id, e) => feeds.registrations.notify(id, e), retentionMs),
      REGISTRATION_RESULTS_STORE,
    );

  // Who holds each email: the registration service's claims, replicated whole on every instance.
  builder.globalTable<string, Claim>(EMAIL_CLAIMS_CHANGELOG, { keySerde: Serdes.string(), valueSerde: claimSerde, storeName: EMAIL_OWNERS_STORE });
  return builder.build();
}

/** Reads the views' stores; each read is null until the app runs or when the key is unknown. */
export class CommandViews {
  constructor(private readonly supervised: SupervisedApp) {}

  get app(): KafkaStreams {
    return this.supervised.app;
  }

  stock(product: string): Stock | null {
    return this.read<Stock>(INVENTORY_READ_MODEL_STORE)?.get(product) ?? null;
  }

  commandResult(commandId: string): CommandResult | null {
    return this.read<Entry<CommandResult>>(COMMAND_RESULTS_STORE)?.get(commandId)?.value ?? null;
  }

  registration(commandId: string): RegistrationEvent | null {
    return this.read<Entry<RegistrationEvent>>(REGISTRATION_RESULTS_STORE)?.get(commandId)?.value ?? null;
  }

  ownerOfEmail(email: string): Claim | null {
    return this.read<Claim>(EMAIL_OWNERS_STORE)?.get(normaliseEmail(email)) ?? null;
  }

  /** Another instance that owns `key` in `storeName`, when there is one (requests for it are forwarded there). */
  remoteOwner(storeName: string, key: string): HostInfo | undefined {
    return remoteOwnerOf(this.app, storeName, key, Serdes.string());
  }

  private read<V>(storeName: string): ReadOnlyKeyValueStore<string, V> | undefined {
    const app = this.app;
    if (app.state !== 'RUNNING' && app.state !== 'REBALANCING') return undefined;
    return app.store({ storeName, type: QueryableStoreTypes.keyValueStore<string, V>() });
  }
}

export function createCommandViews(runtime: ServiceRuntime, feeds: CommandFeeds, applicationServer?: string): KafkaStreams {
  return createService(
    commandViewsTopology(feeds, runtime.settledRetentionMs),
    APP_IDS.commandViews,
    runtime,
    applicationServer !== undefined ? { applicationServer } : {},
  );
}
