/**
 * The operations console under `/console`: HTML screens, their scripts, and the JSON (and server-sent events) they
 * read. Everything comes from a `ConsoleSource`, so the routes serve any Tributary application, not only the shop.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { Snapshots } from './app-snapshot.js';
import type { ConsoleApplication, ConsoleSource } from './console-source.js';
import { escapeHtml, options, page } from './console-pages.js';
import { DeadLetters } from './dead-letters.js';
import { followKey, watchKey } from './order-flow.js';
import { browseStore, StoreNotBrowsable } from './store-browser.js';
import { TopicReader, UnknownConsoleTopic } from './topic-reader.js';
import { topologyGraph } from './topology-graph.js';

/** How often the applications screen is pushed a fresh snapshot. */
export const EVENTS_INTERVAL_MS = 1000;
/** A watched flow ends after this even without an outcome. */
export const WATCH_MAX_MS = 120_000;
const HEARTBEAT_MS = 10_000;
const ASSETS = new URL('../../console-assets/', import.meta.url);
const ASSET_FILES = ['common.js', 'console.css', 'applications.js', 'topology.js', 'topics.js', 'stores.js', 'dead-letters.js', 'flow.js'];
const require = createRequire(import.meta.url);
// dagre lays the topology out in the browser; its own minified bundle is served as a static file.
// (The package exports only its module entry points: find its folder through its package.json.)
const DAGRE_FILE = join(dirname(require.resolve('@dagrejs/dagre/package.json')), 'dist', 'dagre.min.js');

const Limit = z.coerce.number().int().min(1).max(1000).default(50);
const RecordsQuery = z.object({ limit: Limit, key: z.string().max(1000).optional(), text: z.string().max(1000).optional() });
const StoreQuery = z.object({ limit: Limit, key: z.string().max(1000).optional(), from: z.string().max(1000).optional(), to: z.string().max(1000).optional() });
const RedriveBody = z.object({
  records: z.array(z.object({ partition: z.number().int().min(0), offset: z.number().int().min(0) })).min(1).max(1000),
});

