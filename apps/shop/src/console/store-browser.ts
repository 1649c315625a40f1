/**
 * Browsing an app's key-value stores through interactive queries (`KafkaStreams.store`): one key, a key range, or
 * the first entries. Keys are taken as text, as every store of the shop is keyed by string; this instance's tasks
 * only (requests are not routed to the owner of a key). Window and session stores are not browsable here.
 */
import { QueryableStoreTypes, type KafkaStreams, type ReadOnlyKeyValueStore } from '@tributary/streams';

export interface StoreQuery {
  readonly key?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly limit: number;
}

export interface StoreEntries {
  readonly store: string;
  readonly entries: ReadonlyArray<{ readonly key: unknown; readonly value: unknown }>;
  /** More entries matched than `limit`. */
  readonly truncated: boolean;
  readonly approximateEntries: number;
}

/** The store cannot be browsed (unknown, not key-value, app not running): a client error, with the reason. */
export class StoreNotBrowsable extends Error {
  override readonly name = 'StoreNotBrowsable';
}

export function browseStore(app: KafkaStreams, storeName: string, query: StoreQuery): StoreEntries {
  let store: ReadOnlyKeyValueStore<unknown, unknown>;
  try {
    store = app.store({ storeName, type: QueryableStoreTypes.keyValueStore<unknown, unknown>() });
  } catch (error) {
    throw new StoreNotBrowsable(error instanceof Error ? error.message : String(error));
  }
  try {
    if (query.key !== undefined && query.key !== '') {
      const value = store.get(query.key);
      return { store: storeName, entries: value === null ? [] : [{ key: query.key, value }], truncated: false, approximateEntries: store.approximateNumEntries() };
    }
    const from = query.from !== undefined && query.from !== '' ? query.from : null;
    const to = query.to !== undefined && query.to !== '' ? query.to : null;
    const entries: Array<{ key: unknown; value: unknown }> = [];
    let truncated = false;
    for (const kv of from === null && to === null ? store.all() : store.range(from, to)) {
      if (entries.length === query.limit) {
        truncated = true;
        break;
      }
      entries.push({ key: kv.key, value: kv.value });
    }
    return { store: storeName, entries, truncated, approximateEntries: store.approximateNumEntries() };
  } catch (error) {
    // A window or session store answers the key-value calls with a TypeError: say what it is instead.
    if (error instanceof TypeError) throw new StoreNotBrowsable(`Store "${storeName}" is not a key-value store`);
    throw error;
  }
}
