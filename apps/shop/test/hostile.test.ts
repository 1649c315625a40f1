/**
 * The shop against what a careless or hostile client sends (issue 13), on the embedded log: numbers the services
 * cannot hold, odd ids, records no API client could write, floods of long polls, oversized and trickling bodies.
 * Nothing a client sends may get a 5xx or stop a service.
 */
import { connect } from 'node:net';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumedRecord } from '@tributary/streams';
import { MAX_WAIT_MS, WaitQuerySchema } from '../src/http/orders-routes.js';
import { APP_IDS } from '../src/app-ids.js';
import { deadLetterTopic, TOPICS } from '../src/topics.js';
import { readRawTopic, runId, startTestShop, tempDir, uniqueCustomerId, writeRaw, type TestShop } from './support.js';

const WAIT_MS = 60_000;
let seq = 0;
const nextId = (): string => `hostile-${runId}-${++seq}`;

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
}

function inject(shop: TestShop, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, remoteAddress?: string): Promise<Reply> {
  return shop.shop.server
    .inject({
      method,
      url,
      ...(payload !== undefined ? { payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } } : {}),
      ...(remoteAddress !== undefined ? { remoteAddress } : {}),
    })
    .then((res) => ({ status: res.statusCode, body: res.body.startsWith('{') ? (res.json() as Record<string, unknown>) : {}, headers: res.headers }));
}

async function eventually<T>(read: () => T | Promise<T>, done: (value: T) => boolean, waitMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    value = await read();
  }
  return value;
}

