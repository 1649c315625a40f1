/**
 * Builds the foreign-key KTable-KTable join into the logical graph: the subscription and response topics, the
 * subscription store, and the processors on both sides (see `processor/joins/foreign-key-join.ts`).
 */
import type { ProcessorSupplier } from '../api/processor.js';
import {
  foreignUpdateProcessor,
  responseJoinProcessor,
  subscriptionReceiveProcessor,
  subscriptionSendProcessor,
  type Subscription,
} from '../processor/joins/foreign-key-join.js';
import { tableJoinMergeProcessor } from '../processor/joins/table-join-merge.js';
import { combinedValueGetter, storeValueGetter, type KTableValueGetterSupplier } from '../processor/value-getter.js';
import { Serdes } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import { Stores } from '../state/stores.js';
import { serdeOrFallback } from './dsl-context.js';
import type { KTable, TableState } from './ktable.js';
import { keyValueStoreBuilderFor, materializedStoreName } from './materialize.js';
import type { MaterializedOptions, NamedOptions } from './options.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

/**
 * The foreign-key join: see `processor/table-joins/foreign-key-join.ts` for the protocol. Returns the state of the
 * joined table (keyed like the left table).
 */
export function buildForeignKeyJoin<K, V, FK, VR, VO>(
  left: KTable<K, V>,
  right: KTable<FK, VR>,
  extractor: (value: V) => FK | null,
  joiner: (value: V, rightValue: VR | null, key: K) => VO,
  leftJoin: boolean,
  materialized: (MaterializedOptions<K, VO> & NamedOptions) | undefined,
): TableState<K, VO> {
  const { ctx } = left.state;
  const g = ctx.graph;
  const serdes = {
    key: serdeOrFallback(left.state.keySerde),
    value: serdeOrFallback(left.state.valueSerde),
    foreignKey: serdeOrFallback(right.state.keySerde),
    rightValue: serdeOrFallback(right.state.valueSerde),
  };
  // Kafka Streams' names for the pieces of a foreign-key join.
  const sendName = g.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-');
  const subscriptionTopic = `${g.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-')}-topic`;
  const subscriptionSink = g.newProcessorName('KTABLE-SINK-');
  const subscriptionSource = g.newProcessorName('KSTREAM-SOURCE-');
  const storeName = `${g.newStoreName('KTABLE-FK-JOIN-SUBSCRIPTION-')}`;
  const receiveName = g.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-');
  const foreignName = g.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-JOIN-FOREIGN-');
  const responseTopic = `${g.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-')}-topic`;
  const responseSinkA = g.newProcessorName('KTABLE-SINK-');
  const responseSinkB = g.newProcessorName('KTABLE-SINK-');
  const responseSource = g.newProcessorName('KSTREAM-SOURCE-');
  const resolverName = g.newProcessorName('KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-');
  const outputName = materialized?.name ?? g.newProcessorName('KTABLE-FK-JOIN-OUTPUT-');
  const resultStore = materializedStoreName(materialized);

  left.enableSendingOldValues();
  g.add({ kind: 'internal-topic', name: subscriptionTopic });
  g.add({ kind: 'internal-topic', name: responseTopic });
  g.add({ kind: 'state-store', builder: Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(storeName), Serdes.bytes(), Serdes.json<Subscription>()) });
  if (resultStore) {
    g.add({
      kind: 'state-store',
      builder: keyValueStoreBuilderFor(resultStore, materialized, serdes.key, serdeOrFallback(materialized?.valueSerde)),
    });
  }
  // Left side: subscribe.
  g.add({
    kind: 'processor',
    name: sendName,
    parents: [left.state.name],
    supplier: subscriptionSendProcessor(extractor, leftJoin, serdes, subscriptionTopic, joiner, outputName, subscriptionSink) as unknown as AnySupplier,
    stores: [],
  });
  g.add({ kind: 'sink', name: subscriptionSink, parent: sendName, topic: subscriptionTopic, keySerde: serdes.foreignKey as Serde<unknown>, valueSerde: Serdes.json() as Serde<unknown>, partitioner: undefined });
  // Right side: keep subscriptions, answer them and every right update.
  g.add({ kind: 'source', name: subscriptionSource, topics: [subscriptionTopic], keySerde: serdes.foreignKey as Serde<unknown>, valueSerde: Serdes.json() as Serde<unknown>, timestampExtractor: undefined, offsetReset: undefined });
  const rightGetter = right.state.valueGetter;
  g.add({
    kind: 'processor',
    name: receiveName,
    parents: [subscriptionSource],
    supplier: subscriptionReceiveProcessor(storeName, rightGetter, serdes, subscriptionTopic) as unknown as AnySupplier,
    stores: [storeName, ...rightGetter.storeNames],
  });
  g.add({
    kind: 'processor',
    name: foreignName,
    parents: [right.state.name],
    supplier: foreignUpdateProcessor(storeName, serdes, subscriptionTopic) as unknown as AnySupplier,
    stores: [storeName],
  });
  g.add({ kind: 'sink', name: responseSinkA, parent: receiveName, topic: responseTopic, keySerde: Serdes.bytes() as Serde<unknown>, valueSerde: Serdes.json() as Serde<unknown>, partitioner: undefined });
  g.add({ kind: 'sink', name: responseSinkB, parent: foreignName, topic: responseTopic, keySerde: Serdes.bytes() as Serde<unknown>, valueSerde: Serdes.json() as Serde<unknown>, partitioner: undefined });
  g.add({ kind: 'copartition', sourceNodes: [subscriptionSource, ...right.state.sourceNodes] });
  // Left side again: resolve responses against the current left value.
  g.add({ kind: 'source', name: responseSource, topics: [responseTopic], keySerde: serdes.key as Serde<unknown>, valueSerde: Serdes.json() as Serde<unknown>, timestampExtractor: undefined, offsetReset: undefined });
  g.add({
    kind: 'processor',
    name: resolverName,
    parents: [responseSource],
    supplier: responseJoinProcessor(left.state.valueGetter, joiner, leftJoin, serdes, responseTopic) as unknown as AnySupplier,
    stores: left.state.valueGetter.storeNames,
  });
  g.add({ kind: 'copartition', sourceNodes: [responseSource, ...left.state.sourceNodes] });
  const sendOld = { value: false };
  g.add({
    kind: 'processor',
    name: outputName,
    parents: [sendName, resolverName],
    supplier: tableJoinMergeProcessor<K, VO>(resultStore, () => sendOld.value) as unknown as AnySupplier,
    stores: resultStore ? [resultStore] : [],
  });
  return {
    ctx,
    name: outputName,
    keySerde: left.state.keySerde,
    valueSerde: materialized?.valueSerde,
    storeName: resultStore,
    queryable: resultStore !== undefined,
    valueGetter: resultStore ? storeValueGetter<K, VO>(resultStore) : foreignKeyValueGetter(left.state.valueGetter, rightGetter, extractor, joiner, leftJoin),
    sendOldValues: sendOld,
    enableParentOldValues: undefined,
    sourceNodes: left.state.sourceNodes,
  };
}

/** Without a result store, the joined value is computed on read (only valid where both stores are local). */
function foreignKeyValueGetter<K, V, FK, VR, VO>(
  left: KTableValueGetterSupplier<K, V>,
  right: KTableValueGetterSupplier<FK, VR>,
  extractor: (value: V) => FK | null,
  joiner: (value: V, right: VR | null, key: K) => VO,
  leftJoin: boolean,
): KTableValueGetterSupplier<K, VO> {
  return combinedValueGetter<K, V, K, VR, FK, VO>(left, right, (leftOf, rightOf, key) => {
    const lv = leftOf(key);
    if (lv === null) return null;
    const fk = extractor(lv.value);
    const rv = fk === null ? null : rightOf(fk);
    if (rv === null && !leftJoin) return null;
    return { value: joiner(lv.value, rv?.value ?? null, key), timestamp: Math.max(lv.timestamp, rv?.timestamp ?? 0) };
  });
}
