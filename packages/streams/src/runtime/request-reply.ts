/**
 * Request-reply over topics: a request is written to a topic, a streams app decides it and writes the answer to a
 * topic keyed by the request's id, and an app materializes those answers. The client then asks "what became of
 * request X?" and waits a bounded time for the answer. Two pieces make that wait correct and routable:
 *
 * - `ReplyWaiters`: parks callers per key until the materializing processor hands over a value they accept (or
 *   their timeout passes, or their client leaves). Each waiter is removed exactly once, so none leak.
 * - `remoteOwnerOf`: which other instance owns a key's partition of a store (through the interactive-query metadata),
 *   so a request for it is sent there: only the owner's store and waiters see the answer arrive.
 *
 * `awaitReply` combines the local read and the wait in the order that cannot miss an answer: read, wait, read again.
 */
import type { Serde } from '../serde/serde.js';
import type { HostInfo, KafkaStreams } from './kafka-streams.js';

interface Waiter<V> {
  readonly accept: (value: V) => boolean;
  readonly settle: (value: V | undefined) => void;
}

export class ReplyWaiters<K, V> {
  private readonly byKey = new Map<K, Set<Waiter<V>>>();

  /**
   * Resolves with the first value for `key` that `accept` takes, or undefined after `timeoutMs` or when `signal`
   * aborts. The caller reads the current value first; only values notified later arrive here.
   */
  wait(key: K, accept: (value: V) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<V | undefined> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(undefined);
      const onAbort = (): void => waiter.settle(undefined);
      const waiter: Waiter<V> = {
        accept,
        settle: (value) => {
          const set = this.byKey.get(key);
          if (!set?.delete(waiter)) return;
          if (set.size === 0) this.byKey.delete(key);
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
      };
      let set = this.byKey.get(key);
      if (!set) this.byKey.set(key, (set = new Set()));
      set.add(waiter);
      const timer = setTimeout(() => waiter.settle(undefined), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands a new value for `key` to every waiter that accepts it. */
  notify(key: K, value: V): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const waiter of [...set]) if (waiter.accept(value)) waiter.settle(value);
  }

  /** Answers every waiter with "nothing" (shutdown). */
  cancelAll(): void {
    for (const set of [...this.byKey.values()]) for (const waiter of [...set]) waiter.settle(undefined);
  }

  /** Waiters registered now (all keys). */
  get size(): number {
    let n = 0;
    for (const set of this.byKey.values()) n += set.size;
    return n;
  }
}

export interface AwaitReplyOptions<K, V> {
  readonly key: K;
  /** The value as the local store holds it now (null: none yet). */
  readonly read: (key: K) => V | null;
  readonly waiters: ReplyWaiters<K, V>;
  /** Which values answer the request (default: any). */
  readonly accept?: (value: V) => boolean;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * The value for `key` once one is accepted, waiting up to `timeoutMs`; undefined when none came. The store is read
 * again at the end: a value restored into it (after a restart of its app) is never handed to waiters, yet answers.
 */
export async function awaitReply<K, V>(options: AwaitReplyOptions<K, V>): Promise<V | undefined> {
  const accept = options.accept ?? ((): boolean => true);
  const current = options.read(options.key);
  if (current !== null && accept(current)) return current;
  if (options.timeoutMs <= 0) return undefined;
  const value = await options.waiters.wait(options.key, accept, options.timeoutMs, options.signal);
  if (value !== undefined) return value;
  const latest = options.read(options.key);
  return latest !== null && accept(latest) ? latest : undefined;
}

/**
 * The instance that owns `key`'s partition of `storeName` when that is another one; undefined when this instance
 * owns it, when it announced no `applicationServer` (it runs alone), while it is not running, or while the owner is
 * unknown (during a rebalance: the caller answers locally, as Kafka Streams users do with `HostInfo.unavailable()`).
 */
export function remoteOwnerOf<K>(app: KafkaStreams, storeName: string, key: K, keySerde: Serde<K>): HostInfo | undefined {
  const self = app.applicationServer;
  if (self === undefined || app.state !== 'RUNNING') return undefined;
  const owner = app.queryMetadataForKey(storeName, key, keySerde).activeHost;
  if (owner.port < 0 || (owner.host === self.host && owner.port === self.port)) return undefined;
  return owner;
}
