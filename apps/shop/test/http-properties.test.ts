/**
 * Property-based checks of the HTTP API against the running shop (fast-check), on each backend (the embedded log
 * always; Kafka when KAFKA_BOOTSTRAP_SERVERS is set): random and hostile bodies, ids, numbers and URLs. Whatever
 * a client sends, the answer is never a 5xx (a `504` for a wait that ran out aside); a body is accepted exactly
 * when an independent statement of the API's rules says it is valid; and every accepted order reaches an outcome
 * with the fields it was posted with (nothing lost, nothing changed).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runId, shopTargets, tempDir, type TestShop } from './support.js';

/** Modest run counts: each property must stay well under a minute per backend on a loaded 2-core machine. */
const RUNS = 250;
const OUTCOME_WAIT_MS = 30_000;
/**
 * Every string id is sent with a prefix new to each execution: on a broker shared with earlier runs, and when
 * fast-check replays an example while shrinking, an id is still new (duplicates are checked by posting twice).
 */
const TAG = `p${runId.slice(-6)}`;
let executions = 0;
const freshId = (id: unknown): unknown => (typeof id === 'string' ? `${TAG}${(executions += 1).toString(36)}-${id}` : id);
const PRODUCTS = ['JUMPERS', 'UNDERPANTS', 'STOCKINGS'] as const;

// ---- The API's rules, stated independently of the code's zod schemas -----------------------------------------

const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isText = (v: unknown, min: number, max: number): boolean => {
  if (typeof v !== 'string' || LONE.test(v)) return false;
  const length = [...v].length;
  return length >= min && length <= max;
};
const isSafeInt = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v);
const isPrice = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 1e9;

/** A `__proto__` or `constructor.prototype` key anywhere: the JSON parser refuses such bodies (prototype poisoning). */
function poisons(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return true;
    const child = (value as Record<string, unknown>)[key];
    if (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) return true;
    if (poisons(child)) return true;
  }
  return false;
}

function validOrder(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  if (poisons(body)) return false;
  const o = body as Record<string, unknown>;
  return (
    isText(o['id'], 1, 100) &&
    isSafeInt(o['customerId']) &&
    (o['state'] === undefined || o['state'] === 'CREATED') &&
    isText(o['product'], 1, 1000) &&
    isSafeInt(o['quantity']) &&
    isPrice(o['price'])
  );
}

// ---- Generators ------------------------------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Text of every kind: empty, astral, control characters, URL syntax, lone surrogates, around the length limits. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 110 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ minLength: 95, maxLength: 105 }),
  fc.tuple(fc.string({ maxLength: 5 }), loneSurrogate, fc.string({ maxLength: 5 })).map(([a, b, c]) => a + b + c),
  fc.constantFrom('', ' ', '/', '..', '%', '%2F', '?a=b', '#x', '\u0000', '😀'.repeat(100), '😀'.repeat(101), 'a'.repeat(100), 'a'.repeat(101)),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, 0.5, -0, 1e200, -1e200, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 1e9, 1e9 + 1, -1e9, -1e9 - 1),
);
/** A value of any JSON type (or none), for fields that must have one type. */
const anyField = fc.oneof({ weight: 3, arbitrary: hostileNumber }, { weight: 3, arbitrary: hostileText }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });

/** Mostly a sound value (so that plenty of orders are accepted and followed), sometimes a hostile one. */
const field = <T>(sound: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 10, arbitrary: sound }, { weight: 1, arbitrary: hostile }, { weight: 1, arbitrary: anyField });

const ORDER_KEYS = ['id', 'customerId', 'state', 'product', 'quantity', 'price'] as const;

/** Bodies that look like orders: each field sound, hostile, of the wrong type, or missing; unknown keys too. */
const orderLike = fc
  .record({
    id: field(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), hostileText),
    customerId: field(fc.integer({ min: 0, max: 1_000 }), hostileNumber),
    state: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constant('CREATED') }, { weight: 1, arbitrary: fc.constantFrom('VALIDATED', 'FAILED', 'created') }),
    product: field(fc.constantFrom(...PRODUCTS, 'HATS'), hostileText),
    quantity: field(fc.integer({ min: -2, max: 3 }), hostileNumber),
    price: field(fc.double({ min: -10, max: 100, noNaN: true }), hostileNumber),
    extra: fc.option(fc.jsonValue({ maxDepth: 1 })),
  })
  .chain((o) =>
    fc
      .oneof({ weight: 4, arbitrary: fc.constant<string[]>([]) }, { weight: 1, arbitrary: fc.subarray<string>([...ORDER_KEYS], { minLength: 1, maxLength: 2 }) })
      .map((dropped) => {
        const body: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(o)) if (value !== undefined && value !== null && !dropped.includes(key)) body[key] = value;
        return body;
      }),
  );

/** A URL path segment: a string percent-encoded, or raw bytes percent-encoded (invalid UTF-8 and all). */
const pathSegment = fc.oneof(
  hostileText.filter((t) => !LONE.test(t)).map(encodeURIComponent),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
  fc.constantFrom('x'.repeat(101), '%', '%E0%A4%A', '..', '.', '%00'),
);
const timeoutParam = fc.oneof(fc.constantFrom('', '0', '-1', 'abc', '1e1', '0x10', 'NaN', '1.5', '%FF', '[]'), fc.integer({ min: 0, max: 20 }).map(String));

