/**
 * The Kafka backend's settings, without a broker: TLS/SASL settings map to librdkafka's properties, and
 * `clientConfig` cannot override what exactly-once and offset management depend on (a clear error, at creation).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkClientConfig, consumerConfig, KafkaConfigError, producerConfig, PROTECTED_CLIENT_KEYS, securityConfig } from '../../../src/backend/kafka/config.js';
import { createKafkaBackend } from '../../../src/backend/kafka/index.js';
import { StreamsBuilder } from '../../../src/dsl/index.js';
import { KafkaStreams } from '../../../src/runtime/index.js';

const SECRET = 'correct-horse-battery-staple';

describe('Kafka backend settings', () => {
  it('refuses, at creation and naming the key, a clientConfig that overrides a setting exactly-once depends on', () => {
    for (const key of ['enable.idempotence', 'isolation.level', 'transactional.id', 'group.id', 'enable.auto.commit', 'acks', 'partitioner']) {
      assert.ok(PROTECTED_CLIENT_KEYS.has(key), key);
      assert.throws(
        () => createKafkaBackend({ bootstrapServers: '127.0.0.1:1', clientConfig: { [key]: 'x' } }),
        (error: unknown) => error instanceof KafkaConfigError && error.message.includes(`'${key}'`),
        key,
      );
    }
    // KafkaStreams, which creates its backend only when it starts, refuses it when constructed.
    const builder = new StreamsBuilder();
    builder.stream('in').to('out');
    assert.throws(
      () => new KafkaStreams(builder.build(), { applicationId: 'protected-keys', bootstrapServers: '127.0.0.1:1', clientConfig: { 'enable.auto.commit': true } }),
      (error: unknown) => error instanceof KafkaConfigError && error.message.includes("'enable.auto.commit'"),
    );
    // Tuning the defaults stays possible, and wins over them.
    checkClientConfig({ 'linger.ms': 20, 'queued.min.messages': 1000 });
    assert.equal(producerConfig('h:1', { clientId: 'p' }, { 'linger.ms': 20 })['linger.ms'], 20);
    assert.equal(consumerConfig('h:1', { clientId: 'c', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' }, { 'queued.min.messages': 1000 })['queued.min.messages'], 1000);
  });

  it('maps SASL and TLS settings to librdkafka properties on every client', () => {
    const security = securityConfig({ protocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-256', username: 'shop', password: SECRET }, ssl: { caLocation: '/ca.pem', verifyHostname: false } });
    assert.deepEqual(security, {
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'SCRAM-SHA-256',
      'sasl.username': 'shop',
      'sasl.password': SECRET,
      'ssl.ca.location': '/ca.pem',
      'ssl.endpoint.identification.algorithm': 'none',
    });
    const producer = producerConfig('h:1', { clientId: 'p', transactionalId: 't' }, {}, security);
    assert.equal(producer['security.protocol'], 'sasl_ssl');
    assert.equal(producer['enable.idempotence'], true);
    const consumer = consumerConfig('h:1', { clientId: 'c', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' }, {}, security);
    assert.equal(consumer['sasl.username'], 'shop');
    assert.deepEqual(securityConfig(undefined), {});
    assert.deepEqual(securityConfig({ protocol: 'SSL' }), { 'security.protocol': 'ssl' });
  });

  it('refuses settings that do not fit together, without the secret in the message', () => {
    const cases = [
      { protocol: 'SASL_PLAINTEXT' as const },
      { protocol: 'PLAINTEXT' as const, sasl: { mechanism: 'PLAIN' as const, username: 'u', password: SECRET } },
      { protocol: 'SASL_PLAINTEXT' as const, sasl: { mechanism: 'GSSAPI' as never, username: 'u', password: SECRET } },
      { protocol: 'SASL_PLAINTEXT' as const, sasl: { mechanism: 'PLAIN' as const, username: '', password: SECRET } },
      { protocol: 'SASL_PLAINTEXT' as const, sasl: { mechanism: 'PLAIN' as const, username: 'u', password: SECRET }, ssl: { caLocation: '/ca.pem' } },
      { protocol: 'TLS' as never },
    ];
    for (const security of cases) {
      assert.throws(
        () => createKafkaBackend({ bootstrapServers: '127.0.0.1:1', security }),
        (error: unknown) => error instanceof KafkaConfigError && !error.message.includes(SECRET),
        JSON.stringify(security.protocol),
      );
    }
    // With typed security settings, clientConfig cannot set others behind them (without, it may: KafkaStreams passes
    // only clientConfig through).
    checkClientConfig({ 'security.protocol': 'sasl_ssl', 'sasl.password': SECRET });
    const security = { protocol: 'SASL_PLAINTEXT' as const, sasl: { mechanism: 'PLAIN' as const, username: 'u', password: 'p' } };
    assert.throws(() => createKafkaBackend({ bootstrapServers: '127.0.0.1:1', security, clientConfig: { 'sasl.password': SECRET } }), (error: unknown) => {
      assert.ok(error instanceof KafkaConfigError);
      assert.match(error.message, /'sasl\.password'.*security/);
      assert.doesNotMatch(error.message, new RegExp(SECRET));
      return true;
    });
  });
});
