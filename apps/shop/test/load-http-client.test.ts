/**
 * The load generator's HTTP client keeps every socket that goes idle, however many at once: a burst of answers (a
 * broker that stalled, then every held request answered together) must not turn into a burst of new connections,
 * which overflowed the shop's accept queue (bench/results/2026-12-01-shop-freeze.md, "Connection storms").
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { httpCall } from '../src/load/http-client.js';

// Above Node's default of 256 idle sockets per host, which the client used to keep.
const REQUESTS = 400;

describe('load generator HTTP client', () => {
  let server: http.Server;
  let url: URL;
  let connections = 0;
  /** Answers held until `REQUESTS` of them wait, then all given at once. */
  let held: Array<() => void> = [];
  let holding = true;

  before(async () => {
    server = http.createServer({ keepAliveTimeout: 60_000 }, (_request, response) => {
      const answer = (): void => {
        response.setHeader('content-type', 'application/json');
        response.end('{}');
      };
      if (!holding) return answer();
      held.push(answer);
      if (held.length === REQUESTS) {
        const all = held;
        held = [];
        for (const give of all) give();
      }
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reuses all the sockets of answers that came together instead of opening new ones', async () => {
    const first = await Promise.all(Array.from({ length: REQUESTS }, () => httpCall(url, 'GET', undefined, 10_000)));
    assert.ok(first.every((a) => a.status === 200));
    assert.equal(connections, REQUESTS, 'one connection per concurrent request');

    holding = false;
    const second = await Promise.all(Array.from({ length: REQUESTS }, () => httpCall(url, 'POST', { n: 1 }, 10_000)));
    assert.ok(second.every((a) => a.status === 200));
    // Every follow-up found an idle socket; with at most 256 idle, 144 of them would have connected anew.
    assert.equal(connections, REQUESTS);
  });
});
