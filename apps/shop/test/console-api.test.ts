/**
 * The operations console's data routes against a whole running shop, on each backend (the embedded log always,
 * Apache Kafka when a broker is configured): applications, topology, topics and their records, a store, an order's
 * flow, dead letters and their redrive, and the live event stream over a real socket.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppSnapshot } from '../src/console/app-snapshot.js';
import type { DeadLetter, RedriveOutcome } from '../src/console/dead-letters.js';
import { REDRIVEN_HEADER } from '../src/console/dead-letters.js';
import type { Flow, WatchedStep } from '../src/console/order-flow.js';
import type { StoreEntries } from '../src/console/store-browser.js';
import type { RecordView, TopicSummary } from '../src/console/topic-reader.js';
import type { TopologyGraph } from '../src/console/topology-graph.js';
import { APP_IDS } from '../src/app-ids.js';
import { STOCK_STORE } from '../src/inventory/command-processor.js';
import { deadLetterTopic, TOPICS } from '../src/topics.js';
import { runId, shopTargets, tempDir, uniqueCustomerId, writeRaw, type TestShop } from './support.js';

const WAIT_MS = 60_000;

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/** The events of a server-sent event stream, as they arrive. */
async function* sse(res: Response): AsyncGenerator<{ event: string; data: string }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  for (;;) {
    let cut = text.indexOf('\n\n');
    while (cut >= 0) {
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      const field = (name: string): string => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? '';
      // Comment lines (heartbeats) carry no event.
      if (field('event') !== '') yield { event: field('event'), data: field('data') };
      cut = text.indexOf('\n\n');
    }
    const { value, done } = await reader.read();
    if (done) return;
    text += Buffer.from(value).toString('utf8');
  }
}

