/**
 * Request routing between orders instances: a request for an order whose partition another instance owns is
 * replayed there once (marked, so it is never forwarded again) and its answer relayed as it is.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';

export const FORWARDED_HEADER = 'x-shop-forwarded';

export function wasForwarded(request: FastifyRequest): boolean {
  return request.headers[FORWARDED_HEADER] !== undefined;
}

export async function forward(request: FastifyRequest, reply: FastifyReply, owner: { host: string; port: number }): Promise<FastifyReply> {
  // A long poll forwarded for a client that left must not keep the owner waiting.
  const abandoned = new AbortController();
  const onClose = (): void => abandoned.abort();
  reply.raw.once('close', onClose);
  try {
    const res = await fetch(`http://${owner.host}:${owner.port}${request.url}`, {
      method: request.method,
      headers: { [FORWARDED_HEADER]: '1', ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      signal: abandoned.signal,
    });
    const body = await res.text();
    const location = res.headers.get('location');
    if (location !== null) reply.header('location', location);
    return reply
      .code(res.status)
      .type(res.headers.get('content-type') ?? 'application/json; charset=utf-8')
      .send(body);
  } catch (error) {
    if (abandoned.signal.aborted) return reply;
    return sendError(reply, 502, `The instance owning this order (${owner.host}:${owner.port}) did not answer`, {
      cause: error instanceof Error ? error.message : String(error),
    });
  } finally {
    reply.raw.off('close', onClose);
  }
}
