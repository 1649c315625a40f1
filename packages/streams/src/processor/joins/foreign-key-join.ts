/**
 * The foreign-key KTable-KTable join (KIP-213), done the way Kafka Streams does it, through two internal topics:
 *
 * 1. left updates subscribe their primary key to the foreign key (subscription topic, partitioned by foreign key);
 * 2. the right side keeps the subscriptions and answers each one, and every right update, with its current value
 *    (response topic, partitioned by the left key);
 * 3. the left side joins a response with its current value, unless the left value changed meanwhile (a hash of the
 *    value travels with the subscription, so stale answers are recognised and dropped).
 */
import { createHash } from 'node:crypto';
import type { ProcessorContext, ProcessorSupplier } from '../../api/processor.js';
import type { Serde } from '../../serde/serde.js';
import type { KeyValueStore } from '../../state/store.js';
import type { Change } from '../change.js';
import type { KTableValueGetterSupplier } from '../value-getter.js';

export type SubscriptionInstruction = 'DELETE_KEY_AND_PROPAGATE' | 'DELETE_KEY_NO_PROPAGATE' | 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE' | 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE';

/** Travels on the subscription topic, keyed by foreign key. `pk` is the left key's bytes (base64). */
export interface Subscription {
  readonly instruction: SubscriptionInstruction;
  readonly hash: string | null;
  readonly pk: string;
}

/** Travels on the response topic, keyed by the left key. `value` is the right value's bytes (base64) or null. */
export interface SubscriptionResponse {
  readonly hash: string | null;
  readonly value: string | null;
}

export function valueHash(bytes: Buffer | null): string | null {
  return bytes === null ? null : createHash('sha1').update(bytes).digest('base64');
}

/** Subscription store keys: 4-byte foreign-key length, foreign key, primary key; scans by foreign-key prefix. */
export function combinedKey(fk: Buffer, pk: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + fk.length + pk.length);
  out.writeUInt32BE(fk.length, 0);
  fk.copy(out, 4);
  pk.copy(out, 4 + fk.length);
  return out;
}

export function foreignKeyPrefix(fk: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + fk.length);
  out.writeUInt32BE(fk.length, 0);
  fk.copy(out, 4);
  return out;
}

interface Serdes<K, V, FK, VR> {
  readonly key: Serde<K>;
  readonly value: Serde<V>;
  readonly foreignKey: Serde<FK>;
  readonly rightValue: Serde<VR>;
}

/** Step 1, on the left table's updates. Forwards `(foreignKey, Subscription)`; a left join with no foreign key answers itself. */
export function subscriptionSendProcessor<K, V, FK, VR, VO>(
  extractor: (value: V) => FK | null,
  leftJoin: boolean,
  serdes: Serdes<K, V, FK, VR>,
  topicHint: string,
  joiner: (value: V, right: VR | null, key: K) => VO,
  resultChild: string,
  subscriptionChild: string,
): ProcessorSupplier<K, Change<V>, unknown, unknown> {
  return () => {
    let ctx: ProcessorContext<unknown, unknown>;
    return {
      init(context) {
        ctx = context;
      },
      process(record) {
        const { newValue, oldValue } = record.value;
        const pk = serdes.key.serialize(topicHint, record.key)?.toString('base64') ?? '';
        const newFk = newValue === null ? null : extractor(newValue);
        const oldFk = oldValue === null ? null : extractor(oldValue);
        const hash = valueHash(newValue === null ? null : serdes.value.serialize(topicHint, newValue));
        const send = (fk: FK, instruction: SubscriptionInstruction): void =>
          ctx.forward({ key: fk, value: { instruction, hash, pk } satisfies Subscription, timestamp: record.timestamp, headers: record.headers }, subscriptionChild);
        const fkChanged = oldFk !== null && (newFk === null || !sameBytes(serdes, topicHint, oldFk, newFk));
        if (newValue === null) {
          if (oldFk !== null) send(oldFk, 'DELETE_KEY_AND_PROPAGATE');
          else ctx.forward({ key: record.key, value: { newValue: null, oldValue: null }, timestamp: record.timestamp, headers: record.headers }, resultChild);
          return;
        }
        if (fkChanged && oldFk !== null) send(oldFk, 'DELETE_KEY_NO_PROPAGATE');
        if (newFk === null) {
          // No foreign key: nothing to subscribe to. A left join still has a result; an inner join has none.
          const result = leftJoin ? joiner(newValue, null, record.key) : null;
          ctx.forward({ key: record.key, value: { newValue: result, oldValue: null }, timestamp: record.timestamp, headers: record.headers }, resultChild);
          return;
        }
        send(newFk, leftJoin ? 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE' : 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE');
      },
    };
  };
}

function sameBytes<K, V, FK, VR>(serdes: Serdes<K, V, FK, VR>, topic: string, a: FK, b: FK): boolean {
  const x = serdes.foreignKey.serialize(topic, a);
  const y = serdes.foreignKey.serialize(topic, b);
  return x !== null && y !== null && x.equals(y);
}

