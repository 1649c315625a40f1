/**
 * Answering a request whose body is over the limit so that ordinary clients can read the answer. Most clients
 * (Node's fetch, Python's urllib) send the whole body before they read a response; a server that answers `413`
 * and closes the socket mid-body makes them fail with EPIPE / connection reset instead of seeing the `413`. So the
 * rest of the body is read and thrown away, up to a bound of bytes and time, before the answer goes out; past the
 * bound the socket is closed after the answer (a client sending that much is not an ordinary one).
 */
import type { IncomingMessage } from 'node:http';

/** Bytes of an oversized body read and discarded before answering `413`. */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;
/** How long an oversized body is read before answering anyway. */
export const DRAIN_LIMIT_MS = 5_000;

/** Reads `request` to its end, discarding it; true when it ended within the bounds. */
export function drainBody(request: IncomingMessage, limitBytes = DRAIN_LIMIT_BYTES, limitMs = DRAIN_LIMIT_MS): Promise<boolean> {
  if (request.readableEnded || request.destroyed) return Promise.resolve(request.readableEnded);
  return new Promise((resolve) => {
    let received = 0;
    const finish = (complete: boolean): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onFail);
      request.off('close', onFail);
      if (!complete) request.pause();
      resolve(complete);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limitBytes) finish(false);
    };
    const onEnd = (): void => finish(true);
    const onFail = (): void => finish(false);
    const timer = setTimeout(() => finish(false), limitMs);
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onFail);
    request.once('close', onFail);
    request.resume();
  });
}
