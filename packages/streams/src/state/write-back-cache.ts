import { CacheFlushContext } from './cache-flush-context.js';
import { cacheFlushError, RecordCache } from './record-cache.js';
import type { StateStore, StateStoreContext } from './store.js';
import type { ThreadCache } from './thread-cache.js';

/** Called for each flushed entry: `at` says what changed (a key, a window, a session). */
export type FlushListenerOf<D> = (at: D, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void;

/** The store below a cache, as a flush sees it; `D` is what a cache key addresses there. */
export interface WriteBackTarget<D> {
  decode(cacheKey: Buffer, value: Buffer | null): D;
  /** The value below before the flush writes: the old value the listener gets. */
  read(at: D): Buffer | null;
  write(at: D, value: Buffer | null): void;
}

/**
 * What every caching store (key-value, window, session) does alike, as Kafka Streams' caching stores flush alike:
 * it owns the RecordCache, the flush listener and the context the layers below see, and flushes dirty entries in
 * the order of their last write, each written below and forwarded stamped with the timestamp of the record that
 * wrote it. The stores themselves decide what a cache key is and how reads merge the cache over the store.
 */
export class WriteBackCache<D> {
  readonly cache: RecordCache;
  private listener: { fn: FlushListenerOf<D>; sendOldValues: boolean } | undefined;
  private flushContext: CacheFlushContext | undefined;

  constructor(
    /** The store below, named in flush errors. */
    private readonly store: Pick<StateStore, 'name'>,
    memory: ThreadCache,
    private readonly target: WriteBackTarget<D>,
  ) {
    this.cache = new RecordCache(memory, () => this.flush());
  }

  setListener(fn: FlushListenerOf<D>, sendOldValues: boolean): void {
    this.listener = { fn, sendOldValues };
  }

  /** Returns the context to init the layers below with (see CacheFlushContext). */
  init(context: StateStoreContext): StateStoreContext {
    this.flushContext = new CacheFlushContext(context);
    return this.flushContext.inner;
  }

  /** The timestamp a write to the cache is stamped with: the current record's. */
  now(): number {
    return this.flushContext?.now() ?? Date.now();
  }

  /** Hands a write the cache does not take straight to the listener, as it would go downstream without a cache. */
  forwardUncached(at: D, value: Buffer, timestamp: number): void {
    this.listener?.fn(at, value, null, timestamp);
  }

  /** Writes every dirty entry below and forwards it. */
  flush(): void {
    const entries = this.cache.takeDirty();
    if (entries.length === 0) return;
    const listener = this.listener;
    for (const entry of entries) {
      const at = this.target.decode(entry.key, entry.value);
      const oldValue = listener === undefined || (entry.value !== null && !listener.sendOldValues) ? null : this.target.read(at);
      // Deleting what the store never had (a session created and merged away since the last flush, say): nothing to
      // write or forward (Kafka's same optimisation).
      if (entry.value === null && oldValue === null && listener !== undefined) continue;
      const write = (): void => {
        this.target.write(at, entry.value);
        listener?.fn(at, entry.value, listener.sendOldValues ? oldValue : null, entry.timestamp);
      };
      try {
        if (this.flushContext === undefined) write();
        else this.flushContext.stamped(entry.timestamp, write);
      } catch (error) {
        throw cacheFlushError(this.store.name, error);
      }
    }
    this.cache.flushed(entries);
  }

  /** Flushes, then drops what is cached (also when the flush fails: the thread's budget must not keep counting it). */
  close(): void {
    try {
      this.flush();
    } finally {
      this.cache.clear();
    }
  }
}
