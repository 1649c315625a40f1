/**
 * One long poll, the same for orders, command results and registrations: a request for a key another instance owns
 * is relayed there (the client's long-poll limit applies here first); otherwise it is answered from the local view,
 * waiting up to its timeout within the long-poll limits, and the waiter goes when the client does.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDeps } from './api-deps.js';
import { sendError } from './errors.js';
import { forward } from './forward.js';

/** What a `503` for a full long-poll table asks the client to wait before trying again. */
const RETRY_AFTER_S = 1;

export interface LongPoll<V> {
  /** Another instance owns the key (`remoteOwnerOf`); undefined: answer here. */
  readonly owner: { readonly host: string; readonly port: number } | undefined;
  readonly timeoutMs: number;
  /** The answer as this instance knows it now (null: none yet). */
  readonly read: () => V | null;
  /** Waits for an answer (the library's `awaitReply`), giving up when `signal` aborts. */
  readonly wait: (signal: AbortSignal) => Promise<V | undefined>;
  readonly found: (value: V) => FastifyReply;
  readonly timedOut: () => FastifyReply;
}

export async function longPoll<V>(deps: ApiDeps, request: FastifyRequest, reply: FastifyReply, poll: LongPoll<V>): Promise<FastifyReply> {
  const forwarded = deps.forwarding.isForwarded(request);
  const acquire = (client: string | undefined): (() => void) | undefined => (poll.timeoutMs > 0 ? deps.longPolls.acquire(client) : () => undefined);
  if (poll.owner !== undefined && !forwarded) {
    // Relaying a poll holds sockets here as well: the client's limit applies here, before it goes to the owner.
    const release = acquire(request.ip);
    if (release === undefined) return tooManyWaiting(reply);
    try {
      return await forward(request, reply, poll.owner, deps.forwarding, deps.logger);
    } finally {
      release();
    }
  }
  const current = poll.read();
  if (current !== null) return poll.found(current);
  // A forwarded poll comes from another instance on behalf of its client, whose own limit was applied there.
  const release = acquire(forwarded ? undefined : request.ip);
  if (release === undefined) return tooManyWaiting(reply);
  // The client may give up first: its waiter must go with it.
  const abandoned = new AbortController();
  const onClose = (): void => abandoned.abort();
  reply.raw.once('close', onClose);
  try {
    const value = await poll.wait(abandoned.signal);
    if (value !== undefined) return poll.found(value);
    if (abandoned.signal.aborted) return reply;
    return poll.timedOut();
  } finally {
    release();
    reply.raw.off('close', onClose);
  }
}

export function tooManyWaiting(reply: FastifyReply): FastifyReply {
  return sendError(reply.header('retry-after', String(RETRY_AFTER_S)), 503, 'Too many requests are waiting; retry shortly');
}