/** One GET over its own socket (no keep-alive pool), as many separate clients would. */
function rawGet(base: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${base}${path}`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.end();
  });
}

describe('the shop under hostile input (embedded log)', { timeout: 300_000 }, () => {
  const dir = tempDir('hostile');
  let shop: TestShop;
  let base: string;

  before(async () => {
    shop = await startTestShop(dir.path, { longPollLimits: { maxTotal: 6, maxPerClient: 4 } });
    base = await shop.shop.server.listen({ port: 0, host: '127.0.0.1' });
    assert.equal((await inject(shop, 'PUT', '/v1/inventory/JUMPERS', { quantity: 1_000 })).status, 200);
  });

  after(async () => {
    await shop?.close();
    dir.remove();
  });

  it('refuses numbers the services cannot hold with a 400 naming the field', async () => {
    const order = { id: nextId(), customerId: 1, product: 'JUMPERS', quantity: 1, price: 1 };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ quantity: 0.5 }, 'quantity'],
      [{ quantity: 1e200 }, 'quantity'],
      [{ quantity: 2 ** 53 }, 'quantity'],
      [{ price: 1e200 }, 'price'],
      [{ price: -1e200 }, 'price'],
      [{ customerId: 0.5 }, 'customerId'],
      [{ quantity: 1e200, price: 1e200 }, 'quantity'],
    ];
    for (const [change, field] of cases) {
      const res = await inject(shop, 'POST', '/v1/orders', { ...order, ...change });
      assert.equal(res.status, 400, JSON.stringify(change));
      assert.equal(res.body['field'], field, JSON.stringify(change));
      assert.equal(typeof res.body['error'], 'string');
    }
    // None was written.
    assert.equal((await inject(shop, 'GET', `/v1/orders/${order.id}?timeout=0`)).status, 504);
    // Zero and negative quantities are well-formed: the services FAIL them.
    const zero = { ...order, quantity: 0 };
    assert.equal((await inject(shop, 'POST', '/v1/orders', zero)).status, 201);
    assert.equal((await inject(shop, 'GET', `/v1/orders/${zero.id}/validated?timeout=${WAIT_MS}`)).body['state'], 'FAILED');
  });

  it('refuses a body that is not JSON, or carries a __proto__ key at any depth, with a 400 naming the body', async () => {
    const bodies = [
      '{"id":"p1","customerId":1,"product":"JUMPERS","quantity":1,"price":1,"extra":{"__proto__":""}}',
      '{"id":"p2","customerId":1,"product":"JUMPERS","quantity":1,"price":1,"__proto__":{"x":1}}',
      '{"id":"p3",',
      '',
    ];
    for (const payload of bodies) {
      const res = await shop.shop.server.inject({ method: 'POST', url: '/v1/orders', payload, headers: { 'content-type': 'application/json' } });
      assert.equal(res.statusCode, 400, payload);
      const body = res.json() as Record<string, unknown>;
      assert.equal(body['field'], 'body', payload);
      assert.equal(typeof body['error'], 'string');
    }
    for (const id of ['p1', 'p2']) assert.equal((await inject(shop, 'GET', `/v1/orders/${id}?timeout=0`)).status, 504, `${id} was written`);
  });

  it('takes ids of 1 to 100 well-formed characters, the same for writing and reading', async () => {
    const order = (id: string): Record<string, unknown> => ({ id, customerId: uniqueCustomerId(), product: 'JUMPERS', quantity: 1, price: 1 });
    // 100 characters, each 4 bytes in UTF-8 and 2 UTF-16 units, and characters a URL must encode.
    const wide = `${'😀'.repeat(95)}/?#% `;
    const posted = await inject(shop, 'POST', '/v1/orders', order(wide));
    assert.equal(posted.status, 201);
    const location = String(posted.headers['location']);
    const read = await inject(shop, 'GET', `${location}/validated?timeout=${WAIT_MS}`);
    assert.equal(read.status, 200);
    assert.equal(read.body['id'], wide);

    for (const bad of ['', 'x'.repeat(101), '😀'.repeat(101), '\ud800x', 'x\udc00']) {
      const res = await inject(shop, 'POST', '/v1/orders', order(bad));
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(res.body['field'], 'id');
    }
    for (const path of [`/v1/orders/${'x'.repeat(101)}`, `/v1/orders/${encodeURIComponent('😀'.repeat(101))}/validated`]) {
      const res = await inject(shop, 'GET', `${path}?timeout=0`);
      assert.equal(res.status, 400, path);
      assert.equal(res.body['field'], 'id');
    }
    // A lone surrogate cannot be percent-encoded as UTF-8: its bytes are invalid, never a 5xx.
    const lone = await inject(shop, 'GET', '/v1/orders/%ED%A0%80x?timeout=0');
    assert.ok(lone.status >= 400 && lone.status < 500, String(lone.status));
  });

  it('settles orders no API client could send, written straight to the topic, and stays up', async () => {
    const customerId = uniqueCustomerId();
    const fraction = { id: nextId(), customerId: uniqueCustomerId(), state: 'CREATED', product: 'JUMPERS', quantity: 0.5, price: 1 };
    const huge = { id: nextId(), customerId, state: 'CREATED', product: 'JUMPERS', quantity: 1e200, price: 1e200 };
    const next = { id: nextId(), customerId, state: 'CREATED', product: 'JUMPERS', quantity: 1, price: 1 };
    const garbageKey = nextId();
    await writeRaw(shop.backend, TOPICS.orders, fraction.id, JSON.stringify(fraction));
    await writeRaw(shop.backend, TOPICS.orders, huge.id, JSON.stringify(huge));
    await writeRaw(shop.backend, TOPICS.orders, garbageKey, '{"id": not json');
    for (const order of [fraction, huge]) {
      const res = await inject(shop, 'GET', `/v1/orders/${order.id}/validated?timeout=${WAIT_MS}`);
      assert.equal(res.status, 200);
      assert.equal(res.body['state'], 'FAILED', JSON.stringify(order));
    }
    // Orders of different ids travel different partitions: only once `huge` is judged is `next` surely after it.
    await writeRaw(shop.backend, TOPICS.orders, next.id, JSON.stringify(next));
    // The customer's session total is capped, not Infinity: the next order is judged (over the limit: FAILED).
    const after = await inject(shop, 'GET', `/v1/orders/${next.id}/validated?timeout=${WAIT_MS}`);
    assert.equal(after.status, 200);
    assert.equal(after.body['state'], 'FAILED');

    // The unreadable record went to each reader's dead-letter topic with the reason, and nobody stopped.
    const named = (records: ConsumedRecord[]): ConsumedRecord | undefined => records.find((r) => r.key?.toString('utf8') === garbageKey);
    for (const appId of [APP_IDS.inventory, APP_IDS.fraud, APP_IDS.orderDetails, APP_IDS.validationsAggregator, APP_IDS.ordersView]) {
      const dead = named(await readRawTopic(shop.backend, deadLetterTopic(appId), (rs) => named(rs) !== undefined));
      assert.ok(dead, `${appId} set the record aside`);
      assert.equal(dead.value?.toString('utf8'), '{"id": not json');
      assert.match(dead.headers['__streams.errors.message']?.toString('utf8') ?? '', /JSON/);
    }
    const health = await inject(shop, 'GET', '/health');
    assert.equal(health.status, 200);
    assert.equal(health.body['status'], 'UP');
    const metrics = await shop.shop.server.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /shop_service_restarts_total\{service="inventory"\} 0/);
  });

  it('caps long polls per client and in total: 503 with Retry-After beyond', async () => {
    const id = `never-${nextId()}`;
    const poll = (client: string): Promise<Reply> => inject(shop, 'GET', `/v1/orders/${id}?timeout=3000`, undefined, client);
    const held = [1, 2, 3, 4].map(() => poll('10.0.0.1'));
    await eventually(() => shop.shop.longPolls.held, (n) => n === 4);
    const fifth = await poll('10.0.0.1');
    assert.equal(fifth.status, 503);
    assert.equal(fifth.headers['retry-after'], '1');
    held.push(poll('10.0.0.2'), poll('10.0.0.2'));
    await eventually(() => shop.shop.longPolls.held, (n) => n === 6);
    const overall = await poll('10.0.0.3');
    assert.equal(overall.status, 503);
    // A read that need not wait is never refused.
    assert.equal((await inject(shop, 'GET', `/v1/orders/${id}?timeout=0`, undefined, '10.0.0.3')).status, 504);
    assert.deepEqual(
      (await Promise.all(held)).map((r) => r.status),
      [504, 504, 504, 504, 504, 504],
    );
    assert.equal(shop.shop.longPolls.held, 0);
    assert.equal(shop.shop.waiters.size, 0);
  });

  it(`cuts any wait down to ${MAX_WAIT_MS} ms`, () => {
    assert.deepEqual(WaitQuerySchema.parse({ timeout: '300000' }), { timeout: MAX_WAIT_MS });
    assert.deepEqual(WaitQuerySchema.parse({ timeout: '20' }), { timeout: 20 });
    assert.equal(WaitQuerySchema.safeParse({ timeout: '-1' }).success, false);
  });

  it("answers 413 to a body over the limit so that Node's fetch reads it", async () => {
    const body = JSON.stringify({ padding: 'x'.repeat(5 * 1024 * 1024) });
    const sized = await fetch(`${base}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(sized.status, 413);
    assert.equal(typeof ((await sized.json()) as { error: unknown }).error, 'string');
    // Without a content-length (chunked), the limit is found while reading.
    const chunks = [Buffer.from('{"padding":"'), Buffer.alloc(3 * 1024 * 1024, 'y'), Buffer.from('"}')];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const chunked = await fetch(`${base}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    assert.equal(chunked.status, 413);
    await chunked.text();
  });

  it('closes a request whose body trickles in', async () => {
    const { port } = new URL(base);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /v1/orders HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n');
    const started = Date.now();
    const trickle = setInterval(() => socket.write('{'), 1_000);
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(trickle);
    const elapsed = Date.now() - started;
    // requestTimeout (10 s), checked every second by Node.
    assert.ok(elapsed < 15_000, `closed after ${elapsed} ms`);
    assert.match(answer, /^HTTP\/1\.1 408/);
  });

  it('survives a flood of long polls, then a restart of the shop', async () => {
    const order = { id: nextId(), customerId: uniqueCustomerId(), product: 'JUMPERS', quantity: 1, price: 1 };
    assert.equal((await inject(shop, 'POST', '/v1/orders', order)).status, 201);
    const rejectedBefore = shop.shop.longPolls.rejected;
    const flood = Array.from({ length: 200 }, () => rawGet(base, `/v1/orders/flood-${runId}?timeout=${MAX_WAIT_MS}`));
    // At most 4 (one client) are held; the rest are refused at once, and the shop still serves everyone else.
    await eventually(() => shop.shop.longPolls.held, (n) => n === 4);
    assert.equal(await eventually(() => shop.shop.longPolls.rejected - rejectedBefore, (n) => n === 196), 196);
    assert.equal((await inject(shop, 'GET', `/v1/orders/${order.id}/validated?timeout=${WAIT_MS}`, undefined, '10.0.0.9')).status, 200);
    assert.equal((await inject(shop, 'GET', '/health')).status, 200);
    await shop.close();
    const statuses = await Promise.all(flood);
    assert.equal(statuses.filter((s) => s === 503).length, 196);
    assert.equal(statuses.filter((s) => s === 504).length, 4, 'held polls are answered when the shop closes');

    shop = await startTestShop(dir.path, { longPollLimits: { maxTotal: 6, maxPerClient: 4 } });
    assert.equal((await inject(shop, 'GET', '/health')).status, 200);
    const again = await inject(shop, 'GET', `/v1/orders/${order.id}/validated?timeout=${WAIT_MS}`);
    assert.equal(again.status, 200);
    assert.equal(again.body['state'], 'VALIDATED');
    const more = { ...order, id: nextId() };
    assert.equal((await inject(shop, 'POST', '/v1/orders', more)).status, 201);
    assert.equal((await inject(shop, 'GET', `/v1/orders/${more.id}/validated?timeout=${WAIT_MS}`)).body['state'], 'VALIDATED');
  });
});
