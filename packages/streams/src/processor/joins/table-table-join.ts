/**
 * KTable-KTable joins (Kafka Streams' `KTableKTableInnerJoin`, `...LeftJoin`, `...OuterJoin` and their right-hand
 * counterparts): each side's updates look up the other side's current value and forward the joined Change. The
 * result's timestamp is the larger of the two inputs'. Which side may be missing decides inner, left or outer.
 */
import type { ProcessorContext, ProcessorSupplier } from '../../api/processor.js';
import type { Change } from '../change.js';
import { combinedValueGetter, type KTableValueGetterSupplier } from '../value-getter.js';

export type TableJoinType = 'inner' | 'left' | 'outer';

/** The user's joiner, always called as (leftValue, rightValue, key) whichever side's update triggered it. */
export type TableJoiner<K, L, R, V> = (left: L | null, right: R | null, key: K) => V;

/**
 * One side's processor: `side` says whether it sees the left table's updates or the right table's;
 * `otherGetter` reads the opposite table.
 */
export function tableJoinSideProcessor<K, L, R, V>(
  side: 'left' | 'right',
  type: TableJoinType,
  otherGetter: KTableValueGetterSupplier<K, L | R>,
  joiner: TableJoiner<K, L, R, V>,
  sendOldValues: () => boolean,
): ProcessorSupplier<K, Change<L | R>, K, Change<V>> {
  // Whether this side may produce a result without the other side, and with itself missing.
  const otherOptional = side === 'left' ? type !== 'inner' : type === 'outer';
  const thisOptional = side === 'left' ? type === 'outer' : type !== 'inner';
  return () => {
    let ctx: ProcessorContext<K, Change<V>>;
    const getter = otherGetter.get();
    return {
      init(context) {
        ctx = context;
        getter.init(context);
      },
      process(record) {
        const key = record.key;
        if (key === null || key === undefined) return;
        // An out-of-order update of a versioned table changes no join result (Kafka's KIP-914).
        if (record.value.isLatest === false) return;
        const other = getter.get(key);
        const otherValue = other?.value ?? null;
        if (otherValue === null && !otherOptional) return;
        // Kafka's left and outer joins drop a change that removes nothing and adds nothing (deleting a key neither
        // table holds): there is no result row to retract. Needs the input's old value, hence sendOldValues on it.
        if (otherValue === null && record.value.newValue === null && record.value.oldValue === null) return;
        const timestamp = other ? Math.max(record.timestamp, other.timestamp) : record.timestamp;
        const compute = (mine: L | R | null): V | null => {
          if (mine === null && (!thisOptional || otherValue === null)) return null;
          return side === 'left'
            ? joiner(mine as L | null, otherValue as R | null, key)
            : joiner(otherValue as L | null, mine as R | null, key);
        };
        const newValue = compute(record.value.newValue);
        const oldValue = sendOldValues() ? compute(record.value.oldValue) : null;
        ctx.forward({ key, value: { newValue, oldValue }, timestamp, headers: record.headers });
      },
    };
  };
}

/** The joined table's value getter: computes the join from both sides' current values. */
export function joinedValueGetter<K, L, R, V>(
  type: TableJoinType,
  left: KTableValueGetterSupplier<K, L>,
  right: KTableValueGetterSupplier<K, R>,
  joiner: TableJoiner<K, L, R, V>,
): KTableValueGetterSupplier<K, V> {
  return combinedValueGetter<K, L, K, R, K, V>(left, right, (leftOf, rightOf, key) => {
    const lv = leftOf(key);
    const rv = rightOf(key);
    if (lv === null && rv === null) return null;
    if (type === 'inner' && (lv === null || rv === null)) return null;
    if (type === 'left' && lv === null) return null;
    return { value: joiner(lv?.value ?? null, rv?.value ?? null, key), timestamp: Math.max(lv?.timestamp ?? 0, rv?.timestamp ?? 0) };
  });
}
