/**
 * Long-poll bookkeeping for `GET /v1/orders/{id}`: requests wait here for a version of an order they accept, and
 * the orders view calls `notify` for every version it sees. Any number of waiters per id; each is removed exactly
 * once, whichever comes first of an answer, its timeout, or its client going away, so none can leak.
 */
import type { Order } from '../schemas.js';

interface Waiter {
  readonly accept: (order: Order) => boolean;
  readonly settle: (order: Order | undefined) => void;
}

export class OrderWaiters {
  private readonly byId = new Map<string, Set<Waiter>>();

  /**
   * Resolves with the first version of order `id` that `accept` takes, or undefined after `timeoutMs` or when
   * `signal` aborts. The caller checks the current version first; only later versions arrive here.
   */
  wait(id: string, accept: (order: Order) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<Order | undefined> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(undefined);
      const onAbort = (): void => waiter.settle(undefined);
      const waiter: Waiter = {
        accept,
        settle: (order) => {
          const set = this.byId.get(id);
          if (!set?.delete(waiter)) return;
          if (set.size === 0) this.byId.delete(id);
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(order);
        },
      };
      let set = this.byId.get(id);
      if (!set) this.byId.set(id, (set = new Set()));
      set.add(waiter);
      const timer = setTimeout(() => waiter.settle(undefined), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands a new version of an order to every waiter that accepts it. */
  notify(order: Order): void {
    const set = this.byId.get(order.id);
    if (!set) return;
    for (const waiter of [...set]) if (waiter.accept(order)) waiter.settle(order);
  }

  /** Answers every waiter with "not found" (shutdown). */
  cancelAll(): void {
    for (const set of [...this.byId.values()]) for (const waiter of [...set]) waiter.settle(undefined);
  }

  /** Waiters currently registered (all ids). */
  get size(): number {
    let n = 0;
    for (const set of this.byId.values()) n += set.size;
    return n;
  }
}
