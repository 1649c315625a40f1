/**
 * The record-at-a-time KStream operations (filter, map, flatMap, peek, …). Each is a tiny processor that keeps the
 * record's timestamp and headers, as Kafka Streams' `KStreamFilter`, `KStreamMap`, … do.
 */
import type { ProcessorContext, ProcessorSupplier } from '../api/processor.js';
import type { StreamRecord } from '../api/record.js';

type Ctx = ProcessorContext<unknown, unknown>;

function forwarding<K, V>(
  onRecord: (ctx: Ctx, record: StreamRecord<K, V>) => void,
): ProcessorSupplier<K, V, unknown, unknown> {
  return () => {
    let ctx: Ctx;
    return {
      init(context) {
        ctx = context;
      },
      process(record) {
        onRecord(ctx, record);
      },
    };
  };
}

export function filterProcessor<K, V>(predicate: (key: K, value: V) => boolean, not: boolean): ProcessorSupplier<K, V, unknown, unknown> {
  return forwarding<K, V>((ctx, r) => {
    if (predicate(r.key, r.value) !== not) ctx.forward(r);
  });
}

export function mapProcessor<K, V, K2, V2>(mapper: (key: K, value: V) => readonly [K2, V2]): ProcessorSupplier<K, V, unknown, unknown> {
  return forwarding<K, V>((ctx, r) => {
    const pair = mapper(r.key, r.value);
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError('map() must return a [key, value] pair');
    ctx.forward({ key: pair[0], value: pair[1], timestamp: r.timestamp, headers: r.headers });
  });
}

export function mapValuesProcessor<K, V, V2>(mapper: (value: V, key: K) => V2): ProcessorSupplier<K, V, unknown, unknown> {
  return forwarding<K, V>((ctx, r) => {
    ctx.forward({ key: r.key, value: mapper(r.value, r.key), timestamp: r.timestamp, headers: r.headers });
  });
}

export function selectKeyProcessor<K, V, K2>(selector: (key: K, value: V) => K2): ProcessorSupplier<K, V, unknown, unknown> {
  return forwarding<K, V>((ctx, r) => {
    ctx.forward({ key: selector(r.key, r.value), value: r.value, timestamp: r.timestamp, headers: r.headers });
  });
}

export function flatMapProcessor<K, V, K2, V2>(
  mapper: (key: K, value: V) => Iterable<readonly [K2, V2]>,
): ProcessorSupplier<K, V, unknown, unknown> {
  return forwarding<K, V>((ctx, r) => {
    for (const [key, value] of mapper(r.key, r.value)) ctx.forward({ key, value, timestamp: r.timestamp, headers: r.headers });
  });
}

export function flatMapValuesProcessor<K, V, V2>(mapper: (value: V, key: K) => Iterable<V2>): ProcessorSupplier<K, V, unknown, unknown> {
  return forwarding<K, V>((ctx, r) => {
    for (const value of mapper(r.value, r.key)) ctx.forward({ key: r.key, value, timestamp: r.timestamp, headers: r.headers });
  });
}

/** `peek` forwards after the action; `foreach` is a terminal peek (no children). */
export function peekProcessor<K, V>(action: (key: K, value: V) => void): ProcessorSupplier<K, V, unknown, unknown> {
  return forwarding<K, V>((ctx, r) => {
    action(r.key, r.value);
    ctx.forward(r);
  });
}

/** `merge`: both parents feed one pass-through node. */
export function passThroughProcessor<K, V>(): ProcessorSupplier<K, V, unknown, unknown> {
  return forwarding<K, V>((ctx, r) => ctx.forward(r));
}

/** `split()`: the first matching predicate wins; records matching none go to the default branch, if any. */
export function branchProcessor<K, V>(
  branches: ReadonlyArray<{ predicate: (key: K, value: V) => boolean; child: string }>,
  defaultChild: string | undefined,
): ProcessorSupplier<K, V, unknown, unknown> {
  return forwarding<K, V>((ctx, r) => {
    for (const b of branches) {
      if (b.predicate(r.key, r.value)) {
        ctx.forward(r, b.child);
        return;
      }
    }
    if (defaultChild !== undefined) ctx.forward(r, defaultChild);
  });
}
