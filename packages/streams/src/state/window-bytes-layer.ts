import type { StateStore, StateStoreContext } from './store.js';

export interface WindowBytesEntry {
  readonly key: Buffer;
  readonly windowStart: number;
  readonly value: Buffer;
  /** `key + start + seqnum`: the order of entries within a segment. */
  readonly storeKey: Buffer;
}

/**
 * What each layer of a window store's bytes stack offers (Kafka Streams' `WindowStore<Bytes, byte[]>`): the
 * segmented store itself, and the change-logging and caching layers that wrap it. The typed layer
 * (MeteredWindowStore) sits on top.
 */
export interface WindowBytesLayer extends StateStore {
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  init(context: StateStoreContext): void;
  /** Returns the store key written (the changelog key), or null when nothing was written now. */
  put(key: Buffer, value: Buffer | null, windowStart: number): Buffer | null;
  /** Applies a changelog record (its key is a store key) to the innermost store. */
  restore(storeKey: Buffer, value: Buffer | null): void;
  fetch(key: Buffer, windowStart: number): Buffer | null;
  /** Windows of `key` starting in [timeFrom, timeTo], by start (descending when `reverse`). */
  fetchRange(key: Buffer, timeFrom: number, timeTo: number, reverse: boolean): Iterable<WindowBytesEntry>;
  /** Per segment (oldest first), then by store key, as Kafka's segmented stores return them. */
  fetchKeyRange(keyFrom: Buffer | null, keyTo: Buffer | null, timeFrom: number, timeTo: number, reverse: boolean): Iterable<WindowBytesEntry>;
  /** Every key's windows starting in [timeFrom, timeTo] by start, then key (what emit-on-window-close reads). */
  fetchAllByTime(timeFrom: number, timeTo: number): Iterable<WindowBytesEntry>;
  all(): Iterable<WindowBytesEntry>;
}
