/** Environment parsing: defaults, derived paths, and errors that name the variable. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.js';
import { DEFAULT_EXACTLY_ONCE_COMMIT_INTERVAL_MS } from '../src/services/service-runtime.js';

describe('shop config', () => {
  it('defaults to port 8080 and the embedded log under ./data', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    // Only this machine can reach a shop started without HOST.
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.kafkaBootstrapServers, undefined);
    assert.equal(config.dataDir, resolve('./data'));
    assert.equal(config.logDir, join(resolve('./data'), 'log'));
    assert.equal(config.stateDir, join(resolve('./data'), 'state'));
    assert.equal(config.commitIntervalMs, undefined);
    assert.equal(config.exactlyOnceCommitIntervalMs, DEFAULT_EXACTLY_ONCE_COMMIT_INTERVAL_MS);
  });

  it('gives the exactly-once apps their own commit interval', () => {
    const config = loadConfig({ COMMIT_INTERVAL_MS: '1000', EXACTLY_ONCE_COMMIT_INTERVAL_MS: '10' });
    assert.equal(config.commitIntervalMs, 1000);
    assert.equal(config.exactlyOnceCommitIntervalMs, 10);
    assert.throws(() => loadConfig({ EXACTLY_ONCE_COMMIT_INTERVAL_MS: 'soon' }), /EXACTLY_ONCE_COMMIT_INTERVAL_MS must be a number/);
  });

  it('reads every variable and treats empty ones as unset', () => {
    const config = loadConfig({ PORT: '9000', DATA_DIR: '/tmp/x', KAFKA_BOOTSTRAP_SERVERS: 'a:1,b:2', COMMIT_INTERVAL_MS: '50', APPLICATION_SERVER: 'h:9000', FORWARD_SECRET: 'sixteen-chars-at-least', LONG_POLL_MAX: '10', LOG_LEVEL: '' });
    assert.equal(config.port, 9000);
    assert.equal(config.logDir, '/tmp/x/log');
    assert.equal(config.kafkaBootstrapServers, 'a:1,b:2');
    assert.equal(config.commitIntervalMs, 50);
    // COMMIT_INTERVAL_MS covers the exactly-once apps too unless they have their own.
    assert.equal(config.exactlyOnceCommitIntervalMs, 50);
    assert.equal(config.applicationServer, 'h:9000');
    assert.equal(config.logLevel, 'info');
    assert.equal(config.forwardSecret, 'sixteen-chars-at-least');
    assert.equal(config.longPollMaxTotal, 10);
  });

  it('reads LOG_TOPIC_DEFAULTS for the embedded log, naming a bad setting, and refuses it on Kafka', () => {
    assert.deepEqual(loadConfig({}).logTopicDefaults, {});
    assert.deepEqual(loadConfig({ LOG_TOPIC_DEFAULTS: 'retention.ms=120000, segment.bytes=8388608,delete.retention.ms=0' }).logTopicDefaults, {
      'retention.ms': '120000',
      'segment.bytes': '8388608',
      'delete.retention.ms': '0',
    });
    assert.throws(() => loadConfig({ LOG_TOPIC_DEFAULTS: 'cleanup.policy=compact' }), /LOG_TOPIC_DEFAULTS: cleanup.policy is not one of retention.ms/);
    assert.throws(() => loadConfig({ LOG_TOPIC_DEFAULTS: 'segment.bytes=0' }), /LOG_TOPIC_DEFAULTS: segment.bytes must be an integer >= 1/);
    assert.throws(() => loadConfig({ LOG_TOPIC_DEFAULTS: 'retention.ms' }), /LOG_TOPIC_DEFAULTS: retention.ms must be an integer >= -1/);
    assert.throws(() => loadConfig({ LOG_TOPIC_DEFAULTS: 'retention.ms=60000', KAFKA_BOOTSTRAP_SERVERS: 'k:9092' }), /LOG_TOPIC_DEFAULTS: is for the embedded log/);
  });

  it('reads WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS, unset by default (the library keeps its day)', () => {
    assert.equal(loadConfig({}).windowChangelogAdditionalRetentionMs, undefined);
    assert.equal(loadConfig({ WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS: '60000' }).windowChangelogAdditionalRetentionMs, 60_000);
    assert.throws(() => loadConfig({ WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS: '-1' }), /WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS must be 0 or more/);
    assert.throws(() => loadConfig({ WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS: 'a day' }), /WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS must be a number/);
  });

  it('requires a shared FORWARD_SECRET when instances route to each other', () => {
    assert.throws(() => loadConfig({ APPLICATION_SERVER: 'h:9000' }), /FORWARD_SECRET is required with APPLICATION_SERVER/);
    assert.throws(() => loadConfig({ APPLICATION_SERVER: 'h:9000', FORWARD_SECRET: 'short' }), /FORWARD_SECRET must have at least 16/);
  });

  it('reads TLS and SASL settings for Kafka, and names what is missing without showing a secret', () => {
    const base = { KAFKA_BOOTSTRAP_SERVERS: 'k:9093' };
    const sasl = loadConfig({ ...base, KAFKA_SECURITY_PROTOCOL: 'sasl_ssl', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'shop', KAFKA_SASL_PASSWORD: ' s3cret ', KAFKA_SSL_CA_LOCATION: '/ca.pem' });
    assert.deepEqual(sasl.kafkaSecurity, {
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'shop', password: ' s3cret ' },
      ssl: { caLocation: '/ca.pem' },
    });
    assert.equal(loadConfig(base).kafkaSecurity, undefined);
    assert.throws(
      () => loadConfig({ ...base, KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_PASSWORD: 'hunter2-hunter2' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /KAFKA_SASL_MECHANISM/);
        assert.match(error.message, /KAFKA_SASL_USERNAME/);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      },
    );
    assert.throws(() => loadConfig({ ...base, KAFKA_SASL_USERNAME: 'shop' }), /KAFKA_SASL_USERNAME: is set but KAFKA_SECURITY_PROTOCOL=PLAINTEXT/);
    assert.throws(() => loadConfig({ ...base, KAFKA_SECURITY_PROTOCOL: 'TLS' }), /KAFKA_SECURITY_PROTOCOL: must be one of/);
    assert.throws(() => loadConfig({ KAFKA_SECURITY_PROTOCOL: 'SSL' }), /KAFKA_BOOTSTRAP_SERVERS is not/);
    assert.throws(
      () => loadConfig({ ...base, KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: '/nonexistent/pw' }),
      /KAFKA_SASL_PASSWORD_FILE: cannot be read/,
    );
  });

  it('names each bad variable', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty', KAFKA_BOOTSTRAP_SERVERS: 'nohost' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /PORT/);
      assert.match(error.message, /KAFKA_BOOTSTRAP_SERVERS/);
      return true;
    });
    assert.throws(() => loadConfig({ PORT: '70000' }), /PORT must be between 0 and 65535/);
  });
});
