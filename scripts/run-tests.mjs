#!/usr/bin/env node
// Runs every test file (packages/*/test/**/*.test.ts, apps/*/test/**/*.test.ts) in one `node --test` run, so
// the summary (# tests / # pass / # fail) is printed once at the end.
//
//   node scripts/run-tests.mjs [filter...]   a filter is a file or folder path, or a substring of a file path
//
// Real-Kafka test variants run when KAFKA_BOOTSTRAP_SERVERS is set. When it is not, this script starts a
// throw-away local broker (tools/kafka/kafka.sh, on its own port and data directory), exports its address to
// the tests and stops it afterwards, also on failure or Ctrl-C. TRIBUTARY_KAFKA=1 tells the tests that the native
// Kafka client loads. The broker also opens a SASL_PLAINTEXT (SCRAM-SHA-256) listener for the tests against a
// secured cluster: KAFKA_SASL_BOOTSTRAP_SERVERS, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE tell them where.
// In CI (CI=true) a missing native client or a broker that does not start fails the run:
// a skipped real-broker suite must not look green there.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Per test: a hang fails with the test's name (see where the tests start). */
const TEST_TIMEOUT_MS = 300_000;

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const inCI = process.env.CI === 'true' || process.env.CI === '1';
const preferredPort = Number(process.env.TRIBUTARY_TEST_KAFKA_PORT ?? '19192');
const kafkaScript = join(root, 'tools', 'kafka', 'kafka.sh');

function log(message) {
  console.log(`[run-tests] ${message}`);
}

function loud(message) {
  const bar = '!'.repeat(100);
  console.error(`\n${bar}\n[run-tests] ${message}\n${bar}\n`);
}

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function collectTests() {
  const files = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const pkg of readdirSync(groupDir)) {
      const testDir = join(groupDir, pkg, 'test');
      if (existsSync(testDir) && statSync(testDir).isDirectory()) walk(testDir, files);
    }
  }
  return files.sort();
}

function applyFilters(files, filters) {
  if (filters.length === 0) return files;
  return files.filter((file) =>
    filters.some((filter) => {
      const asPath = resolve(process.cwd(), filter);
      if (existsSync(asPath)) return file === asPath || file.startsWith(asPath.endsWith('/') ? asPath : `${asPath}/`);
      return relative(root, file).includes(filter);
    }),
  );
}

function kafkaClientLoads() {
  const probe = spawnSync(process.execPath, ['-e', "require('@confluentinc/kafka-javascript')"], {
    cwd: root,
    encoding: 'utf8',
  });
  return { ok: probe.status === 0, detail: (probe.stderr || '').trim().split('\n').slice(0, 3).join('\n') };
}

/** Whether the broker's port and its controller port (port + 1; only `port` when `pair` is false) are free on 127.0.0.1. */
function portsFree(port, pair = true) {
  const one = (p) =>
    new Promise((resolvePromise) => {
      const srv = createServer();
      srv.once('error', () => resolvePromise(false));
      srv.listen(p, '127.0.0.1', () => srv.close(() => resolvePromise(true)));
    });
  return Promise.all([one(port), pair ? one(port + 1) : true]).then(([a, b]) => a && b);
}

/**
 * The preferred port unless something else holds it (a broker left running by another run, say): then the next
 * free pair, so a stray process cannot fail the suite.
 */
async function choosePort() {
  for (let port = preferredPort; port < preferredPort + 200; port += 2) {
    if (await portsFree(port)) return String(port);
    log(`port ${port} is busy; trying ${port + 2}`);
  }
  return String(preferredPort);
}

/** A free port for the broker's SASL listener, away from the client/controller pairs `choosePort` hands out. */
async function chooseSaslPort(testPort) {
  for (let port = testPort + 400; port < testPort + 600; port++) {
    if (await portsFree(port, false)) return String(port);
  }
  return String(testPort + 400);
}

function kafka(command, env, quiet = false) {
  return spawnSync('bash', [kafkaScript, command], { cwd: root, env, stdio: quiet ? 'ignore' : 'inherit' }).status === 0;
}

