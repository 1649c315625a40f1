/**
 * A read-only store view whose lookups run in a worker thread (see `worker-stream-thread.ts`): each method call is
 * sent there and answered synchronously. Iterables come back as arrays (the worker reads them to the end), keys and
 * values as structured clones. A prefix scan's serde cannot cross threads, so the prefix crosses as its bytes.
 */
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';

export type RemoteCall = (method: string, args: unknown[]) => unknown;

export function remoteStoreView<T extends object>(call: RemoteCall): T {
  return new Proxy({} as T, {
    get(_target, method) {
      // Not a thenable, not a special symbol: only named lookups are forwarded.
      if (typeof method !== 'string' || method === 'then') return undefined;
      return (...args: unknown[]): unknown => {
        if (method === 'prefixScan') {
          const [prefix, serde] = args as [unknown, Serde<unknown>];
          return call(method, [serde.serialize('', prefix)]);
        }
        return call(method, args);
      };
    },
  });
}

/** The worker's side: runs `method` on its own view and makes the answer cloneable. */
export function answerStoreCall(view: object, method: string, args: ReadonlyArray<unknown>): unknown {
  const fn = (view as Record<string, unknown>)[method];
  if (typeof fn !== 'function') throw new TypeError(`A store view has no method "${method}"`);
  const callArgs = method === 'prefixScan' ? [args[0], Serdes.bytes()] : [...args];
  const result: unknown = (fn as (...a: unknown[]) => unknown).apply(view, callArgs);
  const iterable = typeof result === 'object' && result !== null && Symbol.iterator in result && !Array.isArray(result) && !Buffer.isBuffer(result);
  return iterable ? Array.from(result as Iterable<unknown>) : result;
}
