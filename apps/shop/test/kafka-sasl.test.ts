/**
 * The shop on a cluster that requires SASL authentication: the test runner's broker also listens with
 * SASL_PLAINTEXT and SCRAM-SHA-256 (tools/kafka/kafka.sh, KAFKA_SASL_PORT) and tells where through
 * KAFKA_SASL_BOOTSTRAP_SERVERS, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE. The shop is configured exactly as
 * an operator would (environment variables), places an order through to its outcome, and nothing it logs holds the
 * password. In CI the listener must be there: a missing one fails rather than skips.
 */
import { Writable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createKafkaBackend, type Backend } from '@tributary/streams';
import { openBackend } from '../src/backend.js';
import { loadConfig, type ShopConfig } from '../src/config.js';
import { runtimeFromConfig } from '../src/services/service-runtime.js';
import { startShop, type RunningShop } from '../src/shop.js';
import { runId, tempDir } from './support.js';

const saslServers = process.env['KAFKA_SASL_BOOTSTRAP_SERVERS'] || undefined;
const username = process.env['KAFKA_SASL_USERNAME'] || undefined;
const passwordFile = process.env['KAFKA_SASL_PASSWORD_FILE'] || undefined;
const inCI = process.env['CI'] === 'true' || process.env['CI'] === '1';
const WAIT_MS = 60_000;

if (saslServers === undefined || username === undefined || passwordFile === undefined) {
  if (inCI && process.env['TRIBUTARY_KAFKA'] === '1') {
    describe('the shop on a SASL/SCRAM cluster', () => {
      it('has a SASL listener to run against', () => {
        assert.fail('KAFKA_SASL_BOOTSTRAP_SERVERS, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE must be set in CI (scripts/run-tests.mjs sets them)');
      });
    });
  }
} else {
  const password = readFileSync(passwordFile, 'utf8').trim();

  describe('the shop on a SASL/SCRAM cluster', { timeout: 240_000 }, () => {
    const dir = tempDir('sasl');
    const logged: string[] = [];
    let config: ShopConfig;
    let backend: Backend;
    let shop: RunningShop;

    before(async () => {
      config = loadConfig({
        DATA_DIR: dir.path,
        KAFKA_BOOTSTRAP_SERVERS: saslServers,
        KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
        KAFKA_SASL_USERNAME: username,
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
        COMMIT_INTERVAL_MS: '100',
        LOG_LEVEL: 'debug',
      });
      // Everything the shop and the library log, at debug, kept to be searched for the password.
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          logged.push(chunk.toString('utf8'));
          done();
        },
      });
      const logger = pino({ level: 'debug' }, sink);
      backend = await openBackend(config);
      shop = await startShop(runtimeFromConfig(config, backend, logger));
      for (const app of shop.apps.values()) await app.waitForRunning(WAIT_MS);
    });

    after(async () => {
      await shop?.close();
      await backend?.close();
      dir.remove();
    });

    it('reads the password from its file and takes it nowhere else', () => {
      assert.equal(config.kafkaSecurity?.protocol, 'SASL_PLAINTEXT');
      assert.equal(config.kafkaSecurity?.sasl?.username, username);
      assert.equal(config.kafkaSecurity?.sasl?.password, password);
      assert.doesNotMatch(JSON.stringify({ ...config, kafkaSecurity: undefined }), new RegExp(password));
    });

    it('places an order through to its outcome over the authenticated listener', async () => {
      const put = await shop.server.inject({ method: 'PUT', url: '/v1/inventory/JUMPERS', payload: { quantity: 1_000_000 } });
      assert.equal(put.statusCode, 200);
      const order = { id: `sasl-${runId}`, customerId: Date.now(), product: 'JUMPERS', quantity: 1, price: 3 };
      assert.equal((await shop.server.inject({ method: 'POST', url: '/v1/orders', payload: order })).statusCode, 201);
      const outcome = await shop.server.inject({ method: 'GET', url: `/v1/orders/${order.id}/validated?timeout=${WAIT_MS}` });
      assert.equal(outcome.statusCode, 200);
      assert.equal((outcome.json() as { state: string }).state, 'VALIDATED');
      assert.equal((await shop.server.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    });

    it('the library reaches the same listener through its typed security settings', async () => {
      const direct = await createKafkaBackend({ bootstrapServers: saslServers, security: { protocol: 'SASL_PLAINTEXT', sasl: { mechanism: 'SCRAM-SHA-256', username, password } } });
      try {
        const admin = direct.admin();
        const topic = `sasl-roundtrip-${runId}`;
        await admin.createTopics([{ name: topic, numPartitions: 1 }]);
        await admin.close();
        const producer = await direct.createProducer({ clientId: `sasl-producer-${runId}` });
        producer.send({ topic, key: Buffer.from('k'), value: Buffer.from('over SCRAM') });
        await producer.flush();
        await producer.close();
        const consumer = await direct.createConsumer({ clientId: `sasl-consumer-${runId}`, isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
        await consumer.assign([{ topic, partition: 0, offset: -1 }]);
        const deadline = Date.now() + WAIT_MS;
        const values: string[] = [];
        while (values.length === 0 && Date.now() < deadline) for (const r of await consumer.poll(500, 10)) values.push(r.value?.toString('utf8') ?? '');
        await consumer.close();
        assert.deepEqual(values, ['over SCRAM']);
      } finally {
        await direct.close();
      }
    });

    it('logged nothing that holds the password', () => {
      assert.ok(logged.length > 0, 'the shop logged something at debug');
      assert.equal(
        logged.filter((line) => line.includes(password)).length,
        0,
      );
    });
  });
}
