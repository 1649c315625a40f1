/**
 * The standard alternative on real Kafka: Kafka Connect with Debezium's PostgreSQL connector and its outbox
 * EventRouter (tools/connect/connect.sh), on the same outbox table the shop's relay reads. Runs with the real-broker
 * suites (scripts/run-tests.mjs always provides a broker; CI fails without one). The worker's JVM takes ~25 s to
 * start on the shared 2-core machine.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createKafkaBackend, type Backend } from '@tributary/streams';
import { CustomerStore } from '../src/customers/customer-store.js';
import type { Customer } from '../src/schemas.js';
import { ensureTopics, TOPICS } from '../src/topics.js';
import { repoRoot, startTestPostgres, type TestPostgres } from './pg-support.js';
import { readTopic, waitFor } from './relay-support.js';
import { kafkaBootstrapServers, runId, uniqueCustomerId } from './support.js';

const script = join(repoRoot, 'tools', 'connect', 'connect.sh');

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

const bootstrapServers = kafkaBootstrapServers;
if (bootstrapServers !== undefined) {
  describe('Kafka Connect + Debezium outbox EventRouter (real Kafka)', () => {
    let postgres: TestPostgres | undefined;
    let backend: Backend | undefined;
    let store: CustomerStore | undefined;
    let env: NodeJS.ProcessEnv | undefined;
    const connector = `outbox-${runId}`;

    const connect = (command: string): void => {
      const result = spawnSync('bash', [script, command], { env, encoding: 'utf8', timeout: 600_000 });
      if (result.status !== 0) throw new Error(`connect.sh ${command} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
    };

    before(async () => {
      postgres = await startTestPostgres();
      backend = await createKafkaBackend({ bootstrapServers });
      await ensureTopics(backend);
      // The outbox table and its publication, as the shop creates them.
      store = await CustomerStore.open(postgres.url);
      let port = 18100 + (process.pid % 300);
      while (!(await portFree(port))) port += 1;
      env = {
        ...process.env,
        CONNECT_PORT: String(port),
        CONNECT_BOOTSTRAP_SERVERS: bootstrapServers,
        CONNECT_DATA_DIR: join(repoRoot, '.connect', `test-${port}`),
        DATABASE_URL: postgres.url,
        CONNECTOR_NAME: connector,
      };
      connect('start');
      connect('register');
    });
    after(async () => {
      try {
        if (env !== undefined) {
          spawnSync('bash', [script, 'stop'], { env, stdio: 'ignore' });
          rmSync(env['CONNECT_DATA_DIR']!, { recursive: true, force: true });
        }
        await store?.close().catch(() => undefined);
        await backend?.close().catch(() => undefined);
      } finally {
        postgres?.destroy();
      }
    });

    it('routes each outbox row to the topic it names, keyed, a null value as a tombstone', async () => {
      const id = uniqueCustomerId();
      const person = (level: Customer['level']): Customer => ({ id, firstName: 'Ada', lastName: 'L', email: 'a@x', address: 'x', level });
      // The connector creates its slot when its task starts: changes before that are not its to publish.
      await waitFor(async () => {
        const r = await store!.pool.query('select 1 from pg_replication_slots where slot_name = $1 and active', [connector.replace(/-/g, '_')]);
        return r.rowCount === 1;
      }, 120_000);
      await store!.put(person('gold'));
      await store!.put(person('silver'));
      await store!.delete(id);
      const mine = async () => (await readTopic(backend!, TOPICS.customers)).filter((r) => r.key === String(id));
      await waitFor(async () => (await mine()).length >= 3, 120_000);
      const values = (await mine()).map((r) => (r.value === null ? null : (JSON.parse(r.value) as Customer).level));
      assert.deepEqual(values, ['gold', 'silver', null]);
    });
  });
}