async function main() {
  const filters = process.argv.slice(2);
  const files = applyFilters(collectTests(), filters);
  if (files.length === 0) {
    console.error(`[run-tests] no test files match ${filters.length ? filters.join(' ') : '(none found)'}`);
    return 1;
  }

  // Library logs at warn during tests: the TAP output stays readable, failures still show why.
  const env = { TRIBUTARY_LOG_LEVEL: 'warn', ...process.env };
  let stopBroker;
  // A clone set up with a plain `npm install` may lack the native client, or have it built without the librdkafka
  // fixes in tools/librdkafka: build it (quick when nothing is missing), so `npm test` alone runs the real-broker
  // suites on the client they are meant for.
  spawnSync(process.execPath, [join(root, 'scripts', 'ensure-kafka-client.mjs')], { cwd: root, stdio: 'inherit' });
  const client = kafkaClientLoads();
  if (client.ok) {
    env.TRIBUTARY_KAFKA = '1';
  } else if (inCI) {
    console.error(
      '[run-tests] FAIL: the native Kafka client @confluentinc/kafka-javascript cannot be loaded, so the ' +
        `real-broker tests cannot run.\n${client.detail}\nInstall it (it builds librdkafka from source: needs ` +
        'make, g++, python3) before running the tests in CI.',
    );
    return 1;
  } else {
    delete env.TRIBUTARY_KAFKA;
    delete env.KAFKA_BOOTSTRAP_SERVERS;
    loud(
      'WARNING: @confluentinc/kafka-javascript cannot be loaded; the REAL-KAFKA TESTS WILL NOT RUN.\n' +
        `${client.detail}\nOnly the embedded-backend tests run. (In CI this is a failure.)`,
    );
  }

  if (client.ok && !env.KAFKA_BOOTSTRAP_SERVERS) {
    const testPort = await choosePort();
    // The same broker also listens with SASL_PLAINTEXT/SCRAM-SHA-256, for the tests against a secured cluster.
    const saslPort = await chooseSaslPort(Number(testPort));
    const brokerEnv = { ...process.env, KAFKA_PORT: testPort, KAFKA_BROKERS: '1', KAFKA_SASL_PORT: saslPort };
    delete brokerEnv.KAFKA_SASL_PASSWORD;
    brokerEnv.KAFKA_DATA_DIR = join(root, '.kafka', `test-${testPort}`);
    // A fresh log per run: earlier runs' topics and groups cannot leak into this one.
    if (!kafka('status', brokerEnv, true)) rmSync(brokerEnv.KAFKA_DATA_DIR, { recursive: true, force: true });
    log(`starting a test broker on 127.0.0.1:${testPort}`);
    if (kafka('start', brokerEnv)) {
      env.KAFKA_BOOTSTRAP_SERVERS = `127.0.0.1:${testPort}`;
      // The password stays in its file (mode 600): tests read it from there, nothing prints it.
      env.KAFKA_SASL_BOOTSTRAP_SERVERS = `127.0.0.1:${saslPort}`;
      env.KAFKA_SASL_USERNAME = 'tributary';
      env.KAFKA_SASL_PASSWORD_FILE = join(brokerEnv.KAFKA_DATA_DIR, 'sasl-password');
      let stopped = false;
      stopBroker = () => {
        if (stopped) return;
        stopped = true;
        log('stopping the test broker');
        kafka('stop', brokerEnv);
      };
    } else if (inCI) {
      console.error('[run-tests] FAIL: the test broker did not start (see above); real-broker tests cannot run.');
      return 1;
    } else {
      delete env.KAFKA_BOOTSTRAP_SERVERS;
      loud('WARNING: the test broker did not start; the REAL-KAFKA TESTS WILL NOT RUN (a failure in CI).');
    }
  } else if (env.KAFKA_BOOTSTRAP_SERVERS) {
    log(`using the broker at ${env.KAFKA_BOOTSTRAP_SERVERS}`);
  }

  try {
    log(`running ${files.length} test file(s)`);
    // A test that hangs (a lock wait nobody breaks, a promise never settled) fails after 5 minutes with its name,
    // instead of holding the whole run until CI's limit; the longest suites take about 70 s.
    const args = ['--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`, ...files.map((f) => relative(root, f))];
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    const forward = (signal) => () => child.kill(signal);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const code = await new Promise((resolvePromise) => {
      child.on('exit', (status, signal) => resolvePromise(status ?? (signal === 'SIGINT' ? 130 : 1)));
      child.on('error', (err) => {
        console.error(`[run-tests] could not start node --test: ${err.message}`);
        resolvePromise(1);
      });
    });
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    return code;
  } finally {
    stopBroker?.();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
