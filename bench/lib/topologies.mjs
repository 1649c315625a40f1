/**
 * The benchmark topologies on Tributary. bench/jvm/.../BenchApp.java and flow-app.mjs build the same ones,
 * operator for operator; change all three together.
 */
import { MIN_AMOUNT } from './records.mjs';

export const CASES = ['stateless', 'stateful', 'windowed', 'join'];

export function summarize(v) {
  return { id: v.id, user: v.user, amountCents: Math.round(v.amount * 100), country: v.country.toLowerCase(), ts: v.ts };
}

export function enrich(event, user) {
  return {
    id: event.id,
    user: event.user,
    amount: event.amount,
    ts: event.ts,
    name: user === null || user === undefined ? null : user.name,
    tier: user === null || user === undefined ? null : user.tier,
  };
}

/**
 * Adds `benchCase` to a fresh StreamsBuilder. Returns false when the library lacks what the case needs (windowed
 * aggregation is still being written): the caller reports "not available" rather than measuring something else.
 */
export function buildTopology(lib, builder, benchCase, topics) {
  const { Serdes } = lib;
  const S = Serdes.string();
  const J = Serdes.json();
  const L = Serdes.long();
  const events = builder.stream(topics.input, { keySerde: S, valueSerde: J });
  switch (benchCase) {
    case 'stateless':
      events
        .filter((_k, v) => v.amount >= MIN_AMOUNT)
        .mapValues((v) => summarize(v))
        .to(topics.output, { keySerde: S, valueSerde: J });
      return true;
    case 'stateful':
      events
        .groupBy((_k, v) => v.user, { keySerde: S, valueSerde: J })
        .count({ storeName: 'counts', ...(topics.storeType ? { storeType: topics.storeType } : {}) })
        .toStream()
        .to(topics.output, { keySerde: S, valueSerde: L });
      return true;
    case 'windowed': {
      const grouped = events.groupByKey({ keySerde: S, valueSerde: J });
      if (typeof grouped.windowedBy !== 'function' || lib.TimeWindows === undefined) return false;
      grouped
        .windowedBy(lib.TimeWindows.ofSizeWithNoGrace(60_000))
        .count({ storeName: 'window-counts' })
        .toStream()
        .map((wk, count) => [`${wk.key}@${wk.window.start}`, count])
        .to(topics.output, { keySerde: S, valueSerde: L });
      return true;
    }
    case 'join': {
      const users = builder.table(topics.table, { keySerde: S, valueSerde: J, storeName: 'users' });
      events.leftJoin(users, (event, user) => enrich(event, user)).to(topics.output, { keySerde: S, valueSerde: J });
      return true;
    }
    default:
      throw new Error(`unknown case ${benchCase}`);
  }
}