/** Step 2a, on the subscription topic: record the subscription and answer it with the right value. */
export function subscriptionReceiveProcessor<FK, VR>(
  storeName: string,
  right: KTableValueGetterSupplier<FK, VR>,
  serdes: { readonly foreignKey: Serde<FK>; readonly rightValue: Serde<VR> },
  topicHint: string,
): ProcessorSupplier<FK, Subscription, Buffer, SubscriptionResponse> {
  return () => {
    let ctx: ProcessorContext<Buffer, SubscriptionResponse>;
    let store: KeyValueStore<Buffer, Subscription>;
    const getter = right.get();
    return {
      init(context) {
        ctx = context;
        store = context.getStateStore<KeyValueStore<Buffer, Subscription>>(storeName);
        getter.init(context);
      },
      process(record) {
        const sub = record.value;
        if (record.key === null || record.key === undefined || !sub) return;
        const fkBytes = serdes.foreignKey.serialize(topicHint, record.key) ?? Buffer.alloc(0);
        const pk = Buffer.from(sub.pk, 'base64');
        const key = combinedKey(fkBytes, pk);
        const respond = (response: SubscriptionResponse, timestamp: number): void =>
          ctx.forward({ key: pk, value: response, timestamp, headers: record.headers });
        if (sub.instruction === 'DELETE_KEY_AND_PROPAGATE' || sub.instruction === 'DELETE_KEY_NO_PROPAGATE') {
          store.delete(key);
          if (sub.instruction === 'DELETE_KEY_AND_PROPAGATE') respond({ hash: null, value: null }, record.timestamp);
          return;
        }
        store.put(key, sub);
        const current = getter.get(record.key);
        if (current === null && sub.instruction === 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE') return;
        const bytes = current === null ? null : serdes.rightValue.serialize(topicHint, current.value);
        respond(
          { hash: sub.hash, value: bytes === null ? null : bytes.toString('base64') },
          current === null ? record.timestamp : Math.max(record.timestamp, current.timestamp),
        );
      },
    };
  };
}

/** Step 2b, on the right table's updates: answer every subscriber of that foreign key. */
export function foreignUpdateProcessor<FK, VR>(
  storeName: string,
  serdes: { readonly foreignKey: Serde<FK>; readonly rightValue: Serde<VR> },
  topicHint: string,
): ProcessorSupplier<FK, Change<VR>, Buffer, SubscriptionResponse> {
  return () => {
    let ctx: ProcessorContext<Buffer, SubscriptionResponse>;
    let store: KeyValueStore<Buffer, Subscription>;
    return {
      init(context) {
        ctx = context;
        store = context.getStateStore<KeyValueStore<Buffer, Subscription>>(storeName);
      },
      process(record) {
        if (record.key === null || record.key === undefined) return;
        const fkBytes = serdes.foreignKey.serialize(topicHint, record.key) ?? Buffer.alloc(0);
        const prefix = foreignKeyPrefix(fkBytes);
        const bytes = record.value.newValue === null ? null : serdes.rightValue.serialize(topicHint, record.value.newValue);
        for (const { key, value } of store.range(prefix, null)) {
          if (!key.subarray(0, prefix.length).equals(prefix)) break;
          ctx.forward({
            key: key.subarray(prefix.length),
            value: { hash: value.hash, value: bytes === null ? null : bytes.toString('base64') },
            timestamp: record.timestamp,
            headers: record.headers,
          });
        }
      },
    };
  };
}

/** Step 3, on the response topic: join with the current left value, unless the left value moved on. */
export function responseJoinProcessor<K, V, VR, VO>(
  left: KTableValueGetterSupplier<K, V>,
  joiner: (value: V, right: VR | null, key: K) => VO,
  leftJoin: boolean,
  serdes: { readonly value: Serde<V>; readonly rightValue: Serde<VR> },
  topicHint: string,
): ProcessorSupplier<K, SubscriptionResponse, K, Change<VO>> {
  return () => {
    let ctx: ProcessorContext<K, Change<VO>>;
    const getter = left.get();
    return {
      init(context) {
        ctx = context;
        getter.init(context);
      },
      process(record) {
        const response = record.value;
        const current = getter.get(record.key);
        const currentHash = valueHash(current === null ? null : serdes.value.serialize(topicHint, current.value));
        if (currentHash !== response.hash) return;
        let result: VO | null = null;
        if (current !== null) {
          const rightValue = response.value === null ? null : serdes.rightValue.deserialize(topicHint, Buffer.from(response.value, 'base64'));
          result = rightValue !== null || leftJoin ? joiner(current.value, rightValue, record.key) : null;
        }
        ctx.forward({ key: record.key, value: { newValue: result, oldValue: null }, timestamp: record.timestamp, headers: record.headers });
      },
    };
  };
}
