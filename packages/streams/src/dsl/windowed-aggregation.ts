/**
 * What time-windowed and session-windowed aggregations share: repartitioning the grouped stream when its key
 * changed upstream, adding store and processor nodes, and returning the result table keyed by `Windowed<K>`. The
 * table remembers its grace period so `suppress(untilWindowCloses())` knows when a window closes.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import type { Serde } from '../serde/serde.js';
import type { StateStore, StoreBuilder, Windowed } from '../state/store.js';
import type { KTableValueGetterSupplier } from '../processor/value-getter.js';
import type { DslContext } from './dsl-context.js';
import { addAggregationNodes, type GroupedStreamInput } from './aggregation-nodes.js';
import { KTable } from './ktable.js';
import { materializedStoreName } from './materialize.js';
import type { MaterializedOptions, NamedOptions } from './options.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export type { GroupedStreamInput } from './aggregation-nodes.js';

const graceByNode = new WeakMap<DslContext, Map<string, number>>();

/**
 * How long after a window's end the aggregation that produced table node `name` may still update it; found through
 * single-parent table operations in between (filter, mapValues), as Kafka Streams looks it up.
 */
export function windowGraceOf(ctx: DslContext, name: string): number | undefined {
  const graces = graceByNode.get(ctx);
  let current: string | undefined = name;
  for (let hops = 0; current !== undefined && hops < 1000; hops++) {
    const grace = graces?.get(current);
    if (grace !== undefined) return grace;
    const node = ctx.graph.nodes.find((n) => n.kind === 'processor' && n.name === current);
    current = node?.kind === 'processor' && node.parents.length === 1 ? node.parents[0] : undefined;
  }
  return undefined;
}

export function buildWindowedAggregation<K, V, A>(
  input: GroupedStreamInput<K, V>,
  prefix: string,
  materialized: (MaterializedOptions<K, A> & NamedOptions) | undefined,
  parts: {
    /** How long after a window's end it may still change (what `untilWindowCloses` waits for). */
    readonly graceMs: number;
    readonly windowedKeySerde: (inner: Serde<K> | undefined) => Serde<Windowed<K>> | undefined;
    readonly storeBuilder: (storeName: string, keySerde: Serde<K> | undefined) => StoreBuilder<StateStore>;
    readonly supplier: (storeName: string, sendOldValues: () => boolean) => AnySupplier;
    readonly valueGetter: (storeName: string) => KTableValueGetterSupplier<Windowed<K>, A>;
  },
): KTable<Windowed<K>, A> {
  const { ctx } = input.stream;
  const { name, storeName, keySerde, sendOldValues, sourceNodes } = addAggregationNodes(input, prefix, materialized, parts.storeBuilder, parts.supplier);
  let graces = graceByNode.get(ctx);
  if (!graces) graceByNode.set(ctx, (graces = new Map()));
  graces.set(name, parts.graceMs);
  return new KTable<Windowed<K>, A>({
    ctx,
    name,
    keySerde: parts.windowedKeySerde(keySerde),
    valueSerde: materialized?.valueSerde,
    storeName,
    queryable: materializedStoreName(materialized) !== undefined,
    valueGetter: parts.valueGetter(storeName),
    sendOldValues,
    enableParentOldValues: undefined,
    sourceNodes,
  });
}
