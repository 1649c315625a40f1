/**
 * Races on the command side, against two shop instances sharing the work (each runs the inventory and registration
 * services and the HTTP API with its views, so every service has two instances splitting the 4 partitions), on the
 * embedded log and, when KAFKA_BOOTSTRAP_SERVERS is set, on Apache Kafka. Requests go to either instance over real
 * sockets; results are long-polled from either (routed to the owner).
 * - 1,000 concurrent registrations over 100 distinct emails: exactly 100 accepted, one per email, never two owners,
 *   every command answered.
 * - 200 concurrent RESERVE/REMOVE commands on one product: stock never negative, every command answered, and the
 *   event log folds to the read model's state.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createEmbeddedBackend, createKafkaBackend, type Backend } from '@tributary/streams';
import type { InventoryEvent } from '../src/inventory/schemas.js';
import { normaliseEmail } from '../src/registrations/schemas.js';
import { startShop, type RunningShop } from '../src/shop.js';
import { TOPICS } from '../src/topics.js';
import { kafkaBootstrapServers, quietLogger, readRawTopic, runId, tempDir } from './support.js';

const WAIT_MS = 60_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly location: string | null;
}

async function http(port: number, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {}, location: res.headers.get('location') };
}

/** Long-polls `location` (on alternating instances) until it answers 200 or the deadline passes. */
async function resultOf(ports: readonly number[], location: string, i: number): Promise<Answer> {
  const deadline = Date.now() + WAIT_MS;
  let answer: Answer;
  let n = i;
  do {
    answer = await http(ports[n++ % ports.length] ?? 0, 'GET', `${location}?timeout=10000`);
  } while (answer.status !== 200 && Date.now() < deadline);
  return answer;
}

const targets: Array<{ name: string; open: (dir: string) => Promise<Backend>; commitIntervalMs: number }> = [
  { name: 'embedded', open: async (dir) => createEmbeddedBackend({ dataDir: join(dir, 'log'), autoCreateTopics: false }), commitIntervalMs: 50 },
];
if (kafkaBootstrapServers !== undefined) {
  const bootstrapServers = kafkaBootstrapServers;
  targets.push({ name: 'kafka', open: () => createKafkaBackend({ bootstrapServers }), commitIntervalMs: 100 });
}

