/**
 * The load generator's HTTP client: node:http(s) over keep-alive agents. The generator shares the machine with the
 * shop it measures, and `fetch` costs about three times the CPU per request (≈0.3 vs ≈0.1 ms here, with 600
 * requests a second at 200 orders/s), which the shop then lacks.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  readonly status: number;
  /** The `Retry-After` header, when there is one. */
  readonly retryAfter: string | undefined;
  readonly text: string;
}

// No socket limit: every order holds a long poll, and a queue in front of them would be latency the shop never caused.
// No limit on idle sockets either: with Node's default of 256, thousands of answers arriving together (a broker
// that stalled for 25 s, then every waiting order's POST answered at once) left all but 256 sockets destroyed, and
// the next requests of those orders opened thousands of connections in the same instant. That overflowed the
// shop's accept queue; handshakes and first bytes were dropped and resent by TCP seconds later, and the shop's
// headers timeout, which counts from the accept, answered 408
// (bench/results/2026-12-01-shop-freeze.md, "Connection storms").
const agentOptions = { keepAlive: true, maxFreeSockets: Number.MAX_SAFE_INTEGER };
const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };

/**
 * Sends `body` (as JSON when given) and resolves with the whole answer; rejects when the socket is silent for
 * `idleTimeoutMs` (node:http has no deadline of its own, so a request the server dropped would be waited on forever).
 *
 * A request sent on a kept-alive socket that the server closed at the same moment (its keep-alive timeout) fails
 * with ECONNRESET before the server read it; it is sent once more on a new socket, as Node's documentation advises
 * (`request.reusedSocket`). The shop's requests are all safe to repeat: orders and payments carry their own ids.
 */
export async function httpCall(url: URL, method: string, body: unknown, idleTimeoutMs: number): Promise<HttpAnswer> {
  try {
    return await send(url, method, body, idleTimeoutMs);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    return send(url, method, body, idleTimeoutMs);
  }
}

/** A reset on a reused keep-alive socket before any answer came. */
class StaleSocketError extends Error {}

function send(url: URL, method: string, body: unknown, idleTimeoutMs: number): Promise<HttpAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(
      url,
      {
        method,
        agent: secure ? agents.https : agents.http,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, text });
        });
        response.on('error', reject);
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      reject(request.reusedSocket && error.code === 'ECONNRESET' ? new StaleSocketError(error.message) : error);
    });
    request.setTimeout(idleTimeoutMs, () => request.destroy(new Error(`no answer within ${idleTimeoutMs} ms`)));
    request.end(payload);
  });
}
