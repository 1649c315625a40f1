/**
 * validations-aggregator: gathers the three checks of each order and decides its fate once: all three PASS →
 * the order is written back as VALIDATED; any FAIL (or ERROR) → FAILED. Each order's progress lives in one
 * changelogged store entry, which also remembers the outcome so that no later record can produce a second one.
 */
import {
  Serdes,
  Stores,
  StreamsBuilder,
  type KafkaStreams,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type StreamRecord,
  type Topology,
} from '@tributary/streams';
import { z } from 'zod';
import { APP_IDS } from '../app-ids.js';
import { CHECK_TYPES, OrderSchema, type Order, type OrderValidation } from '../schemas.js';
import { serdes, TOPICS } from '../topics.js';
import { DEFAULT_SETTLED_RETENTION_MS, scheduleExpiry } from './retention.js';
import { createService, type ServiceRuntime } from './service-runtime.js';

export const ORDER_CHECKS_STORE = 'order-checks';
/** Validations stamped later than this after their order (event time) are ignored. */
export const VALIDATION_WINDOW_MS = 5 * 60_000;

const CheckSchema = z.object({ result: z.enum(['PASS', 'FAIL', 'ERROR']), timestamp: z.number() });
const OrderChecksSchema = z.object({
  order: OrderSchema.optional(),
  orderTimestamp: z.number().optional(),
  /** Keyed by check type; the first result of each type counts, repeats are ignored. */
  checks: z.record(z.string(), CheckSchema),
  outcome: z.enum(['VALIDATED', 'FAILED']).optional(),
  /** Event time of the entry's last change (for a decided order: its decision); entries kept before it existed lack it. */
  updatedAt: z.number().optional(),
});
type OrderChecks = z.infer<typeof OrderChecksSchema>;

type AggregatorInput = { readonly kind: 'order'; readonly order: Order } | { readonly kind: 'validation'; readonly validation: OrderValidation };

class ValidationsAggregator implements Processor<string, AggregatorInput, string, Order> {
  private context!: ProcessorContext<string, Order>;
  private store!: KeyValueStore<string, OrderChecks>;

  constructor(private readonly retentionMs: number) {}

  init(context: ProcessorContext<string, Order>): void {
    this.context = context;
    this.store = context.getStateStore<KeyValueStore<string, OrderChecks>>(ORDER_CHECKS_STORE);
    // A decided entry changes no more; an undecided one untouched for the horizon (checks missing, or checks
    // whose order never came) is past the validation window long since: both go after the horizon.
    scheduleExpiry(context, this.store, lastChange, this.retentionMs);
  }

  process(record: StreamRecord<string, AggregatorInput>): void {
    const input = record.value;
    const orderId = input.kind === 'order' ? input.order.id : input.validation.orderId;
    const entry: OrderChecks = this.store.get(orderId) ?? { checks: {} };
    if (entry.outcome !== undefined) return;
    if (input.kind === 'order') {
      if (entry.order !== undefined) return;
      entry.order = input.order;
      entry.orderTimestamp = record.timestamp;
      // Checks that arrived before their order are held to the same window once the order's time is known.
      for (const [type, check] of Object.entries(entry.checks)) {
        if (check.timestamp - record.timestamp > VALIDATION_WINDOW_MS) delete entry.checks[type];
      }
    } else {
      const { checkType, validationResult } = input.validation;
      if (entry.orderTimestamp !== undefined && record.timestamp - entry.orderTimestamp > VALIDATION_WINDOW_MS) return;
      if (entry.checks[checkType] !== undefined) return;
      entry.checks[checkType] = { result: validationResult, timestamp: record.timestamp };
    }
    entry.updatedAt = Math.max(entry.updatedAt ?? 0, record.timestamp);
    const outcome = decide(entry);
    if (outcome !== undefined && entry.order !== undefined) {
      entry.outcome = outcome;
      this.context.forward({ key: orderId, value: { ...entry.order, state: outcome }, timestamp: record.timestamp, headers: {} });
    }
    this.store.put(orderId, entry);
  }
}

function lastChange(entry: OrderChecks): number | undefined {
  return entry.updatedAt ?? entry.orderTimestamp ?? Math.max(...Object.values(entry.checks).map((c) => c.timestamp));
}

/** FAILED as soon as any check fails; VALIDATED once every check type has passed; otherwise undecided. */
export function decide(entry: Pick<OrderChecks, 'checks'>): 'VALIDATED' | 'FAILED' | undefined {
  const results = Object.values(entry.checks).map((c) => c.result);
  if (results.some((r) => r !== 'PASS')) return 'FAILED';
  return CHECK_TYPES.every((t) => entry.checks[t]?.result === 'PASS') ? 'VALIDATED' : undefined;
}

export function validationsAggregatorTopology(retentionMs = DEFAULT_SETTLED_RETENTION_MS): Topology {
  const builder = new StreamsBuilder();
  builder.addStateStore(
    Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ORDER_CHECKS_STORE), Serdes.string(), Serdes.json<OrderChecks>(OrderChecksSchema)),
  );
  const orders = builder
    .stream<string, Order>(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order })
    // Only new orders start an aggregation; the VALIDATED/FAILED versions this service writes come back here.
    .filter((_id, order) => order?.state === 'CREATED')
    .mapValues((order): AggregatorInput => ({ kind: 'order', order }));
  const validations = builder
    .stream<string, OrderValidation>(TOPICS.orderValidations, { keySerde: serdes.key, valueSerde: serdes.validation })
    .filter((_id, validation) => validation !== null)
    .mapValues((validation): AggregatorInput => ({ kind: 'validation', validation }));
  orders
    .merge(validations)
    .process(() => new ValidationsAggregator(retentionMs), ORDER_CHECKS_STORE)
    .to(TOPICS.orders, { keySerde: serdes.key, valueSerde: serdes.order });
  return builder.build();
}

export function createValidationsAggregator(runtime: ServiceRuntime): KafkaStreams {
  return createService(validationsAggregatorTopology(runtime.settledRetentionMs), APP_IDS.validationsAggregator, runtime, { processingGuarantee: 'exactly_once_v2' });
}
