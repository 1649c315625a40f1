/**
 * Wires a windowed stream-stream join (Kafka Streams' `KStreamImplJoin`): each side is repartitioned if its key
 * changed upstream, remembered in its own window store (`KSTREAM-WINDOWED-…`), joined against the other side's
 * store (`KSTREAM-JOINTHIS-…` / `KSTREAM-JOINOTHER-…`, `OUTER…` for sides whose unmatched records are emitted),
 * and both results are merged into one stream. Left and outer joins share an outer-join store between the sides.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import type { Serde } from '../serde/serde.js';
import { Stores } from '../state/stores.js';
import type { StateStore, StoreBuilder } from '../state/store.js';
import { passThroughProcessor } from '../processor/stream-stateless.js';
import { joinWindowProcessor } from '../processor/joins/join-window.js';
import { outerJoinKeySerde, outerJoinValuesSerde } from '../processor/joins/outer-join-store.js';
import { joinTimeTrackers, streamStreamJoinProcessor } from '../processor/joins/stream-stream-join.js';
import { serdeOrFallback } from './dsl-context.js';
import type { KStream, StreamState } from './kstream.js';
import type { StoreKind } from './options.js';
import type { JoinWindows } from './windows.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

/** Kafka Streams' `StreamJoined`: serdes and store settings of a stream-stream join. */
export interface StreamJoinedOptions<K, V, VO> {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly otherValueSerde?: Serde<VO>;
  /** Base name of the processors and repartition topics (`<name>-this-join`, `<name>-left-repartition`, …). */
  readonly name?: string;
  /** Base name of the stores (`<storeName>-this-join-store`, …) and so of their changelog topics. */
  readonly storeName?: string;
  /** Default `persistent`. */
  readonly storeType?: StoreKind;
  /** Change-log the join stores (default true). */
  readonly logging?: boolean;
}

export type StreamJoinKind = 'inner' | 'left' | 'outer';

