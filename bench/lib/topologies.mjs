/**
 * The benchmark topologies on Tributary. bench/jvm/.../BenchApp.java and flow-app.mjs build the same ones,
 * operator for operator; change all three together. The record format (formats.mjs) supplies the serdes and the
 * field functions, so each case is written once for every format.
 */
import { JSON_FUNCTIONS, formatOf } from './formats.mjs';

export const CASES = ['stateless', 'count', 'windowed', 'join'];

/** The JSON format's functions, for @kafkats/flow (flow-app.mjs), which runs the JSON format only. */
export const { summarize, enrich } = JSON_FUNCTIONS;

/**
 * Adds `benchCase` to a fresh StreamsBuilder. Returns a reason string when the case cannot be built (the library
 * lacks windowed aggregation, or the format has no join table): the caller reports "not available" rather than
 * measuring something else. `topics`: `{input, output, table?, format?, storeType?, cacheBytes?}`.
 */
export function buildTopology(lib, builder, benchCase, topics) {
  const f = formatOf(topics.format ?? 'json').tributary(lib);
  // Kafka Streams caches DSL stores unless told not to; Tributary's cache only stores that ask for it. With a cache
  // budget, ask, so both sides coalesce (whether the store can: tributary-config.mjs's cacheUnsupported).
  const caching = (topics.cacheBytes ?? 0) > 0 ? { caching: true } : {};
  const L = lib.Serdes.long();
  const S = lib.Serdes.string();
  const events = builder.stream(topics.input, { keySerde: f.key, valueSerde: f.event });
  switch (benchCase) {
    case 'stateless':
      events
        .filter((_k, v) => f.keep(v))
        .mapValues((v) => f.summarize(v))
        .to(topics.output, { keySerde: f.key, valueSerde: f.summary });
      return undefined;
    case 'count':
    case 'stateful':
      events
        .groupBy((_k, v) => f.userOf(v), { keySerde: f.key, valueSerde: f.event })
        .count({ storeName: 'counts', ...caching, ...(topics.storeType ? { storeType: topics.storeType } : {}) })
        .toStream()
        .to(topics.output, { keySerde: f.key, valueSerde: L });
      return undefined;
    case 'windowed': {
      const grouped = events.groupByKey({ keySerde: f.key, valueSerde: f.event });
      if (typeof grouped.windowedBy !== 'function' || lib.TimeWindows === undefined) return 'this build of @tributary/streams has no KGroupedStream.windowedBy';
      grouped
        .windowedBy(lib.TimeWindows.ofSizeWithNoGrace(60_000))
        .count({ storeName: 'window-counts', ...caching })
        .toStream()
        .map((wk, count) => [`${wk.key}@${wk.window.start}`, count])
        .to(topics.output, { keySerde: S, valueSerde: L });
      return undefined;
    }
    case 'join': {
      if (f.user === undefined) return `the ${topics.format} format has no join table`;
      const users = builder.table(topics.table, { keySerde: f.key, valueSerde: f.user, storeName: 'users' });
      events.leftJoin(users, (event, user) => f.enrich(event, user)).to(topics.output, { keySerde: f.key, valueSerde: f.enriched });
      return undefined;
    }
    default:
      throw new Error(`unknown case ${benchCase}`);
  }
}
