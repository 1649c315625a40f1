/**
 * Synchronous request/reply from the main thread to a worker thread, for the APIs that must answer at once across
 * stream threads in workers: store lookups (`KafkaStreams.store()` views are synchronous, as Kafka's are) and
 * `metrics()`. The caller posts a request, then blocks in `Atomics.wait` on a shared counter that the worker bumps
 * after each reply, and takes the reply with `receiveMessageOnPort`. The worker answers from its event loop, which
 * turns between its stream thread's awaits (every poll, commit and produce is one), so a wait lasts about one slice
 * of the worker's processing. A wait is bounded: a worker that does not answer in time is reported, not waited for.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { deserializeError, serializeError, type SerializedError } from '../backend/bridge/error-codec.js';

/** What the worker needs to answer: its end of the channel and the shared counter. */
export interface SyncChannelEnd {
  readonly port: MessagePort;
  readonly signal: SharedArrayBuffer;
}

type Reply = { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: SerializedError };

export class SyncTimeoutError extends Error {
  override readonly name = 'SyncTimeoutError';
}

export class SyncCaller {
  private readonly port: MessagePort;
  private readonly counter: Int32Array;
  private nextId = 1;
  /** The end to hand to the worker (in `workerData`, with the port in the transfer list). */
  readonly remoteEnd: SyncChannelEnd;

  constructor() {
    const channel = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    this.port = channel.port1;
    this.counter = new Int32Array(signal);
    this.remoteEnd = { port: channel.port2, signal };
  }

  /** Sends `request` and blocks until its reply, up to `timeoutMs`; rethrows the worker's error. */
  call<T>(request: unknown, timeoutMs: number): T {
    const id = this.nextId++;
    this.port.postMessage({ id, request });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.counter, 0);
      // Replies to earlier calls that timed out may still arrive: skip them.
      for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
        const reply = m.message as Reply;
        if (reply.id !== id) continue;
        if ('error' in reply) throw deserializeError(reply.error);
        return reply.value as T;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new SyncTimeoutError(`no answer within ${timeoutMs} ms`);
      Atomics.wait(this.counter, 0, seen, left);
    }
  }

  close(): void {
    this.port.close();
  }
}

/** The worker's side: answers each request with `handler` (its result must be structured-cloneable). */
export function answerSyncCalls(end: SyncChannelEnd, handler: (request: unknown) => unknown): () => void {
  const counter = new Int32Array(end.signal);
  const onMessage = (message: { id: number; request: unknown }): void => {
    let reply: Reply;
    try {
      reply = { id: message.id, value: handler(message.request) };
    } catch (error) {
      reply = { id: message.id, error: serializeError(error) };
    }
    try {
      end.port.postMessage(reply);
    } catch (error) {
      // The value could not be cloned (a function, a class with private state): say so instead of leaving the caller waiting.
      end.port.postMessage({ id: message.id, error: serializeError(error) });
    }
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  };
  end.port.on('message', onMessage);
  // The channel must not keep the worker alive on its own.
  end.port.unref();
  return () => {
    end.port.off('message', onMessage);
    end.port.close();
  };
}