export function streamStreamJoin<K, V, VO, R>(
  left: KStream<K, V>,
  right: KStream<K, VO>,
  joiner: (value: V | null, otherValue: VO | null, key: K) => R,
  windows: JoinWindows,
  options: StreamJoinedOptions<K, V, VO>,
  kind: StreamJoinKind,
): StreamState<K, R> {
  const { ctx } = left.state;
  if (right.state.ctx !== ctx) throw new Error('Both sides of a join must come from the same StreamsBuilder');
  const keySerde = options.keySerde ?? left.state.keySerde ?? right.state.keySerde;
  const valueSerde = options.valueSerde ?? left.state.valueSerde;
  const otherValueSerde = options.otherValueSerde ?? right.state.valueSerde;
  const named = options.name;
  const thisInput = left.state.repartitionRequired
    ? left.repartitionFor(named ? `${named}-left` : left.state.name, keySerde, valueSerde, named !== undefined)
    : left.state;
  const otherInput = right.state.repartitionRequired
    ? right.repartitionFor(named ? `${named}-right` : right.state.name, keySerde, otherValueSerde, named !== undefined)
    : right.state;

  const leftOuter = kind !== 'inner';
  const rightOuter = kind === 'outer';
  const thisWindowedName = named ? `${named}-this-windowed` : ctx.graph.newProcessorName('KSTREAM-WINDOWED-');
  const otherWindowedName = named ? `${named}-other-windowed` : ctx.graph.newProcessorName('KSTREAM-WINDOWED-');
  const thisGenerated = ctx.graph.newProcessorName(rightOuter ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-');
  const otherGenerated = ctx.graph.newProcessorName(leftOuter ? 'KSTREAM-OUTEROTHER-' : 'KSTREAM-JOINOTHER-');
  const thisJoinName = named ? `${named}-this-join` : thisGenerated;
  const otherJoinName = named ? `${named}-other-join` : otherGenerated;
  const mergeName = named ? `${named}-merge` : ctx.graph.newProcessorName('KSTREAM-MERGE-');
  const base = options.storeName;
  const thisStoreName = base ? `${base}-this-join-store` : `${thisGenerated}-store`;
  const otherStoreName = base ? `${base}-other-join-store` : `${otherGenerated}-store`;
  const outerStoreName = !leftOuter
    ? undefined
    : base
      ? `${base}-${rightOuter ? 'outer' : 'left'}-shared-join-store`
      : `${thisGenerated.replace(/^KSTREAM-(JOINTHIS|OUTERTHIS)-/, 'KSTREAM-OUTERSHARED-')}-store`;

  const keys = serdeOrFallback(keySerde);
  const thisValues = serdeOrFallback(valueSerde);
  const otherValues = serdeOrFallback(otherValueSerde);
  ctx.graph.add({ kind: 'state-store', builder: joinWindowStore(thisStoreName, windows, options, keys, thisValues) });
  ctx.graph.add({ kind: 'state-store', builder: joinWindowStore(otherStoreName, windows, options, keys, otherValues) });
  if (outerStoreName !== undefined) {
    const supplier = options.storeType === 'memory' ? Stores.inMemoryKeyValueStore(outerStoreName) : Stores.persistentKeyValueStore(outerStoreName);
    let builder: StoreBuilder<StateStore> = Stores.keyValueStoreBuilder(supplier, outerJoinKeySerde(keys), outerJoinValuesSerde(thisValues, otherValues));
    if (options.logging === false) builder = builder.withLoggingDisabled();
    ctx.graph.add({ kind: 'state-store', builder });
  }

  ctx.graph.add({
    kind: 'processor',
    name: thisWindowedName,
    parents: [thisInput.name],
    supplier: joinWindowProcessor(thisStoreName, leftOuter) as AnySupplier,
    stores: [thisStoreName],
  });
  ctx.graph.add({
    kind: 'processor',
    name: otherWindowedName,
    parents: [otherInput.name],
    supplier: joinWindowProcessor(otherStoreName, rightOuter) as AnySupplier,
    stores: [otherStoreName],
  });
  const trackers = joinTimeTrackers();
  const common = {
    beforeMs: windows.beforeMs,
    afterMs: windows.afterMs,
    graceMs: windows.graceMs,
    outerStoreName,
    joiner,
    trackers,
  };
  const outerStores = outerStoreName === undefined ? [] : [outerStoreName];
  ctx.graph.add({
    kind: 'processor',
    name: thisJoinName,
    parents: [thisWindowedName],
    supplier: streamStreamJoinProcessor<K, V, VO, R>({ ...common, thisIsLeft: true, otherStoreName, outer: leftOuter }) as AnySupplier,
    stores: [otherStoreName, ...outerStores],
  });
  ctx.graph.add({
    kind: 'processor',
    name: otherJoinName,
    parents: [otherWindowedName],
    supplier: streamStreamJoinProcessor<K, V, VO, R>({ ...common, thisIsLeft: false, otherStoreName: thisStoreName, outer: rightOuter }) as AnySupplier,
    stores: [thisStoreName, ...outerStores],
  });
  ctx.graph.add({ kind: 'processor', name: mergeName, parents: [thisJoinName, otherJoinName], supplier: passThroughProcessor() as AnySupplier, stores: [] });
  ctx.graph.add({ kind: 'copartition', sourceNodes: [...thisInput.sourceNodes, ...otherInput.sourceNodes] });
  return {
    ctx,
    name: mergeName,
    keySerde,
    valueSerde: undefined,
    repartitionRequired: false,
    sourceNodes: [...thisInput.sourceNodes, ...otherInput.sourceNodes],
  };
}

/**
 * Each side keeps every record (duplicates too) for `before + after + grace`, as Kafka's join window stores. The
 * store expires a start once it is `retention` behind its stream time; join windows include both ends, so one more
 * millisecond keeps a record exactly as long as a partner may still arrive (and lets a zero-difference join work).
 */
function joinWindowStore<K, V>(
  name: string,
  windows: JoinWindows,
  options: StreamJoinedOptions<K, unknown, unknown>,
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
): StoreBuilder<StateStore> {
  const retentionMs = windows.sizeMs + windows.graceMs + 1;
  const supplier =
    options.storeType === 'memory'
      ? Stores.inMemoryWindowStore(name, retentionMs, windows.sizeMs, true)
      : Stores.persistentWindowStore(name, retentionMs, windows.sizeMs, true);
  const builder: StoreBuilder<StateStore> = Stores.windowStoreBuilder(supplier, keySerde, valueSerde);
  return options.logging === false ? builder.withLoggingDisabled() : builder;
}
