import type { KeyValue } from '../api/record.js';
import type { Serde } from '../serde/serde.js';
import type { CacheFlushListener, CachedStateStore } from './cache-flush-listener.js';
import { CachingSessionBytesStore } from './caching-session-store.js';
import { plainChangelogFormat } from './changelog-format.js';
import { changelogTopicFor } from './metered-key-value-store.js';
import type { SessionBytesEntry, SessionBytesLayer } from './session-bytes-layer.js';
import type { SessionStore, StateStoreContext, Windowed } from './store.js';

/**
 * The outermost layer of a session store (Kafka Streams' MeteredSessionStore): typed keys and aggregates over the
 * bytes stack (caching → change-logging → segmented store, see session-stack.ts). It registers the whole stack with
 * the runtime; restoration writes changelog records into the innermost store.
 */
export class MeteredSessionStore<K, AGG> implements SessionStore<K, AGG>, CachedStateStore<Windowed<K>, AGG> {
  private topic: string;

  constructor(
    readonly inner: SessionBytesLayer,
    private readonly keySerde: Serde<K>,
    private readonly aggSerde: Serde<AGG>,
  ) {
    this.topic = inner.name;
  }

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }

  init(context: StateStoreContext): void {
    this.topic = changelogTopicFor(context.applicationId, this.name);
    this.inner.init(context);
    context.register(this, (batch) => {
      for (const record of batch) this.inner.restore(record.key, plainChangelogFormat.fromChangelog(record));
    });
  }

  /** Without a cache below, false: the caller forwards every update itself. */
  setFlushListener(listener: CacheFlushListener<Windowed<K>, AGG>, sendOldValues: boolean): boolean {
    if (!(this.inner instanceof CachingSessionBytesStore)) return false;
    this.inner.setFlushListener((key, start, end, newValue, oldValue, timestamp) => {
      listener({ key: { key: this.keyFrom(key), window: { start, end } }, newValue: this.aggFrom(newValue), oldValue: this.aggFrom(oldValue), timestamp });
    }, sendOldValues);
    return true;
  }

  put(session: Windowed<K>, aggregate: AGG | null): void {
    const value = aggregate === null ? null : this.aggSerde.serialize(this.topic, aggregate);
    this.inner.put(this.keyBytes(session.key), session.window.start, session.window.end, value);
  }

  remove(session: Windowed<K>): void {
    this.put(session, null);
  }

  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): Iterable<KeyValue<Windowed<K>, AGG>> {
    const bytes = this.keyBytes(key);
    return this.typed(this.inner.findSessions(bytes, bytes, earliestSessionEnd, latestSessionStart, false));
  }

  /** Sessions of keys in [keyFrom, keyTo] (null: open), as Kafka's key-range `findSessions`. */
  findSessionsInRange(keyFrom: K | null, keyTo: K | null, earliestSessionEnd: number, latestSessionStart: number): Iterable<KeyValue<Windowed<K>, AGG>> {
    const from = keyFrom === null ? null : this.keyBytes(keyFrom);
    const to = keyTo === null ? null : this.keyBytes(keyTo);
    return this.typed(this.inner.findSessions(from, to, earliestSessionEnd, latestSessionStart, false));
  }

  fetchSession(key: K, sessionStart: number, sessionEnd: number): AGG | null {
    return this.aggFrom(this.inner.fetchSession(this.keyBytes(key), sessionStart, sessionEnd));
  }

  fetch(key: K): Iterable<KeyValue<Windowed<K>, AGG>> {
    return this.findSessions(key, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  findSessionsByEnd(earliestSessionEnd: number, latestSessionEnd: number): Iterable<KeyValue<Windowed<K>, AGG>> {
    return this.typed(this.inner.findSessionsByEnd(earliestSessionEnd, latestSessionEnd));
  }

  all(): Iterable<KeyValue<Windowed<K>, AGG>> {
    return this.typed(this.inner.findSessions(null, null, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, false));
  }

  flush(): void {
    this.inner.flush();
  }
  close(): void {
    this.inner.close();
  }
  isOpen(): boolean {
    return this.inner.isOpen();
  }

  private *typed(entries: Iterable<SessionBytesEntry>): Generator<KeyValue<Windowed<K>, AGG>> {
    for (const entry of entries) {
      yield { key: { key: this.keyFrom(entry.key), window: { start: entry.start, end: entry.end } }, value: this.aggFrom(entry.value) as AGG };
    }
  }

  private keyFrom(bytes: Buffer): K {
    return this.keySerde.deserialize(this.topic, bytes) as K;
  }

  private aggFrom(bytes: Buffer | null): AGG | null {
    return bytes === null ? null : this.aggSerde.deserialize(this.topic, bytes);
  }

  private keyBytes(key: K): Buffer {
    const bytes = this.keySerde.serialize(this.topic, key);
    if (bytes === null) throw new TypeError(`null key for store ${this.name}`);
    return bytes;
  }
}