for (const target of targets) {
  describe(`command races on ${target.name}, two instances`, { timeout: 240_000 }, () => {
    const dir = tempDir(`races-${target.name}`);
    let backend: Backend;
    const shops: RunningShop[] = [];
    const ports: number[] = [];

    before(async () => {
      backend = await target.open(dir.path);
      for (const name of ['a', 'b']) {
        const port = await freePort();
        const shop = await startShop({
          backend,
          stateDir: join(dir.path, name),
          logger: quietLogger,
          commitIntervalMs: target.commitIntervalMs,
          services: ['inventory', 'registrations'],
          applicationServer: `127.0.0.1:${port}`,
          forwardSecret: 'races-test-shared-secret',
          longPollLimits: { maxTotal: 10_000, maxPerClient: 10_000 },
        });
        shops.push(shop);
        ports.push(port);
        await shop.server.listen({ port, host: '127.0.0.1' });
      }
      for (const shop of shops) for (const app of shop.apps.values()) await app.waitForRunning(WAIT_MS);
      // Routing means something only once both instances know who owns every task of the views.
      const tasksKnown = (s: RunningShop): number => s.commands.app.allMetadata().reduce((n, i) => n + i.activeTasks.length, 0);
      const deadline = Date.now() + WAIT_MS;
      const split = (): boolean =>
        ['inventory', 'registrations'].every((service) => shops.every((s) => (s.apps.get(service)?.app.metrics().tasks.length ?? 0) > 0));
      while ((Math.min(...shops.map(tasksKnown)) < 16 || !split()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(split(), 'both instances of each command processor own tasks');
    });

    after(async () => {
      for (const shop of shops.reverse()) await shop.close();
      await backend?.close();
      dir.remove();
    });

    it('1,000 concurrent registrations over 100 emails: exactly 100 accepted, never two owners', async () => {
      const emails = Array.from({ length: 100 }, (_, i) => `user${i}-${runId}@example.com`);
      const posted = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => {
          // Spelled differently by different customers: the same address all the same.
          const email = i % 3 === 0 ? `  ${(emails[i % 100] ?? '').toUpperCase()}` : (emails[i % 100] ?? '');
          return http(ports[i % 2] ?? 0, 'POST', '/v1/registrations', { customerId: `c${i}-${runId}`, email, username: `u${i}-${runId}` });
        }),
      );
      assert.deepEqual(new Set(posted.map((p) => p.status)), new Set([202]));
      const results = await Promise.all(posted.map((p, i) => resultOf(ports, p.location ?? '', i + 1)));
      assert.deepEqual(
        results.filter((r) => r.status !== 200).map((r) => r.status),
        [],
        'every command answered',
      );
      const accepted = results.filter((r) => r.body['status'] === 'ACCEPTED');
      assert.equal(accepted.length, 100);
      const owners = new Map<string, string>();
      for (const r of accepted) {
        const email = normaliseEmail(String(r.body['email']));
        assert.equal(owners.has(email), false, `two owners of ${email}`);
        owners.set(email, String(r.body['customerId']));
      }
      assert.equal(owners.size, 100);
      for (const r of results.filter((x) => x.body['status'] === 'REJECTED')) assert.match(String(r.body['reason']), /^email .* is already taken/);
      // Both instances name the same owner for every email.
      for (const [email, customerId] of owners) {
        for (const port of ports) {
          const deadline = Date.now() + WAIT_MS;
          let owner = await http(port, 'GET', `/v1/customers/by-email/${encodeURIComponent(email)}`);
          while (owner.body['customerId'] !== customerId && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 50));
            owner = await http(port, 'GET', `/v1/customers/by-email/${encodeURIComponent(email)}`);
          }
          assert.equal(owner.body['customerId'], customerId, email);
        }
      }
    });

    it('200 concurrent RESERVE/REMOVE commands on one product: never negative, and the events replay to the read model', async () => {
      const product = `9${String(Date.now()).slice(-13)}`;
      const put = await http(ports[0] ?? 0, 'PUT', `/v1/inventory/${product}`, { quantity: 100 });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const commands = Array.from({ length: 200 }, (_, i) => ({ type: i % 2 === 0 ? 'RESERVE' : 'REMOVE', quantity: 1 + (i % 3) }));
      const posted = await Promise.all(commands.map((c, i) => http(ports[i % 2] ?? 0, 'POST', `/v1/inventory/${product}/commands`, c)));
      assert.deepEqual(new Set(posted.map((p) => p.status)), new Set([202]));
      const results = await Promise.all(posted.map((p, i) => resultOf(ports, p.location ?? '', i)));
      assert.deepEqual(
        results.filter((r) => r.status !== 200).map((r) => r.status),
        [],
        'every command answered',
      );
      let removed = 0;
      let reserved = 0;
      results.forEach((r, i) => {
        if (r.body['status'] !== 'ACCEPTED') return;
        const c = commands[i];
        if (c?.type === 'RESERVE') reserved += c.quantity;
        else removed += c?.quantity ?? 0;
      });
      // Demand (400) exceeds stock (100): the stock ran out, and not one unit more was handed out.
      assert.equal(reserved + removed, 100);
      const stock = await http(ports[1] ?? 0, 'GET', `/v1/inventory/${product}`);
      assert.deepEqual(stock.body, { product, quantity: reserved, reserved, available: 0 });

      const records = await readRawTopic(backend, TOPICS.inventoryEvents, (rs) => rs.filter((r) => r.key?.toString('utf8') === product).length >= 201, WAIT_MS);
      const events = records.filter((r) => r.key?.toString('utf8') === product).map((r) => JSON.parse(r.value?.toString('utf8') ?? 'null') as InventoryEvent);
      assert.equal(events.length, 201);
      assert.equal(new Set(events.map((e) => e.commandId)).size, 201, 'no command applied twice');
      for (const e of events) assert.ok(e.available >= 0 && e.reserved >= 0, JSON.stringify(e));
      const replayed = events.filter((e) => e.type !== 'REJECTED').at(-1);
      assert.deepEqual({ available: replayed?.available, reserved: replayed?.reserved }, { available: 0, reserved });
    });
  });
}
