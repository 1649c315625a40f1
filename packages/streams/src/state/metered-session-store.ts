import type { KeyValue } from '../api/record.js';
import type { Serde } from '../serde/serde.js';
import type { CacheFlushListener, CachedStateStore } from './cache-flush-listener.js';
import { plainChangelogFormat } from './changelog-format.js';
import { changelogTopicFor } from './metered-key-value-store.js';
import { recordTimestamp } from './record-timestamp.js';
import type { SessionBytesEntry, SessionBytesStore } from './session-bytes-store.js';
import type { SessionStore, StateStoreContext, Windowed } from './store.js';

/**
 * Typed session store over a SessionBytesStore, with change-logging folded in (changelog key `key + end + start`,
 * as Kafka Streams' ChangeLoggingSessionBytesStore). No caching: `setFlushListener` reports false.
 */
export class MeteredSessionStore<K, AGG> implements SessionStore<K, AGG>, CachedStateStore<Windowed<K>, AGG> {
  private topic: string;
  private context: StateStoreContext | undefined;

  constructor(
    readonly inner: SessionBytesStore,
    private readonly keySerde: Serde<K>,
    private readonly aggSerde: Serde<AGG>,
    private readonly logging: boolean,
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
    this.context = context;
    this.topic = changelogTopicFor(context.applicationId, this.name);
    this.inner.init(context);
    context.register(this, (batch) => {
      for (const record of batch) this.inner.restore(record.key, plainChangelogFormat.fromChangelog(record));
    });
  }

  setFlushListener(_listener: CacheFlushListener<Windowed<K>, AGG>, _sendOldValues: boolean): boolean {
    return false;
  }

  put(session: Windowed<K>, aggregate: AGG | null): void {
    const value = aggregate === null ? null : this.aggSerde.serialize(this.topic, aggregate);
    const storeKey = this.inner.put(this.keyBytes(session.key), session.window.start, session.window.end, value);
    if (storeKey === null || !this.logging || this.context === undefined) return;
    this.context.logChange(this.name, storeKey, value, recordTimestamp(this.context));
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
    const bytes = this.inner.fetchSession(this.keyBytes(key), sessionStart, sessionEnd);
    return bytes === null ? null : this.aggSerde.deserialize(this.topic, bytes);
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
      const key = this.keySerde.deserialize(this.topic, entry.key) as K;
      yield { key: { key, window: { start: entry.start, end: entry.end } }, value: this.aggSerde.deserialize(this.topic, entry.value) as AGG };
    }
  }

  private keyBytes(key: K): Buffer {
    const bytes = this.keySerde.serialize(this.topic, key);
    if (bytes === null) throw new TypeError(`null key for store ${this.name}`);
    return bytes;
  }
}
