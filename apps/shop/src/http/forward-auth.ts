/**
 * Authenticates requests one orders instance forwards to another. A forwarded request is answered by the instance
 * that receives it, without routing; a client that could mark its own request as forwarded could bypass the owner
 * (and its duplicate-id check). So the forwarding instance signs the request with a secret shared by the
 * deployment: an HMAC of method and URL, so the secret itself never travels. A mark without a valid signature is
 * ignored and the request routed as any other.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const FORWARDED_HEADER = 'x-shop-forwarded';

export class ForwardAuth {
  private readonly key: Buffer;

  /** `secret` shared by every orders instance of the deployment; omitted: a random one (a single instance). */
  constructor(secret?: string) {
    this.key = secret !== undefined ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  /** The header value that marks a request to `url` as forwarded by an instance holding the secret. */
  sign(method: string, url: string): string {
    return createHmac('sha256', this.key).update(`${method} ${url}`).digest('base64url');
  }

  /** Whether `request` was forwarded by another instance of this deployment. */
  isForwarded(request: FastifyRequest): boolean {
    const mark = request.headers[FORWARDED_HEADER];
    if (typeof mark !== 'string') return false;
    const expected = Buffer.from(this.sign(request.method, request.url), 'utf8');
    const given = Buffer.from(mark, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
