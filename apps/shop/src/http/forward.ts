/**
 * Request routing between orders instances: a request for an order whose partition another instance owns is
 * replayed there once (signed, see `forward-auth.ts`, so it is never forwarded again) and its answer relayed as it
 * is. A failure is logged here and answered with a bare `502`: the client learns nothing about the inside.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@tributary/streams';
import { sendError } from './errors.js';
import { FORWARDED_HEADER, type ForwardAuth } from './forward-auth.js';

/** A forwarded request the owner does not answer within this is given up (long polls are capped well below it). */
const FORWARD_TIMEOUT_MS = 45_000;

export async function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  owner: { host: string; port: number },
  auth: ForwardAuth,
  logger: Logger,
): Promise<FastifyReply> {
  // A long poll forwarded for a client that left must not keep the owner waiting.
  const abandoned = new AbortController();
  const onClose = (): void => abandoned.abort();
  reply.raw.once('close', onClose);
  try {
    const res = await fetch(`http://${owner.host}:${owner.port}${request.url}`, {
      method: request.method,
      headers: {
        [FORWARDED_HEADER]: auth.sign(request.method, request.url),
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      signal: AbortSignal.any([abandoned.signal, AbortSignal.timeout(FORWARD_TIMEOUT_MS)]),
    });
    const body = await res.text();
    const location = res.headers.get('location');
    if (location !== null) reply.header('location', location);
    const retryAfter = res.headers.get('retry-after');
    if (retryAfter !== null) reply.header('retry-after', retryAfter);
    return reply
      .code(res.status)
      .type(res.headers.get('content-type') ?? 'application/json; charset=utf-8')
      .send(body);
  } catch (error) {
    if (abandoned.signal.aborted) return reply;
    logger.warn({ owner: `${owner.host}:${owner.port}`, url: request.url, err: error instanceof Error ? error.message : String(error) }, 'forwarding to the owner failed');
    return sendError(reply, 502, 'The instance owning this order did not answer; retry shortly');
  } finally {
    reply.raw.off('close', onClose);
  }
}