for (const target of shopTargets()) {
  describe(`console data routes (${target.name})`, () => {
    const dir = tempDir(`console-${target.name}`);
    let shop: TestShop;
    const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
      const res = await shop.shop.server.inject({ method: 'GET', url });
      return { status: res.statusCode, body: res.json<T>() };
    };
    const orderId = `console-${runId}-${target.name}`;
    const garbledKey = `garbled-${runId}-${target.name}`;

    let address: string;

    before(async () => {
      shop = await target.start(dir.path);
      address = await shop.shop.server.listen({ port: 0, host: '127.0.0.1' });
      const stock = await shop.shop.server.inject({ method: 'PUT', url: '/v1/inventory/JUMPERS', payload: { quantity: 1_000_000 } });
      assert.equal(stock.statusCode, 200);
      const posted = await shop.shop.server.inject({
        method: 'POST',
        url: '/v1/orders',
        payload: { id: orderId, customerId: uniqueCustomerId(), product: 'JUMPERS', quantity: 2, price: 10 },
      });
      assert.equal(posted.statusCode, 201);
      const outcome = await shop.shop.server.inject({ method: 'GET', url: `/v1/orders/${orderId}/validated?timeout=30000` });
      assert.equal(outcome.json<{ state: string }>().state, 'VALIDATED');
      // The outcome is written in an exactly-once transaction: the console, a read-committed reader, sees it once that commits.
      await eventually(() => get<RecordView[]>(`/console/api/topics/orders/records?key=${orderId}`), (r) => r.body.length === 2);
      // Not JSON: every service reading `orders` sets it aside in its dead-letter topic.
      await writeRaw(shop.backend, TOPICS.orders, garbledKey, '{"id":');
    });
    after(async () => {
      await shop?.close();
      dir.remove();
    });

    it('lists every app of the process with its live figures', async () => {
      const { body } = await get<AppSnapshot[]>('/console/api/applications');
      const byName = new Map(body.map((a) => [a.name, a]));
      for (const name of ['orders', 'order-details', 'inventory', 'fraud', 'validations-aggregator', 'email']) {
        assert.equal(byName.get(name)?.state, 'RUNNING', name);
      }
      const details = byName.get('order-details');
      assert.equal(details?.applicationId, APP_IDS.orderDetails);
      assert.ok((details?.processedRecords ?? 0) >= 1);
      assert.ok((details?.activeTasks.length ?? 0) >= 1);
      assert.equal(details?.restarts, 0);
    });

    it('draws a topology with its topics, stores and internal topics', async () => {
      const { body } = await get<TopologyGraph>('/console/api/topology/fraud');
      const ids = new Set(body.nodes.map((n) => n.id));
      assert.ok(ids.has('topic:orders'));
      assert.ok(ids.has('topic:order-validations'));
      assert.ok(ids.has('store:fraud-session-totals'));
      assert.ok(body.internalTopics.some((t) => t.startsWith(`${APP_IDS.fraud}-`) && t.endsWith('-repartition')), body.internalTopics.join());
      assert.deepEqual(body.stores, [{ name: 'fraud-session-totals', changelog: `${APP_IDS.fraud}-fraud-session-totals-changelog` }]);
      assert.ok(body.subtopologies.length >= 2);
      for (const e of body.edges) assert.ok(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to}`);
      assert.match(body.text, /Sub-topology: 0/);
      assert.equal((await get('/console/api/topology/nope')).status, 404);
    });

    it('lists topics with offsets and tails their records by key', async () => {
      const { body: topics } = await get<TopicSummary[]>('/console/api/topics');
      const orders = topics.find((t) => t.name === TOPICS.orders);
      assert.equal(orders?.partitions.length, 4);
      assert.ok((orders?.records ?? 0) >= 3, 'the CREATED and VALIDATED orders and the garbled record');
      for (const p of orders?.partitions ?? []) assert.ok(p.end >= p.beginning);
      const { body: records } = await get<RecordView[]>(`/console/api/topics/orders/records?key=${orderId}&limit=10`);
      assert.deepEqual(records.map((r) => r.key), [orderId, orderId]);
      assert.match(records[0]?.value ?? '', /"state":"VALIDATED"/, 'newest first');
      const { body: byText } = await get<RecordView[]>(`/console/api/topics/orders/records?text=${encodeURIComponent(`"id":"${orderId}","customerId"`)}`);
      assert.equal(byText.length, 2);
      assert.equal((await get('/console/api/topics/no-such-topic/records')).status, 404);
      assert.equal((await get('/console/api/topics/orders/records?limit=0')).status, 400);
    });

    it("follows an order through every service's topic, in time order", async () => {
      const isOutcome = (r: { topic: string; value: string | null }): boolean => r.topic === TOPICS.orders && /"state":"VALIDATED"/.test(r.value ?? '');
      const { body } = await eventually(() => get<Flow>(`/console/api/flow/${orderId}`), (r) => r.body.steps.some(isOutcome));
      const topics = body.steps.map((s) => s.topic);
      assert.equal(topics.filter((t) => t === TOPICS.orders).length, 2, 'CREATED and VALIDATED');
      assert.equal(topics.filter((t) => t === TOPICS.orderValidations).length, 3, 'three checks');
      for (let i = 1; i < body.steps.length; i++) assert.ok((body.steps[i]?.timestamp ?? 0) >= (body.steps[i - 1]?.timestamp ?? 0));
    });

    it('watches a new order live, timing each hop from the POST to the outcome', async () => {
      const id = `${orderId}-watched`;
      const abort = new AbortController();
      const res = await fetch(`${address}/console/api/flow/${id}/watch`, { signal: abort.signal });
      const events = sse(res);
      assert.equal((await events.next()).value?.event, 'ready');
      const posted = await shop.shop.server.inject({
        method: 'POST',
        url: '/v1/orders',
        payload: { id, customerId: uniqueCustomerId(), product: 'JUMPERS', quantity: 1, price: 5 },
      });
      assert.equal(posted.statusCode, 201);
      const steps: WatchedStep[] = [];
      for await (const e of events) {
        if (e.event === 'end') break;
        steps.push(JSON.parse(e.data) as WatchedStep);
      }
      abort.abort();
      assert.match(steps[0]?.value ?? '', /"state":"CREATED"/);
      assert.equal(steps.filter((s) => s.topic === TOPICS.orderValidations).length, 3);
      assert.match(steps.at(-1)?.value ?? '', /"state":"VALIDATED"/);
      for (let i = 1; i < steps.length; i++) assert.ok((steps[i]?.seenAt ?? 0) >= (steps[i - 1]?.seenAt ?? 0));
    });

    it('browses a key-value store by key and by range, and refuses a session store', async () => {
      const one = await get<StoreEntries>(`/console/api/stores/inventory/${STOCK_STORE}?key=JUMPERS`);
      assert.equal(one.status, 200);
      assert.equal(one.body.entries.length, 1);
      assert.equal(one.body.entries[0]?.key, 'JUMPERS');
      assert.equal(typeof one.body.entries[0]?.value, 'object');
      const range = await get<StoreEntries>(`/console/api/stores/inventory/${STOCK_STORE}?from=J&to=K`);
      assert.ok(range.body.entries.some((e) => e.key === 'JUMPERS'));
      const session = await get<{ error: string }>('/console/api/stores/fraud/fraud-session-totals');
      assert.equal(session.status, 400);
      assert.match(session.body.error, /not a key-value store/);
    });

    it('lists dead letters with their error headers and redrives one to its origin', async () => {
      const dlq = deadLetterTopic(APP_IDS.orderDetails);
      const { body: topics } = await get<Array<{ app: string; topic: string }>>('/console/api/dead-letters');
      assert.ok(topics.some((t) => t.app === 'order-details' && t.topic === dlq));
      const letters = (await eventually(() => get<DeadLetter[]>(`/console/api/dead-letters/${dlq}?key=${garbledKey}`), (r) => r.body.length === 1)).body;
      assert.equal(letters.length, 1);
      const letter = letters[0] as DeadLetter;
      assert.equal(letter.value, '{"id":');
      assert.equal(letter.error.topic, TOPICS.orders);
      assert.match(letter.error.message ?? '', /JSON/);

      const res = await shop.shop.server.inject({
        method: 'POST',
        url: `/console/api/dead-letters/${dlq}/redrive`,
        payload: { records: [{ partition: letter.partition, offset: letter.offset }, { partition: letter.partition, offset: 1_000_000 }] },
      });
      assert.equal(res.statusCode, 200);
      const outcome = res.json<RedriveOutcome>();
      assert.deepEqual(outcome.redriven, [{ partition: letter.partition, offset: letter.offset, to: TOPICS.orders }]);
      assert.equal(outcome.skipped.length, 1);

      const again = (await get<RecordView[]>(`/console/api/topics/orders/records?key=${garbledKey}`)).body;
      assert.equal(again.length, 2, 'the original and the redriven copy');
      const copy = again.find((r) => r.headers[REDRIVEN_HEADER] !== undefined);
      assert.equal(copy?.headers[REDRIVEN_HEADER], `${dlq}/${letter.partition}/${letter.offset}`);
      assert.ok(!Object.keys(copy?.headers ?? {}).some((h) => h.startsWith('__streams.errors.')));
      // Still not JSON: the app sets it aside once more.
      const twice = await eventually(() => get<DeadLetter[]>(`/console/api/dead-letters/${dlq}?key=${garbledKey}`), (r) => r.body.length === 2);
      assert.equal(twice.body.length, 2);

      const notDlq = await shop.shop.server.inject({ method: 'POST', url: '/console/api/dead-letters/orders/redrive', payload: { records: [{ partition: 0, offset: 0 }] } });
      assert.equal(notDlq.statusCode, 404, 'only dead-letter topics are redriven');
      const empty = await shop.shop.server.inject({ method: 'POST', url: `/console/api/dead-letters/${dlq}/redrive`, payload: { records: [] } });
      assert.equal(empty.statusCode, 400);
    });

    it('pushes application snapshots as server-sent events', async () => {
      const abort = new AbortController();
      const res = await fetch(`${address}/console/api/events`, { signal: abort.signal });
      assert.equal(res.headers.get('content-type'), 'text/event-stream');
      const events = sse(res);
      const first = (await events.next()).value;
      const second = (await events.next()).value;
      abort.abort();
      // Another stream is left open on purpose: closing the shop (in `after`) must end it rather than wait for it.
      await fetch(`${address}/console/api/events`);
      assert.equal(first?.event, 'applications');
      assert.equal(second?.event, 'applications', 'a first snapshot at once, then one a second');
      const apps = JSON.parse(second?.data ?? '[]') as AppSnapshot[];
      assert.ok(apps.some((a) => a.name === 'orders' && a.state === 'RUNNING'));
    });

    it('serves each screen as HTML with a heading and labelled controls', async () => {
      for (const [path, heading] of [
        ['applications', 'Applications'],
        ['topology', 'Topology'],
        ['topics', 'Topics'],
        ['stores', 'Stores'],
        ['dead-letters', 'Dead letters'],
        ['flow', 'Order flow'],
      ] as const) {
        const res = await shop.shop.server.inject({ method: 'GET', url: `/console/${path}` });
        assert.equal(res.statusCode, 200);
        assert.match(res.body, new RegExp(`<h1>${heading}</h1>`));
        for (const [, id] of res.body.matchAll(/<(?:input|select) id="([^"]+)"/g)) assert.match(res.body, new RegExp(`<label for="${id}">`), `${path}: ${id}`);
      }
      assert.equal((await shop.shop.server.inject({ method: 'GET', url: '/console/assets/dagre.min.js' })).statusCode, 200);
      assert.equal((await shop.shop.server.inject({ method: 'GET', url: '/console/assets/..%2Fpackage.json' })).statusCode, 404);
    });
  });
}