export function registerConsoleRoutes(server: FastifyInstance, source: ConsoleSource): void {
  const topics = new TopicReader(source.backend);
  const deadLetters = new DeadLetters(source.backend, source.logger);
  const snapshots = new Snapshots();
  const streams = new Set<ServerResponse>();
  const assetCache = new Map<string, Buffer>();

  const app = (name: string): ConsoleApplication | undefined => source.applications().find((a) => a.name === name);
  const dlqTopics = (): Array<{ app: string; topic: string }> =>
    source.applications().flatMap((a) => {
      const topic = source.deadLetterTopic(a.applicationId);
      return topic !== undefined ? [{ app: a.name, topic }] : [];
    });
  const html = (reply: FastifyReply, text: string): FastifyReply => reply.type('text/html; charset=utf-8').send(text);
  const appOptions = (): string => options(source.applications().map((a) => ({ value: a.name, label: `${a.name} (${a.applicationId})` })));

  // Open event streams would keep the server from closing; end them first.
  server.addHook('preClose', (done) => {
    for (const res of streams) res.end();
    streams.clear();
    done();
  });

  server.get('/console', (_request, reply) => reply.redirect('/console/applications'));
  server.get('/console/applications', (_request, reply) =>
    html(reply, page('applications', '<div id="apps" aria-busy="true"><p>Waiting for the first update…</p></div>')),
  );
  server.get('/console/topology', (_request, reply) =>
    html(
      reply,
      page(
        'topology',
        `<form id="pick"><label for="app">Application</label> <select id="app" name="app">${appOptions()}</select> <button type="submit">Draw</button></form>
<p class="legend">Boxes: <span class="k-source">source</span> <span class="k-processor">processor</span> <span class="k-sink">sink</span> <span class="k-topic">topic</span> <span class="k-internal-topic">internal topic</span> <span class="k-store">store</span>. Records/s is per application (the runtime counts per instance, not per node).</p>
<p id="live"></p><div id="graph"></div><div id="summary"></div>
<details><summary>Text form (Topology.describe())</summary><pre id="text"></pre></details>`,
        ['dagre.min.js'],
      ),
    ),
  );
  server.get('/console/topics', (_request, reply) =>
    html(
      reply,
      page(
        'topics',
        `<section aria-labelledby="tail-h"><h2 id="tail-h">Recent records</h2>
<form id="tail"><label for="topic">Topic</label> <select id="topic" name="topic"></select>
<label for="key">Key</label> <input id="key" name="key"> <label for="text">Value contains</label> <input id="text" name="text">
<label for="limit">Records</label> <input id="limit" name="limit" type="number" min="1" max="1000" value="20"> <button type="submit">Show records</button></form>
<div id="records"></div></section>
<section aria-labelledby="list-h"><h2 id="list-h">All topics</h2><div id="topics"></div></section>`,
      ),
    ),
  );
  server.get('/console/stores', (_request, reply) => {
    const stores = source.applications().flatMap((a) => topologyGraph(a.applicationId, a.topology).stores.map((s) => ({ value: `${a.name}/${s.name}`, label: `${s.name} (${a.name})` })));
    return html(
      reply,
      page(
        'stores',
        `<form id="browse"><label for="store">Store</label> <select id="store" name="store">${options(stores)}</select>
<label for="key">Key</label> <input id="key" name="key"> <label for="from">From key</label> <input id="from" name="from"> <label for="to">To key</label> <input id="to" name="to">
<label for="limit">Entries</label> <input id="limit" name="limit" type="number" min="1" max="1000" value="20"> <button type="submit">Browse</button></form>
<p class="hint">A key shows that entry; from/to a range (either may be empty); nothing the first entries. Key-value stores of this instance only.</p><div id="entries"></div>`,
      ),
    );
  });
  server.get('/console/dead-letters', (_request, reply) =>
    html(
      reply,
      page(
        'dead-letters',
        `<form id="pick"><label for="topic">Dead-letter topic</label> <select id="topic" name="topic">${options(dlqTopics().map((d) => ({ value: d.topic, label: `${d.topic} (${d.app})` })))}</select>
<label for="key">Key</label> <input id="key" name="key"> <button type="submit">Show dead letters</button></form>
<form id="redrive"><div id="letters"></div><button type="button" id="select-all">Select all shown</button> <button type="submit" id="redrive-button">Redrive selected</button></form>`,
      ),
    ),
  );
  server.get('/console/flow', (_request, reply) =>
    html(
      reply,
      page(
        'flow',
        `<form id="follow"><label for="id">Order id</label> <input id="id" name="id" required> <button type="submit" name="mode" value="history">History</button> <button type="submit" name="mode" value="watch">Watch live</button></form>
<p class="hint">Topics read: ${source.flowTopics.map((t) => `<code>${escapeHtml(t)}</code>`).join(', ')}. <strong>History</strong> lists what the topics hold, by record timestamp — Kafka Streams gives derived records their input's timestamp, so it shows order, not durations. <strong>Watch live</strong> waits for records about the id (post the order after starting it) and times each one by when it became readable.</p><div id="flow"></div>`,
      ),
    ),
  );

  server.get<{ Params: { file: string } }>('/console/assets/:file', (request, reply) => {
    const file = request.params.file;
    if (file === 'dagre.min.js') return reply.type('text/javascript; charset=utf-8').send(cached(assetCache, file, () => readFileSync(DAGRE_FILE)));
    if (!ASSET_FILES.includes(file)) return reply.code(404).send({ error: `No console asset ${file}` });
    const type = file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    return reply.type(type).send(cached(assetCache, file, () => readFileSync(new URL(file, ASSETS))));
  });

  server.get('/console/api/applications', () => snapshots.take(source.applications()));

  server.get('/console/api/events', (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    streams.add(res);
    // Each stream keeps its own rate baseline, so two open screens do not halve each other's records/s.
    const own = new Snapshots();
    const push = (): void => {
      if (!res.writableEnded) res.write(`event: applications\ndata: ${JSON.stringify(own.take(source.applications()))}\n\n`);
    };
    push();
    const timer = setInterval(push, EVENTS_INTERVAL_MS);
    const stop = (): void => {
      clearInterval(timer);
      streams.delete(res);
    };
    request.raw.on('close', stop);
    res.on('close', stop);
  });

  server.get<{ Params: { app: string } }>('/console/api/topology/:app', (request, reply) => {
    const a = app(request.params.app);
    if (a === undefined) return reply.code(404).send({ error: `No application ${request.params.app}` });
    return topologyGraph(a.applicationId, a.topology);
  });

  server.get('/console/api/topics', () => topics.list());

  server.get<{ Params: { topic: string } }>('/console/api/topics/:topic/records', async (request, reply) => {
    const q = RecordsQuery.safeParse(request.query);
    if (!q.success) return reply.code(400).send({ error: q.error.issues[0]?.message ?? 'bad query' });
    return orNotFound(reply, () => topics.tail(request.params.topic, q.data.limit, { key: q.data.key, text: q.data.text }));
  });

  server.get('/console/api/dead-letters', () => dlqTopics());

  server.get<{ Params: { topic: string } }>('/console/api/dead-letters/:topic', async (request, reply) => {
    if (!dlqTopics().some((d) => d.topic === request.params.topic)) return reply.code(404).send({ error: `${request.params.topic} is not a dead-letter topic of this process` });
    const q = RecordsQuery.safeParse(request.query);
    if (!q.success) return reply.code(400).send({ error: q.error.issues[0]?.message ?? 'bad query' });
    return orNotFound(reply, () => deadLetters.list(request.params.topic, q.data.limit, { key: q.data.key, text: q.data.text }));
  });

  server.post<{ Params: { topic: string } }>('/console/api/dead-letters/:topic/redrive', async (request, reply) => {
    // Only dead-letter topics: the console must not become a way to copy records between arbitrary topics.
    if (!dlqTopics().some((d) => d.topic === request.params.topic)) return reply.code(404).send({ error: `${request.params.topic} is not a dead-letter topic of this process` });
    const body = RedriveBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ error: body.error.issues[0]?.message ?? 'bad body' });
    return orNotFound(reply, () => deadLetters.redrive(request.params.topic, body.data.records, request.ip));
  });

  server.get<{ Params: { app: string; store: string } }>('/console/api/stores/:app/:store', (request, reply) => {
    const a = app(request.params.app);
    const running = a?.streams();
    if (a === undefined || running === undefined) return reply.code(404).send({ error: `No application ${request.params.app}` });
    const q = StoreQuery.safeParse(request.query);
    if (!q.success) return reply.code(400).send({ error: q.error.issues[0]?.message ?? 'bad query' });
    try {
      return browseStore(running, request.params.store, q.data);
    } catch (error) {
      if (error instanceof StoreNotBrowsable) return reply.code(400).send({ error: error.message });
      throw error;
    }
  });

  server.get<{ Params: { id: string } }>('/console/api/flow/:id', (request) => followKey(source.backend, source.flowTopics, request.params.id));

  // Server-sent events: `ready` once the tail is positioned, a `step` per record about the id, `end` at the outcome.
  server.get<{ Params: { id: string } }>('/console/api/flow/:id/watch', (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    streams.add(res);
    const abort = new AbortController();
    const send = (event: string, data: unknown): void => {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    // A comment line now and then: the server closes sockets silent for longer than its connection timeout.
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': waiting\n\n');
    }, HEARTBEAT_MS);
    res.on('close', () => {
      clearInterval(heartbeat);
      abort.abort();
      streams.delete(res);
    });
    watchKey(source.backend, source.flowTopics, request.params.id, {
      onReady: () => send('ready', { topics: source.flowTopics }),
      onStep: (step) => send('step', step),
      stop: (step) => step.topic === source.flowTopics[0] && /"state":"(VALIDATED|FAILED)"/.test(step.value ?? ''),
      signal: abort.signal,
      maxMs: WATCH_MAX_MS,
    })
      .then(() => send('end', {}))
      .catch((error: unknown) => {
        source.logger.warn({ err: String(error), id: request.params.id }, 'console: watching a flow failed');
        send('failed', { error: 'watching failed' });
      })
      .finally(() => {
        streams.delete(res);
        res.end();
      });
  });

}

/** Runs `read`, answering 404 when the topic asked about does not exist. */
async function orNotFound<T>(reply: FastifyReply, read: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof UnknownConsoleTopic) return reply.code(404).send({ error: error.message });
    throw error;
  }
}

function cached(cache: Map<string, Buffer>, file: string, load: () => Buffer): Buffer {
  let bytes = cache.get(file);
  if (bytes === undefined) {
    bytes = load();
    cache.set(file, bytes);
  }
  return bytes;
}
