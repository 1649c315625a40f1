/**
 * Builds KTable-KTable joins on the key into the logical graph: a processor per side (each looks up the other
 * side's current value), a merge node that is the joined table, co-partitioning of both sources, and the joined
 * table's value getter.
 */
import type { ProcessorSupplier } from '../api/processor.js';
import { joinedValueGetter, tableJoinSideProcessor, type TableJoiner, type TableJoinType } from '../processor/joins/table-table-join.js';
import { tableJoinMergeProcessor } from '../processor/joins/table-join-merge.js';
import { storeValueGetter, type KTableValueGetterSupplier } from '../processor/value-getter.js';
import { serdeOrFallback } from './dsl-context.js';
import type { KTable, TableState } from './ktable.js';
import { keyValueStoreBuilderFor, materializedStoreName } from './materialize.js';
import type { MaterializedOptions, NamedOptions } from './options.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

const PREFIX: Record<TableJoinType, string> = { inner: 'KTABLE-JOIN', left: 'KTABLE-LEFTJOIN', outer: 'KTABLE-OUTERJOIN' };

export function buildTableJoin<K, L, R, V>(
  left: KTable<K, L>,
  right: KTable<K, R>,
  type: TableJoinType,
  joiner: TableJoiner<K, L, R, V>,
  materialized: (MaterializedOptions<K, V> & NamedOptions) | undefined,
): TableState<K, V> {
  const { ctx } = left.state;
  const base = materialized?.name;
  const thisName = base ? `${base}-join-this` : ctx.graph.newProcessorName(`${PREFIX[type]}THIS-`);
  const otherName = base ? `${base}-join-other` : ctx.graph.newProcessorName(`${PREFIX[type]}OTHER-`);
  const mergeName = base ?? ctx.graph.newProcessorName('KTABLE-MERGE-');
  const storeName = materializedStoreName(materialized);
  const keySerde = materialized?.keySerde ?? left.state.keySerde ?? right.state.keySerde;
  if (storeName) {
    ctx.graph.add({
      kind: 'state-store',
      builder: keyValueStoreBuilderFor(storeName, materialized, serdeOrFallback(keySerde), serdeOrFallback(materialized?.valueSerde)),
    });
  }
  const sendOld = { value: false };
  // As Kafka's KTableImpl.doJoin: a side whose rows may stand alone in the result (left in left/outer, right in outer)
  // sends old values, so that its deletions of existing rows can be told from deletions of keys it never held.
  if (type !== 'inner') left.enableSendingOldValues();
  if (type === 'outer') right.enableSendingOldValues();
  const leftGetter = left.state.valueGetter as KTableValueGetterSupplier<K, L | R>;
  const rightGetter = right.state.valueGetter as KTableValueGetterSupplier<K, L | R>;
  ctx.graph.add({
    kind: 'processor',
    name: thisName,
    parents: [left.state.name],
    supplier: tableJoinSideProcessor<K, L, R, V>('left', type, rightGetter, joiner, () => sendOld.value) as unknown as AnySupplier,
    stores: rightGetter.storeNames,
  });
  ctx.graph.add({
    kind: 'processor',
    name: otherName,
    parents: [right.state.name],
    supplier: tableJoinSideProcessor<K, L, R, V>('right', type, leftGetter, joiner, () => sendOld.value) as unknown as AnySupplier,
    stores: leftGetter.storeNames,
  });
  ctx.graph.add({
    kind: 'processor',
    name: mergeName,
    parents: [thisName, otherName],
    supplier: tableJoinMergeProcessor<K, V>(storeName, () => sendOld.value) as unknown as AnySupplier,
    stores: storeName ? [storeName] : [],
  });
  ctx.graph.add({ kind: 'copartition', sourceNodes: [...left.state.sourceNodes, ...right.state.sourceNodes] });
  return {
    ctx,
    name: mergeName,
    keySerde,
    valueSerde: materialized?.valueSerde,
    storeName,
    queryable: storeName !== undefined,
    valueGetter: storeName ? storeValueGetter<K, V>(storeName) : joinedValueGetter(type, left.state.valueGetter, right.state.valueGetter, joiner),
    sendOldValues: sendOld,
    // Old join results are computed from the inputs' old values, so both inputs must send them.
    enableParentOldValues: () => {
      left.enableSendingOldValues();
      right.enableSendingOldValues();
    },
    sourceNodes: [...left.state.sourceNodes, ...right.state.sourceNodes],
  };
}
