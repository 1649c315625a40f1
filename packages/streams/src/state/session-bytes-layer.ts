import type { StateStore, StateStoreContext } from './store.js';

export interface SessionBytesEntry {
  readonly key: Buffer;
  readonly start: number;
  readonly end: number;
  readonly value: Buffer;
  /** `key + end + start`: the order of entries within a segment. */
  readonly storeKey: Buffer;
}

/**
 * What each layer of a session store's bytes stack offers (Kafka Streams' `SessionStore<Bytes, byte[]>`): the
 * segmented store itself, and the change-logging and caching layers that wrap it. MeteredSessionStore sits on top.
 */
export interface SessionBytesLayer extends StateStore {
  readonly retentionMs: number;
  init(context: StateStoreContext): void;
  /** Returns the store key written (the changelog key), or null when nothing was written now. */
  put(key: Buffer, start: number, end: number, value: Buffer | null): Buffer | null;
  /** Applies a changelog record (its key is a store key) to the innermost store. */
  restore(storeKey: Buffer, value: Buffer | null): void;
  fetchSession(key: Buffer, start: number, end: number): Buffer | null;
  /**
   * Sessions of keys in [keyFrom, keyTo] (null: open) with end >= earliestSessionEnd and start <= latestSessionStart,
   * per segment (oldest first), then by store key (key bytes, end, start).
   */
  findSessions(keyFrom: Buffer | null, keyTo: Buffer | null, earliestSessionEnd: number, latestSessionStart: number, reverse: boolean): Iterable<SessionBytesEntry>;
  /** Sessions of every key that ended in [earliestEnd, latestEnd], by end, then key, then start. */
  findSessionsByEnd(earliestEnd: number, latestEnd: number): Iterable<SessionBytesEntry>;
}
