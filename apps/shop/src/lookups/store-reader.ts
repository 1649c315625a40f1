/**
 * Reads one store of a running app on this instance: a key's value (key-value stores), a key's windows or sessions
 * (window and session stores, within a time range), or a key range (key-value stores), with keys ordered as the store
 * orders them: by their serialized bytes (Kafka's order), so ranges merged from several instances keep that order.
 */
import {
  QueryableStoreTypes,
  type KafkaStreams,
  type ReadableWindowStore,
  type ReadOnlyKeyValueStore,
  type ReadOnlySessionStore,
} from '@tributary/streams';
import type { StoreEntry } from './store-directory.js';

export interface WindowValue {
  readonly start: number;
  /** Sessions know their end; a time window's end is its start plus its size, which the store does not keep. */
  readonly end?: number;
  readonly value: unknown;
}

export interface RangeEntry {
  readonly key: unknown;
  readonly value: unknown;
}

/** The serialized form of a store's key: what ranges are compared and ordered by. */
export function keyBytes(entry: StoreEntry, key: unknown): Buffer {
  return entry.keys.serde.serialize(entry.name, key) ?? Buffer.alloc(0);
}

export function compareKeys(entry: StoreEntry, a: unknown, b: unknown): number {
  return Buffer.compare(keyBytes(entry, a), keyBytes(entry, b));
}

export class StoreReader {
  constructor(
    private readonly app: KafkaStreams,
    private readonly entry: StoreEntry,
  ) {}

  /** A key-value store's value of `key`, or null. */
  get(key: unknown): unknown {
    return this.keyValue().get(key);
  }

  /** A window or session store's windows of `key` starting (windows) or ending (sessions) within [from, to]. */
  windows(key: unknown, from: number, to: number): WindowValue[] {
    const { storeName } = this;
    if (this.entry.kind === 'window') {
      const store = this.app.store({ storeName, type: QueryableStoreTypes.windowStore<unknown, unknown>() }) as ReadableWindowStore<unknown, unknown>;
      return [...store.fetchRange(key, from, to)].map((kv) => ({ start: kv.key, value: kv.value }));
    }
    const store = this.app.store({ storeName, type: QueryableStoreTypes.sessionStore<unknown, unknown>() }) as ReadOnlySessionStore<unknown, unknown>;
    return [...store.findSessions(key, from, Number.MAX_SAFE_INTEGER)]
      .filter((kv) => kv.key.window.end <= to)
      .map((kv) => ({ start: kv.key.window.start, end: kv.key.window.end, value: kv.value }));
  }

  /** The first `limit` entries with keys in [from, to] (null: open) in key order, and whether more matched. */
  range(from: unknown, to: unknown, limit: number): { entries: RangeEntry[]; truncated: boolean } {
    const all = [...this.keyValue().range(from ?? null, to ?? null)].map((kv) => ({ key: kv.key, value: kv.value }));
    // Each task's store is ordered on its own; the instance's tasks together are not.
    all.sort((a, b) => compareKeys(this.entry, a.key, b.key));
    return { entries: all.slice(0, limit), truncated: all.length > limit };
  }

  private get storeName(): string {
    return this.entry.name;
  }

  private keyValue(): ReadOnlyKeyValueStore<unknown, unknown> {
    return this.app.store({ storeName: this.storeName, type: QueryableStoreTypes.keyValueStore<unknown, unknown>() }) as ReadOnlyKeyValueStore<unknown, unknown>;
  }
}