for (const target of shopTargets()) {
  describe(`HTTP properties on ${target.name}`, { timeout: 240_000 }, () => {
    const dir = tempDir(`props-${target.name}`);
    let shop: TestShop;
    let base: string;
    /** Orders answered 201, by id, as posted. */
    const accepted = new Map<string, Record<string, unknown>>();

    const send = async (method: string, path: string, body?: string): Promise<{ status: number; json: Record<string, unknown> | undefined; location: string | null }> => {
      const res = await fetch(`${base}${path}`, {
        method,
        ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
      });
      const text = await res.text();
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      return { status: res.status, json, location: res.headers.get('location') };
    };

    before(async () => {
      shop = await target.start(dir.path);
      base = await shop.shop.server.listen({ port: 0, host: '127.0.0.1' });
      // Enough stock that sound orders validate; STOCKINGS stays without a record (other suites rely on that).
      for (const product of ['JUMPERS', 'UNDERPANTS']) assert.equal((await send('PUT', `/v1/inventory/${product}`, '{"quantity":1000000}')).status, 200);
    });

    after(async () => {
      await shop?.close();
      dir.remove();
    });

    it('accepts an order exactly when it is valid, and never answers 5xx', async () => {
      await fc.assert(
        fc.asyncProperty(orderLike, async (generated) => {
          const body = { ...generated, ...('id' in generated ? { id: freshId(generated['id']) } : {}) };
          const res = await send('POST', '/v1/orders', JSON.stringify(body));
          assert.ok(res.status < 500, `5xx for ${JSON.stringify(body)}`);
          if (!validOrder(body)) {
            assert.equal(res.status, 400, JSON.stringify(body));
            assert.equal(typeof res.json?.['error'], 'string');
            assert.equal(typeof res.json?.['field'], 'string');
            return;
          }
          const id = (body as { id: string }).id;
          assert.equal(res.status, 201, JSON.stringify(body));
          const { state: _state, extra: _extra, ...sent } = body as Record<string, unknown>;
          // As JSON carries them (-0 is sent as 0).
          const fields = JSON.parse(JSON.stringify(sent)) as Record<string, unknown>;
          assert.deepEqual(res.json, { ...fields, state: 'CREATED' });
          assert.equal(res.location, `/v1/orders/${encodeURIComponent(id)}`);
          accepted.set(id, fields);
          // The same id again, whatever else changes: taken.
          const again = await send('POST', '/v1/orders', JSON.stringify({ ...body, quantity: 1 }));
          assert.equal(again.status, 409);
        }),
        { numRuns: RUNS },
      );
      assert.ok(accepted.size > 10, `only ${accepted.size} orders were accepted: the generator is too hostile to follow any`);
    });

    it('never answers 5xx to any body on any write route', async () => {
      const route = fc.constantFrom('POST /v1/orders', 'POST /v1/customers', 'POST /v1/payments', 'PUT /v1/inventory/JUMPERS', 'PUT /v1/inventory/HATS');
      const rawBody = fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        fc.record({ id: anyField, orderId: anyField, ccy: anyField, amount: anyField, firstName: anyField, level: anyField, quantity: anyField }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.constantFrom('', '{', 'null', '[]', '{"__proto__":{"x":1}}', '{"quantity":1e999}', '"\\ud800"'),
      );
      await fc.assert(
        fc.asyncProperty(route, rawBody, async (r, body) => {
          const [method = 'POST', path = '/'] = r.split(' ');
          const res = await send(method, path, body);
          assert.ok(res.status < 500, `${res.status} for ${r} ${body}`);
          assert.equal(typeof res.json?.['error'] === 'string' || res.status < 300, true, `${res.status} without an error body`);
        }),
        { numRuns: RUNS },
      );
    });

    it('never answers 5xx to any id or timeout in a read (504 aside)', async () => {
      const known = [...accepted.keys()].slice(0, 5).map(encodeURIComponent);
      const segment = known.length > 0 ? fc.oneof(pathSegment, fc.constantFrom(...known)) : pathSegment;
      await fc.assert(
        fc.asyncProperty(segment, fc.boolean(), timeoutParam, async (id, validated, timeout) => {
          const res = await send('GET', `/v1/orders/${id}${validated ? '/validated' : ''}?timeout=${timeout}`);
          assert.ok(res.status < 500 || res.status === 504, `${res.status} for ${id}`);
          if (res.status === 200) assert.equal(typeof res.json?.['state'], 'string');
        }),
        { numRuns: RUNS },
      );
      assert.equal(shop.shop.waiters.size, 0);
    });

    it('takes every accepted order to an outcome, unchanged', async () => {
      const ids = [...accepted.keys()];
      // In batches: long polls are bounded per client.
      for (let i = 0; i < ids.length; i += 50) {
        await Promise.all(
          ids.slice(i, i + 50).map(async (id) => {
            const res = await send('GET', `/v1/orders/${encodeURIComponent(id)}/validated?timeout=${OUTCOME_WAIT_MS}`);
            assert.equal(res.status, 200, `order ${JSON.stringify(id)} reached no outcome`);
            const { state, ...fields } = res.json ?? {};
            assert.ok(state === 'VALIDATED' || state === 'FAILED', String(state));
            assert.deepEqual(fields, accepted.get(id));
          }),
        );
      }
    });
  });
}
