/**
 * Calls in both directions over one worker-thread channel (a `MessagePort`, a `Worker` or a worker's `parentPort`):
 * each side may `call` a method of the other and await its answer, or `notify` it without one. Messages to one
 * side arrive in the order they were sent, so a notification sent before a call is handled before it. Errors cross
 * as their name, message, stack, own fields and cause chain (see `error-codec.ts`).
 */
import type { TransferListItem } from 'node:worker_threads';
import { deserializeError, serializeError, type SerializedError } from './error-codec.js';

export interface Endpoint {
  postMessage(value: unknown, transferList?: ReadonlyArray<TransferListItem>): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
}

/** An answer or argument list that hands buffers over (they become unusable on the sending side). */
export class Transfer<T> {
  constructor(
    readonly value: T,
    readonly transfer: ReadonlyArray<TransferListItem>,
  ) {}
}

export type RpcHandler = (method: string, args: unknown[]) => unknown;

type Message =
  | { readonly rpc: 'call'; readonly id: number; readonly method: string; readonly args: unknown[] }
  | { readonly rpc: 'notify'; readonly method: string; readonly args: unknown[] }
  | { readonly rpc: 'reply'; readonly id: number; readonly value: unknown }
  | { readonly rpc: 'fail'; readonly id: number; readonly error: SerializedError };

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && typeof (value as { rpc?: unknown }).rpc === 'string';
}

export class PortRpc {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly onMessage = (value: unknown): void => this.receive(value);
  private closedWith: Error | undefined;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly handler: RpcHandler,
  ) {
    endpoint.on('message', this.onMessage);
  }

  call<T>(method: string, args: unknown[] | Transfer<unknown[]> = []): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.post({ rpc: 'call', id, method, args: args instanceof Transfer ? args.value : args }, args instanceof Transfer ? args.transfer : []);
    });
  }

  notify(method: string, args: unknown[] | Transfer<unknown[]> = []): void {
    if (this.closedWith) return;
    this.post({ rpc: 'notify', method, args: args instanceof Transfer ? args.value : args }, args instanceof Transfer ? args.transfer : []);
  }

  /** Fails every call still waiting (the other side is gone) and stops listening. */
  close(reason: Error): void {
    this.closedWith ??= reason;
    this.endpoint.off('message', this.onMessage);
    for (const { reject } of this.pending.values()) reject(reason);
    this.pending.clear();
  }

  private post(message: Message, transfer: ReadonlyArray<TransferListItem>): void {
    this.endpoint.postMessage(message, transfer);
  }

  private receive(value: unknown): void {
    if (!isMessage(value)) return;
    switch (value.rpc) {
      case 'reply':
      case 'fail': {
        const waiter = this.pending.get(value.id);
        if (!waiter) return;
        this.pending.delete(value.id);
        if (value.rpc === 'reply') waiter.resolve(value.value);
        else waiter.reject(deserializeError(value.error));
        return;
      }
      case 'notify':
        void this.answer(value.method, value.args, undefined);
        return;
      case 'call':
        void this.answer(value.method, value.args, value.id);
        return;
    }
  }

  private async answer(method: string, args: unknown[], id: number | undefined): Promise<void> {
    try {
      const result = await this.handler(method, args);
      if (id === undefined || this.closedWith) return;
      if (result instanceof Transfer) this.post({ rpc: 'reply', id, value: result.value }, result.transfer);
      else this.post({ rpc: 'reply', id, value: result }, []);
    } catch (error) {
      if (id === undefined || this.closedWith) return;
      this.post({ rpc: 'fail', id, error: serializeError(error) }, []);
    }
  }
}
